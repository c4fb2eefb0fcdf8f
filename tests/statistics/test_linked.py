"""Linked tables: no "< 3" may be worked out from any line a reader can add up.

The tables of one selection share their cells: the kinds' totals are the kind rows of the
national view and the totals of the report's sections, the cantons' rows are sums of the
report's lines, and so on. The cells are one row each, shared by every table, and every line
(a total and the rows adding up to it) is protected on them; a brute force over each line,
independent of the code's interval reasoning, checks it.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.statistics.disclosure import protect_lines
from portal.statistics.figures import Block
from portal.statistics.presentation import HIDDEN, SMALL, Small, protect_group, row

KINDS, CANTONS = 2, 3


def publish(counts: list[list[int]]):
    """The tables of a kind-by-canton selection: the cells (the report's lines), the kinds'
    totals, the cantons' totals and the grand total, as rows shared between tables."""
    cells = [[row(Block(controls=v), protect=True) for v in line] for line in counts]
    kinds = [row(Block(controls=sum(line)), protect=True) for line in counts]
    cantons = [row(Block(controls=sum(line[c] for line in counts)), protect=True) for c in range(CANTONS)]
    total = row(Block(controls=sum(map(sum, counts))), protect=True)
    relations = [(total, kinds), (total, cantons)]
    relations += [(kinds[k], cells[k]) for k in range(KINDS)]
    relations += [(cantons[c], [cells[k][c] for k in range(KINDS)]) for c in range(CANTONS)]
    return cells, kinds, cantons, total, relations


def _fits(value: int, shown) -> bool:
    if shown == SMALL:
        return 0 <= value <= 2
    if shown == HIDDEN:
        return True
    return value == shown


def readings(cells, kinds, cantons, total) -> dict[tuple, set[int]]:
    """Every value each "< 3" cell can have for a reader who knows all four tables."""
    bound = total["controls"] if not isinstance(total["controls"], Small) else 40
    domains = []
    for line in cells:
        for values in line:
            shown = values["controls"]
            if shown == SMALL:  # a "< 3" may stand for a zero of a tiny selection
                domains.append((0, 1, 2))
            elif shown == HIDDEN:  # across linked tables, any value (zeros are hidden too)
                domains.append(range(0, bound + 1))
            else:
                domains.append((shown,))
    possible: dict[tuple, set[int]] = {}
    for flat in itertools.product(*domains):
        grid = [flat[k * CANTONS : (k + 1) * CANTONS] for k in range(KINDS)]
        kind_sums = [sum(line) for line in grid]
        canton_sums = [sum(grid[k][c] for k in range(KINDS)) for c in range(CANTONS)]
        if not (
            all(_fits(s, kinds[k]["controls"]) for k, s in enumerate(kind_sums))
            and all(_fits(s, cantons[c]["controls"]) for c, s in enumerate(canton_sums))
            and _fits(sum(kind_sums), total["controls"])
        ):
            continue
        named = {("cell", k, c): grid[k][c] for k in range(KINDS) for c in range(CANTONS)}
        named |= {("kind", k): s for k, s in enumerate(kind_sums)}
        named |= {("canton", c): s for c, s in enumerate(canton_sums)}
        named[("total",)] = sum(kind_sums)
        for name, value in named.items():
            possible.setdefault(name, set()).add(value)
    return possible


def shown_cells(cells, kinds, cantons, total) -> dict[tuple, object]:
    named = {("cell", k, c): cells[k][c]["controls"] for k in range(KINDS) for c in range(CANTONS)}
    named |= {("kind", k): v["controls"] for k, v in enumerate(kinds)}
    named |= {("canton", c): v["controls"] for c, v in enumerate(cantons)}
    named[("total",)] = total["controls"]
    return named


def test_tables_protected_one_by_one_give_a_small_cell_away_when_put_together():
    # Each table alone is safe; the kinds' table shows kind 2 (4), the cantons' table hides
    # canton C, but kind 2's line in canton C is 4 - 1 - 1... worked out across tables.
    counts = [[5, 6, 1], [1, 1, 3]]
    cells, kinds, cantons, total, _relations = publish(counts)
    protect_group(kinds, total)
    protect_group(cantons, total)
    for k in range(KINDS):
        protect_group(cells[k], kinds[k])
    possible = readings(cells, kinds, cantons, total)
    shown = shown_cells(cells, kinds, cantons, total)
    assert any(shown[name] == SMALL and len(values) == 1 for name, values in possible.items())


def test_the_same_tables_protected_together_keep_every_small_cell_open():
    counts = [[5, 6, 1], [1, 1, 3]]
    cells, kinds, cantons, total, relations = publish(counts)
    protect_lines(relations)
    possible = readings(cells, kinds, cantons, total)
    shown = shown_cells(cells, kinds, cantons, total)
    assert all(len(possible[name]) >= 2 for name, value in shown.items() if value == SMALL)
    assert total["controls"] == 17  # the grand total stays shown


def _line_readings(parent: dict, children: list[dict], bound: int) -> list[set[int]]:
    """Every value each cell of one line (parent first) can have for a reader of that line."""
    domains = []
    for values in (parent, *children):
        shown = values["controls"]
        if shown == SMALL:
            domains.append((0, 1, 2))
        elif shown == HIDDEN:
            domains.append(range(0, bound + 1))
        else:
            domains.append((shown,))
    possible = [set() for _cell in domains]
    for flat in itertools.product(*domains):
        if flat[0] == sum(flat[1:]):
            for place, value in enumerate(flat):
                possible[place].add(value)
    return possible


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=5), min_size=CANTONS, max_size=CANTONS),
        min_size=2,
        max_size=2,
    )
)
def test_no_small_cell_can_be_pinned_down_from_any_line_of_the_tables(counts):
    """The guarantee of :func:`protect_lines`: a reader of any one line (a total and the rows
    adding up to it, wherever it is published) cannot tell a "< 3" apart from another value,
    nor add up a hidden total; and what is shown is true. (Solving all lines together is
    not guarded against: README, "Statistics", known limits.)"""
    cells, kinds, cantons, total, relations = publish(counts)
    protect_lines(relations)
    truth = {id(cells[k][c]): counts[k][c] for k in range(KINDS) for c in range(CANTONS)}
    truth |= {id(kinds[k]): sum(line) for k, line in enumerate(counts)}
    truth |= {id(cantons[c]): sum(line[c] for line in counts) for c in range(CANTONS)}
    truth[id(total)] = sum(map(sum, counts))
    for parent, children in relations:
        possible = _line_readings(parent, children, bound=truth[id(total)])
        for values, readings in zip((parent, *children), possible, strict=True):
            shown = values["controls"]
            if isinstance(shown, Small) and truth[id(values)] > 0:
                assert len(readings) >= 2, (counts, truth[id(values)], readings)
            if not isinstance(shown, Small):
                assert shown == truth[id(values)]
