"""One protection for every national table of a period, whichever filters a reader picks.

The national view can be filtered by kind of control, sector and canton, and the yearly
report lists every kind, sector and canton. Each of those tables is a margin of one cube,
the period's controls by (kind, sector, canton): the unfiltered view shows the margins by
kind, by sector and by canton; filtered by a sector, it shows that sector's total and its
kinds and cantons (the kind x sector and sector x canton margins); the report shows the
kinds and the cells. Protected page by page, a "< 3" one page keeps secret could be worked
out from another (the sector filter showed a sector's total that the unfiltered view had
hidden; subtracting it from the grand total pinned a small sector).

So every margin of the cube is one row, shared by every page and file that shows it
(:class:`Cube`), and every line a reader can add up (a margin row and its rows one
dimension finer, a kind and its report lines) is protected on that shared row until no line
changes (:func:`protect_lines`): in each line, no "< 3" can be pinned from the line's total
and the figures shown, and a hidden total cannot be added up from its line. A cell is shown,
"< 3" or "x" alike on every page of the period.

The page's other tables (the bodies, the months, today's open cases by status) add up to
the page's total: they are protected against it afterwards, without touching the cube.

Known limits (README, "Statistics"): each line is protected on its own; a reader solving
all lines of the cube together (linear programming over it) is not guarded against. An
exact joint protection by interval reasoning over the whole cube was tried: at national
scale it took minutes and hid almost every cell. Periods are free, so two periods a day
apart can be differenced; the bodies' and the months' tables of two different filters are
not protected against each other.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

from portal.statistics.figures import Block, Filters
from portal.statistics.presentation import (
    ADDITIVE,
    HIDDEN,
    SMALL,
    Small,
    protect_group,
    row,
    suppress_under_small,
)

#: A margin's address: (kind, sector, canton), ``None`` where the margin sums over that dimension.
Address = tuple[str | None, str | None, str | None]
_SHARES = {"undercutting_share": "undercutting", "working_time_share": "working_time"}


def _add(into: Block, block: Block) -> None:
    for key in ADDITIVE:
        setattr(into, key, getattr(into, key) + getattr(block, key))


def margins(cells: dict[tuple[str, str, str], Block]) -> dict[Address, Block]:
    """Every margin of the cube: for each cell, its own address and the seven with one or
    more dimensions summed over."""
    summed: dict[Address, Block] = {}
    for address, block in sorted(cells.items()):
        for mask in itertools.product((True, False), repeat=3):
            key = tuple(value if keep else None for value, keep in zip(address, mask, strict=True))
            _add(summed.setdefault(key, Block()), block)
    return summed


def relations(rows: dict[Address, dict]) -> list[tuple[dict, list[dict]]]:
    """The sums a reader can form: every margin row is the sum of its rows one dimension
    finer, along each dimension it sums over."""
    children: dict[tuple[Address, int], list[dict]] = {}
    for address, values in rows.items():
        for place, value in enumerate(address):
            if value is not None:
                parent = (*address[:place], None, *address[place + 1 :])
                children.setdefault((parent, place), []).append(values)
    return [(rows[parent], finer) for (parent, _place), finer in sorted(children.items(), key=_order)]


def _report_lines(rows: dict[Address, dict]) -> list[tuple[dict, list[dict]]]:
    """The yearly report's lines: a kind's total over its (sector, canton) cells."""
    lines: dict[str, list[dict]] = {}
    for (kind, sector, canton), values in rows.items():
        if kind is not None and sector is not None and canton is not None:
            lines.setdefault(kind, []).append(values)
    return [(rows[(kind, None, None)], cells) for kind, cells in sorted(lines.items())]


def protect_lines(lines: list[tuple[dict, list[dict]]]) -> None:
    """Secondary suppression of every line (parent, children that add up to it), in place, on
    rows shared between lines, until a pass over all of them hides nothing more: each line
    by :func:`~portal.statistics.presentation.protect_group`, and a hidden or suppressed
    parent gets a hidden child in its line if none is, so it is not the sum of what is shown.
    Hiding more never uncovers a cell of another line (a hidden figure only widens what a
    reader knows), so the passes end."""
    for key in ADDITIVE:  # zeros under a "< 3" are "< 3" too: they would say where the 1 or 2 are
        suppress_under_small(lines, key)
    pending = list(lines)
    while pending:
        touched: set[int] = set()
        for parent, children in pending:
            if protect_group(children, parent) | _hide_under_hidden(parent, children):
                touched.update(id(values) for values in (parent, *children))
        pending = [
            (parent, children)
            for parent, children in lines
            if any(id(values) in touched for values in (parent, *children))
        ]


def _hide_under_hidden(parent: dict, children: list[dict]) -> bool:
    changed = False
    for key in ADDITIVE:
        if not isinstance(parent.get(key), Small) or any(isinstance(c.get(key), Small) for c in children):
            continue
        shown = [(values[key], index) for index, values in enumerate(children) if values.get(key)]
        if shown:
            children[min(shown)[1]][key] = HIDDEN
            changed = True
    return changed


def _order(item) -> tuple:
    (address, place), _rows = item
    return (tuple(value or "" for value in address), place)


def _marks(rows: dict[Address, dict]) -> dict[Address, dict[str, str]]:
    return {
        address: {key: str(values[key]) for key in ADDITIVE if isinstance(values.get(key), Small)}
        for address, values in rows.items()
    }


def _fingerprint(cells: dict[tuple[str, str, str], Block]) -> str:
    digest = hashlib.sha256()
    for address, block in sorted(cells.items()):
        digest.update(repr((address, [str(getattr(block, key)) for key in ADDITIVE])).encode())
    return digest.hexdigest()


@dataclass
class Cube:
    """The period's margins, protected together; :meth:`at` gives a margin's row."""

    rows: dict[Address, dict] = field(default_factory=dict)

    @classmethod
    def protected(cls, cells: dict[tuple[str, str, str], Block]) -> Cube:
        """The cube of ``cells`` with its small cells and the cells that would give them away
        suppressed. The suppression depends on the figures only, so it is kept in the cache
        under their fingerprint: the next page of the same figures skips the work."""
        rows = {address: row(block, protect=True) for address, block in margins(cells).items()}
        key = f"statistics-cube:{_fingerprint(cells)}"
        marks = cache.get(key)
        if marks is None:
            protect_lines(relations(rows) + _report_lines(rows))
            cache.set(key, _marks(rows), timeout=24 * 3600)
        else:
            for address, hidden in marks.items():
                for name, mark in hidden.items():
                    rows[address][name] = SMALL if mark == str(SMALL) else HIDDEN
        return cls(rows)

    def at(
        self, kind: str | None = None, sector: str | None = None, canton: str | None = None
    ) -> dict | None:
        return self.rows.get((kind, sector, canton))


def selection(filters: Filters) -> Address:
    """The margin a filtered page's total is: ``None`` where the filter is "all"."""
    return (filters.control_kind or None, filters.sector or None, filters.canton or None)


