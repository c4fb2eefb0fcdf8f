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
    value by their known sum. Linear in the number of cells: the others' bounds are the
    sums of all bounds less the cell's own (an unbounded cell makes the others' high bound
    unbounded unless it is the cell itself)."""
    all_low = sum(low for low, _high in cells)
    finite_high = sum(high for _low, high in cells if high != _UNBOUNDED)
    unbounded = sum(high == _UNBOUNDED for _low, high in cells)
    for low, high in cells:
        others_low = all_low - low
        if unbounded - (high == _UNBOUNDED):
            others_high = _UNBOUNDED
        else:
            others_high = finite_high - (high if high != _UNBOUNDED else 0)
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


def protect_group(rows: list[dict], total: dict) -> bool:
    """Secondary suppression, in place: hide cells of ``rows`` (rows of one table whose
    additive columns sum to ``total``) until no suppressed cell can be recovered.

    A reader knows a "< 3" count lies in 0..2 (0 when its whole row is small), a hidden count
    that is not zero (zeros are never chosen) is at least 3, and a suppressed or hidden sum
    is at least 0; the cells of a column are safe when none of them is forced to one value by
    the total minus the figures shown. Returns whether it hid anything.
    """
    changed = False
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
                changed = True
                break
            _value, index = min(candidates)
            rows[index][key] = HIDDEN
            changed = True
            del actual[index]
    return changed


def suppress_under_small(relations: list[tuple[dict, list[dict]]], key: str) -> None:
    """Under a "< 3" parent, zeros are "< 3" too (in place), as in a row of one or two
    controls: "< 3" beside zeros would tell exactly where the one or two cases are."""
    changed = True
    while changed:
        changed = False
        for parent, children in relations:
            if parent.get(key) != SMALL:
                continue
            for child in children:
                if child.get(key) == 0 and not isinstance(child.get(key), Small):
                    child[key], changed = SMALL, True
