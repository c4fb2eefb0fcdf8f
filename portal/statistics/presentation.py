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

Not done yet: secondary suppression (a total minus the shown cells can still reveal a
suppressed cell).
"""

from __future__ import annotations

import statistics
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal.statistics.figures import Block

THRESHOLD = 3


class Small(str):
    """A suppressed figure: shown and exported as "< 3"."""

    __slots__ = ()


SMALL = Small(f"< {THRESHOLD}")

COLUMNS = (
    ("controls", _("Controls")),
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


def _median(values: list[float], protect: bool):
    if not values:
        return None
    if protect and len(values) < THRESHOLD:
        return SMALL
    return round(statistics.median(values), 1)


def row(block: Block, *, protect: bool) -> dict[str, object]:
    """The figures of ``block`` keyed like :data:`COLUMNS`; with ``protect``, small cells suppressed."""

    def count(value: int):
        return SMALL if protect and is_small(value) else value

    def derived(value, basis: int):
        return SMALL if protect and is_small(basis) else value

    values = {
        "controls": count(block.controls),
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
        "closed": count(block.closed),
        "median_days_to_report": _median(block.days_to_report, protect),
        "median_days_to_sanction": _median(block.days_to_sanction, protect),
    }
    if protect and is_small(block.controls):
        values.update(dict.fromkeys(CONTROL_DERIVED, SMALL))
    return values


def protected_count(value: int, *, protect: bool):
    return SMALL if protect and is_small(value) else value
