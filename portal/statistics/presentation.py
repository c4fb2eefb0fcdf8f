"""Figures as rows of a table, and the small-cell rule of the national view.

The same rows feed the pages, the CSV, the XLSX and the printable report, so what is shown
and what is suppressed is decided here once.

Small cells (``protect=True``, the national view and the national report): a group of one or
two controls could point at a company, so

- a count of 1 or 2 is shown as "< 3" (0 is shown: it points at nobody);
- when a row stands for 1 or 2 controls, every figure of the row derived from those controls
  is "< 3", zeros included;
- a sum (persons, CHF, ban years) is "< 3" when the count behind it is 1 or 2;
- a share is "< 3" when its numerator or denominator is 1 or 2;
- a median is "< 3" when it is taken over 1 or 2 cases.

Secondary suppression (:func:`protect_group`): the rows of a table add up to the total shown
under them, so a single "< 3" in a column could be worked out as the total minus the other
rows. In every column that adds up, more cells are hidden (shown as "x", the smallest ones
first) until no "< 3" cell can be pinned to one value from the total and the figures still
shown; when no row is left to hide, the total is hidden.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal.statistics.figures import Block

THRESHOLD = 3


class Small(str):
    """A suppressed figure: shown and exported as "< 3"."""

    __slots__ = ()


SMALL = Small(f"< {THRESHOLD}")
#: A figure hidden only so that a "< 3" elsewhere in its column cannot be worked out.
HIDDEN = Small("x")

COLUMNS = (
    ("controls", _("Controls")),
    ("companies", _("Companies controlled")),
    ("extended", _("Of which in sectors with an extended collective agreement")),
    ("persons", _("Persons checked")),
    ("undercutting", _("With wage undercutting")),
    ("undercutting_share", _("Wage undercutting (%)")),
    ("working_time", _("With working-time violations")),
    ("working_time_share", _("Working-time violations (%)")),
    ("penalties", _("Contractual penalties")),
    ("penalties_chf", _("Penalties (CHF)")),
    ("fines", _("Fines")),
    ("fines_chf", _("Fines (CHF)")),
    ("bans", _("Service bans")),
    ("ban_years", _("Ban years")),
    ("listed", _("Companies listed publicly")),
    ("closed", _("Closed")),
    ("median_days_to_report", _("Median days, opening to report")),
    ("median_days_to_sanction", _("Median days, report to sanction")),
)

CONTROL_DERIVED = {key for key, _label in COLUMNS} - {"closed"}


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def _share(numerator: int, denominator: int, protect: bool):
    if denominator == 0:
        return None
    if protect and (is_small(numerator) or is_small(denominator)):
        return SMALL
    return round(100 * numerator / denominator, 1)


def _median(median: float | None, count: int, protect: bool):
    if median is None:
        return None
    if protect and count < THRESHOLD:
        return SMALL
    return round(median, 1)


def row(block: Block, *, protect: bool) -> dict[str, object]:
    """The figures of ``block`` keyed like :data:`COLUMNS`; with ``protect``, small cells suppressed."""

    def count(value: int):
        return SMALL if protect and is_small(value) else value

    def derived(value, basis: int):
        return SMALL if protect and is_small(basis) else value

    values = {
        "controls": count(block.controls),
        "companies": count(block.companies),
        "persons": derived(block.persons, block.controls),
        "undercutting": count(block.undercutting),
        "undercutting_share": _share(block.undercutting, block.controls, protect),
        "working_time": count(block.working_time),
        "working_time_share": _share(block.working_time, block.controls, protect),
        "penalties": count(block.penalties),
        "penalties_chf": derived(block.penalties_chf.quantize(Decimal("0.01")), block.penalties),
        "fines": count(block.fines),
        "fines_chf": derived(block.fines_chf.quantize(Decimal("0.01")), block.fines),
        "bans": count(block.bans),
        "ban_years": derived(block.ban_years, block.bans),
        "extended": count(block.extended),
        "listed": count(block.listed),
        "closed": count(block.closed),
        "median_days_to_report": _median(block.median_days_to_report, block.report_count, protect),
        "median_days_to_sanction": _median(block.median_days_to_sanction, block.sanction_count, protect),
    }
    if protect and is_small(block.controls):
        values.update(dict.fromkeys(CONTROL_DERIVED, SMALL))
    return values


def protected_count(value: int, *, protect: bool):
    return SMALL if protect and is_small(value) else value


#: Columns whose rows add up to the total (the others are shares, medians and the companies:
#: a company controlled in two cantons is one company in each and one in the total).
ADDITIVE = (
    "controls",
    "extended",
    "listed",
    "persons",
    "undercutting",
    "working_time",
    "penalties",
    "penalties_chf",
    "fines",
    "fines_chf",
    "bans",
    "ban_years",
    "closed",
)
#: Counts: a suppressed one is known to be 0, 1 or 2; a hidden one (not small) 0 or at least 3.
_COUNTS = {
    "controls",
    "extended",
    "listed",
    "undercutting",
    "working_time",
    "penalties",
    "fines",
    "bans",
    "closed",
}
_UNBOUNDED = float("inf")


def _pinned(cells: list[tuple[float, float]], suppressed_sum: float) -> bool:
    """Whether one of ``cells`` (each a range a reader knows it lies in) is forced to a single
    value by their known sum."""
    for index, (low, high) in enumerate(cells):
        others = cells[:index] + cells[index + 1 :]
        others_low = sum(other_low for other_low, _h in others)
        others_high = sum(other_high for _l, other_high in others)  # inf when one is unbounded
        least = max(low, suppressed_sum - others_high)
        most = min(high, suppressed_sum - others_low)
        if most - least < 1:
            return True
    return False


def _known_range(key: str, values: dict) -> tuple[float, float]:
    """What a reader knows of a suppressed or hidden figure."""
    if key not in _COUNTS:
        return (0, _UNBOUNDED)  # a sum: any amount
    if values[key] == HIDDEN:
        return (THRESHOLD, _UNBOUNDED)  # only counts of 3 or more are hidden
    if key != "controls" and key in CONTROL_DERIVED and values["controls"] == SMALL:
        return (0, THRESHOLD - 1)  # the whole row is small: zeros are suppressed too
    return (1, THRESHOLD - 1)


def protect_group(rows: list[dict], total: dict) -> None:
    """Secondary suppression, in place: hide cells of ``rows`` (rows of one table whose
    additive columns sum to ``total``) until no suppressed cell can be recovered.

    A reader knows a "< 3" count lies in 0..2 (0 when its whole row is small), a hidden count
    that is not zero (zeros are never chosen) is at least 3, and a suppressed or hidden sum
    is at least 0; the cells of a column are safe when none of them is forced to one value by
    the total minus the figures shown.
    """
    for key in ADDITIVE:
        if isinstance(total.get(key), Small) or not any(isinstance(r.get(key), Small) for r in rows):
            continue
        actual = {index: r[key] for index, r in enumerate(rows) if not isinstance(r.get(key), Small)}
        while True:
            shown = sum(actual.values())
            suppressed_sum = float(total[key] - shown)
            ranges = [_known_range(key, values) for values in rows if isinstance(values.get(key), Small)]
            if not _pinned(ranges, suppressed_sum):
                break
            candidates = [(value, index) for index, value in actual.items() if value]
            if not candidates:
                total[key] = HIDDEN
                break
            _value, index = min(candidates)
            rows[index][key] = HIDDEN
            del actual[index]


def _under_small(relations: list[tuple[dict, list[dict]]], key: str) -> set[int]:
    """The cells whose "< 3" may stand for 0: the children of a "< 3" parent. Their zeros are
    suppressed too (in place), as in a row of one or two controls, since "< 3" beside zeros
    under a parent of 1 or 2 would tell exactly where the one or two cases are."""
    under = set()
    changed = True
    while changed:
        changed = False
        for parent, children in relations:
            if parent.get(key) != SMALL:
                continue
            for child in children:
                if child.get(key) == 0 and not isinstance(child.get(key), Small):
                    child[key], changed = SMALL, True
                if id(child) not in under and child.get(key) == SMALL:
                    under.add(id(child))
                    changed = True
    return under


def _bounds(
    relations: list[tuple[dict, list[dict]]], key: str, under: set[int] = frozenset()
) -> dict[int, tuple[float, float]]:
    """What a reader can tell of every cell of ``key`` from all ``relations`` together: the
    known range of each suppressed or hidden cell, narrowed by each relation in turn (a parent
    is the sum of its children, a child the parent minus its siblings) until nothing changes."""
    cells = {id(values): values for parent, children in relations for values in (parent, *children)}
    bounds = {}
    for ident, values in cells.items():
        value = values.get(key)
        if value == HIDDEN:  # across linked tables a zero may be hidden too: any value
            bounds[ident] = (0, _UNBOUNDED)
        elif isinstance(value, Small):
            low, high = _known_range(key, values)
            bounds[ident] = (0, high) if ident in under else (low, high)
        else:
            bounds[ident] = (float(value or 0), float(value or 0))
    integral = key in _COUNTS
    for _pass in range(10_000):
        changed = False
        for parent, children in relations:
            members = [id(parent), *(id(child) for child in children)]
            lows = [bounds[m][0] for m in members[1:]]
            highs = [bounds[m][1] for m in members[1:]]
            parent_low, parent_high = bounds[members[0]]
            candidates = {members[0]: (sum(lows), sum(highs))}
            for place, member in enumerate(members[1:]):
                others_low = sum(lows) - lows[place]
                others_high = sum(high for index, high in enumerate(highs) if index != place)
                candidates[member] = (parent_low - others_high, parent_high - others_low)
            for member, (low, high) in candidates.items():
                old_low, old_high = bounds[member]
                if integral:  # counts are whole numbers
                    low = math.ceil(low - 1e-9) if math.isfinite(low) else low
                    high = math.floor(high + 1e-9) if math.isfinite(high) else high
                new = (max(old_low, low), min(old_high, high))
                if new != (old_low, old_high):
                    bounds[member], changed = new, True
        if not changed:
            break
    return bounds


def protect_linked(relations: list[tuple[dict, list[dict]]]) -> None:
    """Secondary suppression over every table published from one selection, in place.

    ``relations`` are the sums a reader can put together from those tables: (parent row,
    child rows) where the children's additive columns add up to the parent's (the kinds to
    the year's total, a kind's report lines to the kind, the cantons to the total, …). A row
    that is published in several tables is the same dict in every relation, so it is
    suppressed or shown alike everywhere. In each additive column, while a reader could pin a
    "< 3" cell to one value by combining the relations (differencing a table against another
    one included), one more cell is hidden ("x"): the smallest non-zero figure shown among the
    children of a relation holding that cell, or when none is left, the relation's parent.
    Under a "< 3" parent, zeros are "< 3" too (:func:`_under_small`). What a reader can tell
    is worked out by :func:`_bounds` (interval reasoning over all the
    relations at once; tested against a brute force over every table together).
    """
    for key in ADDITIVE:
        under = _under_small(relations, key)
        while True:
            bounds = _bounds(relations, key, under)
            pinned = [
                values
                for parent, children in relations
                for values in (parent, *children)
                if values.get(key) == SMALL
                and bounds[id(values)][1] - bounds[id(values)][0] < 1
                and bounds[id(values)][1] >= 1  # a zero pinned as zero names no company
            ]
            if not pinned:
                break
            # When nothing non-zero is left to hide (a tiny selection), its zeros are hidden.
            if not any(_hide_around(target, relations, key) for target in pinned) and not _open_zeros(
                pinned, relations, key, under
            ):
                break


def _open_zeros(
    pinned: list[dict], relations: list[tuple[dict, list[dict]]], key: str, under: set[int]
) -> bool:
    """Hide the zeros of the relations holding ``pinned`` (or, if they have none, of all
    relations), so a hidden figure may be anything from 0 up; whether any was left."""
    near = [(p, c) for p, c in relations if any(t is p or any(t is child for child in c) for t in pinned)]
    for chosen in (near, relations):
        zeros = [
            values
            for parent, children in chosen
            for values in (parent, *children)
            if values.get(key) == 0 and not isinstance(values.get(key), Small)
        ]
        for values in zeros:
            values[key] = HIDDEN
        if zeros:
            return True
    return False


def _hide_around(target: dict, relations: list[tuple[dict, list[dict]]], key: str) -> bool:
    """Hide the cell nearest to ``target`` that protects it: in the relations holding it, the
    smallest non-zero figure shown among the children, else among the parents; when all of
    those are suppressed or hidden already, the same one relation further out (through the
    suppressed and hidden cells). Zeros are never hidden (a hidden count is 3 or more)."""
    frontier, seen = [target], set()
    while frontier:
        holding = [
            (index, (parent, children))
            for index, (parent, children) in enumerate(relations)
            if index not in seen
            and any(cell is parent or any(cell is c for c in children) for cell in frontier)
        ]
        if not holding:
            return False
        seen.update(index for index, _relation in holding)
        for place in ("children", "parents"):
            shown = [
                (values[key], index, values)
                for index, (parent, children) in holding
                for values in (children if place == "children" else [parent])
                if not isinstance(values.get(key), Small) and values.get(key)
            ]
            if shown:
                min(shown, key=lambda item: (item[0], item[1]))[2][key] = HIDDEN
                return True
        frontier = [values for _index, (parent, children) in holding for values in (parent, *children)]
    return False
