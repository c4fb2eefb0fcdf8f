"""Figures of control activity for the bodies' own software: what the dashboard shows.

The scope is always the client's own organisation (its dossiers and the kept facts of its
destroyed ones, ``portal.statistics.figures.own_dossiers``); no parameter widens it. The
figures are the dashboard's, unsuppressed, as the body's members see them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from portal.api.api import errors
from portal.api.common import need, organisation, organisation_ref
from portal.api.problems import ApiError, Problem
from portal.api.schemas import CantonCode, ControlKindName, IsoDate, OrganisationRef, StatusName
from portal.statistics.figures import Filters, Period, figures_for, own_dossiers
from portal.statistics.forms import LONGEST_PERIOD_DAYS, previous
from portal.statistics.selectors import figures_data

router = Router(tags=["statistics"])


class StatisticsFilters(Schema):
    start: IsoDate | None = Field(None, description="First day of the period (default: 1 January)")
    end: IsoDate | None = Field(None, description="Last day of the period, included (default: today)")
    sector: str | None = Field(None, max_length=120, description="Exactly this sector; empty: all")
    control_kind: ControlKindName | None = None
    canton: CantonCode | None = None


class FiguresOut(Schema):
    controls: int = Field(description="Controls opened in the period")
    companies: int = Field(
        description="Companies controlled in the period: each enterprise number (UID) once, "
        "each control without one as a company of its own"
    )
    closed: int = Field(description="Cases closed in the period")
    persons: int = Field(description="Persons checked in the period's controls")
    undercutting: int = Field(description="Controls with a wage underpayment above zero")
    working_time: int = Field(description="Controls with working-time violations")
    penalties: int
    penalties_chf: Decimal
    fines: int
    fines_chf: Decimal
    bans: int
    ban_years: int
    extended: int = Field(description="Controls in sectors with an extended collective agreement")
    listed: int = Field(description="Controls after which the company was listed publicly")
    median_days_to_report: float | None
    median_days_to_sanction: float | None


class KeyedFigures(FiguresOut):
    key: str = Field(description="Kind of control, sector, canton code or month (YYYY-MM)")


class PeriodOut(Schema):
    start: date
    end: date


class OpenStatus(Schema):
    status: StatusName
    count: int


class StatisticsOut(Schema):
    organisation: OrganisationRef
    period: PeriodOut
    previous_period: PeriodOut
    sector: str
    control_kind: ControlKindName | None
    canton: CantonCode | None
    total: FiguresOut
    previous_total: FiguresOut
    by_kind: list[KeyedFigures]
    by_sector: list[KeyedFigures]
    by_canton: list[KeyedFigures]
    by_month: list[KeyedFigures]
    open_cases: int = Field(description="Today's open cases (whatever the period)")
    open_by_status: list[OpenStatus]
    overdue: int = Field(description="Today's open cases with a deadline before today")


def _period(params: StatisticsFilters, today: date) -> Period:
    start, end = params.start or date(today.year, 1, 1), params.end or today
    if not (1900 <= start.year <= 2999 and 1900 <= end.year <= 2999):
        raise ApiError(422, "invalid_period", _("Give dates between the years 1900 and 2999."))
    if start > end:
        raise ApiError(422, "invalid_period", _("The period must start before it ends."))
    if (end - start).days > LONGEST_PERIOD_DAYS:
        raise ApiError(422, "invalid_period", _("A period may last ten years at most."))
    return Period(start, end)


@router.get("", response={200: StatisticsOut, errors(): Problem}, summary="Figures")
def statistics(request, params: Query[StatisticsFilters]):
    """Your organisation's figures, as on its statistics dashboard: controls opened in the
    period (by kind, sector, canton and month), persons checked, findings, sanctions, cases
    closed, medians, and today's open cases; with the same figures for the period before
    (whole months: as many whole months before; otherwise as many days before). Destroyed
    dossiers still count, from the anonymous facts kept when they were destroyed. The
    figures are computed when you ask; there is nothing to page through."""
    need(request, "read")
    today = timezone.localdate()
    filters = Filters(
        period=_period(params, today),
        sector=params.sector or "",
        control_kind=params.control_kind.value if params.control_kind else "",
        canton=params.canton.value if params.canton else "",
    )
    owner = organisation(request)
    scope = own_dossiers(owner)
    current = figures_for(scope, filters, today=today)
    before = figures_for(scope, previous(filters), today=today, breakdowns=False)
    return {"organisation": organisation_ref(owner), **figures_data(current, before)}
