"""Reads behind the statistics pages: figures arranged as the tables show them."""

from __future__ import annotations

import csv
import io

from django.http import Http404
from django.utils.translation import gettext as _

from portal.dossiers.models import ControlKind
from portal.dossiers.workflow import Status
from portal.statistics.charts import charts
from portal.statistics.disclosure import Cube, apply, protect_beside, selection
from portal.statistics.figures import Figures, Scope
from portal.statistics.models import MonthlyCounts, ReportSubmission
from portal.statistics.presentation import COLUMNS, protected_count, row
from tenants.models import Canton, Organisation


def sectors_of(scope: Scope) -> list[str]:
    """The sectors named in ``scope``, live or archived, for the filter (one query over the
    monthly counts, which hold every facts row's sector, instead of every dossier)."""
    counts = MonthlyCounts.objects.exclude(sector="")
    if scope.owner_id is not None:
        counts = counts.filter(owner_id=scope.owner_id)
    return sorted(counts.order_by().values_list("sector", flat=True).distinct())


def sector_label(sector: str) -> str:
    return sector or _("No sector given")


def _sorted(rows: dict, label) -> list[tuple[str, object, dict]]:
    return sorted(((label(key), key, values) for key, values in rows.items()), key=lambda item: str(item[0]))


def tables(
    figures: Figures,
    previous: Figures | None,
    *,
    protect: bool,
    bodies: bool = False,
    cube: Cube | None = None,
) -> dict:
    """Everything the figures template shows (tables and charts); with ``protect``, small
    cells suppressed.

    Nationally (``protect``), the total and the tables by kind, sector and canton take their
    suppression from ``cube``, the period's margins protected together
    (:mod:`portal.statistics.disclosure`), so every filter of the period shows the same
    cell alike; the bodies' and the months' tables are then protected against the total, and
    today's open cases by status against their sum.
    """
    kind, sector, canton = selection(figures.filters)

    def rows(mapping: dict, address) -> dict:
        made = {key: row(block, protect=protect) for key, block in mapping.items()}
        if protect:
            for key, values in made.items():
                apply(values, cube.at(*address(key)))
        return made

    total = row(figures.total, protect=protect)
    if protect:
        apply(total, cube.at(kind, sector, canton))
    by_kind = rows(figures.by_kind, lambda key: (key, sector, canton))
    by_sector = rows(figures.by_sector, lambda key: (kind, key, canton))
    by_canton = rows(figures.by_canton, lambda key: (kind, sector, key))
    by_month = {key: row(block, protect=protect) for key, block in figures.by_month.items()}
    by_owner = {key: row(block, protect=protect) for key, block in figures.by_owner.items()} if bodies else {}
    open_total = {"controls": protected_count(figures.open_cases, protect=protect)}
    open_rows = {
        value: {"controls": protected_count(figures.open_by_status.get(value, 0), protect=protect)}
        for value in Status.values
        if value != Status.CLOSED
    }
    if protect:
        protect_beside(total, [list(by_month.values()), [by_owner[key] for key in sorted(by_owner)]])
        protect_beside(open_total, [list(open_rows.values())])
    before = row(previous.total, protect=protect) if previous is not None else None
    context = {
        "columns": COLUMNS,
        "total": total,
        "by_kind": _sorted(by_kind, lambda key: ControlKind(key).label),
        "by_sector": _sorted(by_sector, sector_label),
        "by_canton": _sorted(by_canton, lambda key: Canton(key).label),
        "open_by_status": [
            (label, open_rows[value]["controls"]) for value, label in Status.choices if value != Status.CLOSED
        ],
        "open_cases": open_total["controls"],
        "overdue": protected_count(figures.overdue, protect=protect),
        "protect": protect,
    }
    if bodies:
        names = Organisation.objects.in_bulk(list(figures.by_owner))
        context["by_body"] = _sorted(by_owner, lambda key: names[key].short_name)
    context["charts"] = charts(by_month=by_month, by_kind=by_kind)
    context["summary"] = [(key, label, total[key], before[key] if before else None) for key, label in COLUMNS]
    return context


def _keyed(mapping: dict) -> list[dict]:
    return [{"key": key, **block.as_dict()} for key, block in sorted(mapping.items())]


def figures_data(figures: Figures, before: Figures) -> dict:
    """The figures as plain data (the API's answer), with the previous period's total."""
    filters = figures.filters
    return {
        "period": {"start": filters.period.start, "end": filters.period.end},
        "previous_period": {"start": before.filters.period.start, "end": before.filters.period.end},
        "sector": filters.sector,
        "control_kind": filters.control_kind or None,
        "canton": filters.canton or None,
        "total": figures.total.as_dict(),
        "previous_total": before.total.as_dict(),
        "by_kind": _keyed(figures.by_kind),
        "by_sector": _keyed(figures.by_sector),
        "by_canton": _keyed(figures.by_canton),
        "by_month": _keyed(figures.by_month),
        "open_cases": figures.open_cases,
        "open_by_status": [
            {"status": value, "count": figures.open_by_status[value]}
            for value in Status.values
            if value in figures.open_by_status
        ],
        "overdue": figures.overdue,
    }


def submission_for(
    *, organisation_id: int, year: int, version: int | None
) -> tuple[ReportSubmission, list[ReportSubmission]]:
    """A body's submitted report for ``year``: the given version, or the latest; 404 if none."""
    versions = ReportSubmission.objects.filter(organisation_id=organisation_id, year=year)
    submission = (versions.filter(version=version) if version is not None else versions).first()
    if submission is None:
        raise Http404
    return submission, list(versions.defer("csv"))


def submission_table(submission) -> tuple[list[str], list[list[str]]]:
    """The submitted CSV as a header and rows, exactly as submitted."""
    rows = list(csv.reader(io.StringIO(bytes(submission.csv).decode("utf-8-sig"))))
    return (rows[0], rows[1:]) if rows else ([], [])