def apply(values: dict, protected: dict | None) -> dict:
    """``values`` (a row of the page, with its companies and medians) with the suppression of
    its additive figures taken from the cube's row; shares hidden with what they reveal."""
    if protected is not None:
        for key in ADDITIVE:
            if isinstance(protected.get(key), Small) and not isinstance(values.get(key), Small):
                values[key] = protected[key]
    hide_shares(values)
    return values


def hide_shares(values: dict) -> None:
    """A share shown beside a hidden count, or over a hidden number of controls, would give
    the count back (share x controls): it is hidden with it."""
    for share, count in _SHARES.items():
        if values.get(share) is None or values[share] == SMALL:
            continue
        if values.get(count) == HIDDEN or values.get("controls") == HIDDEN:
            values[share] = HIDDEN


def protect_beside(total: dict, tables: Iterable[list[dict]]) -> None:
    """Protect each of ``tables`` (rows adding up to the page's ``total``) against it, with
    the cube's decisions fixed: the total keeps the figure every other page shows. Where
    only hiding the total would protect a column (every row of it "< 3", say a few controls
    spread over the months), that column is hidden ("x") in every row of the table
    instead, so nothing of it can be added up against the total."""
    for rows in tables:
        if not rows:
            continue
        page_total = dict(total)
        protect_lines([(page_total, rows)])
        for key in ADDITIVE:
            if isinstance(page_total.get(key), Small) and not isinstance(total.get(key), Small):
                for values in rows:
                    if values.get(key):
                        values[key] = HIDDEN
        for values in rows:
            hide_shares(values)
