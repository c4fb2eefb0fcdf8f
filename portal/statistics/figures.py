"""The figures of control activity, and the rules that count them.

One query reads a *fact* per dossier (:func:`load_facts`), a second the kept facts of
destroyed dossiers (:func:`load_archived_facts`); :func:`compute` turns facts into figures
without touching the database, so the counting rules live in plain Python and are tested
against an independent computation. The number of queries does not depend on the number
of dossiers.

Counting rules (README, "Statistics"):

- **A control** is a dossier. It belongs to the period in which it was *opened* (its
  ``created_at``, as a local date in Europe/Zurich). Persons checked, findings and sanctions
  are counted over the controls opened in the period.
- **Closed in the period**: the dossier's status is *closed* now and its last journaled move
  to *closed* falls in the period. A dossier closed without the workflow (no such journal
  entry, e.g. written directly) counts with its last change (``updated_at``).
- **Report** and **sanction** dates are the first journaled moves to *report written* and
  *sanction decided* (the dossier has no date fields of its own). Medians: days from opening
  to report over the period's controls that have a report; days from report to sanction over
  those that have both, the sanction not before the report.
- **Extended agreement**: the dossier's sector has an extended (generally binding)
  collective agreement (``agreement_extended``); the report splits controls by it.
  **Listed publicly**: the company was put on the public list for this case.
- **Wage undercutting**: a wage underpayment above zero. **Working-time violation**: the
  findings field is not empty. **Penalty**, **fine**: an amount above zero (count and sum).
  **Ban**: a ban duration is set (count and years).
- **Open cases** and **overdue deadlines** are today's: every dossier not closed now
  (whatever the period; the sector, kind and canton filters apply), overdue when its deadline
  is before today.
- **Hand-overs**: a dossier counts once, for its *current* owner, for its whole history.
  The former owner no longer counts it, so summing the bodies gives the national figure
  with no case twice.
- **Destroyed dossiers** count on: ``destroy()`` leaves their anonymous facts behind
  (:func:`archive`, :class:`~portal.statistics.models.ArchivedFacts`), read here with the
  live dossiers' facts, so a past year's figures do not change when its dossiers go. A
  destroyed case is no longer open today, whatever its last status.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.dossiers.models import Dossier
from portal.dossiers.workflow import Status
from portal.journal.models import Action, JournalEntry
from portal.statistics.models import ArchivedFacts

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one.

        Whole calendar months are compared with as many whole months before (a year with the
        year before, a quarter with the quarter before); any other period with the same
        number of days before it.
        """
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            return Period(date(index // 12, index % 12 + 1, 1), self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass(frozen=True)
class Filters:
    period: Period
    sector: str = ""
    control_kind: str = ""
    canton: str = ""


@dataclass(frozen=True)
class Fact:
    """What the figures need to know of one dossier, and nothing that names a company."""

    owner_id: int
    control_kind: str
    sector: str
    canton: str
    status: str
    persons: int
    opened_at: datetime
    report_at: datetime | None
    sanction_at: datetime | None
    closed_at: datetime | None
    deadline: date | None
    underpayment: Decimal | None
    working_time: bool
    penalty: Decimal | None
    fine: Decimal | None
    ban_years: int | None
    extended: bool = False  # the sector has an extended collective agreement
    listed: bool = False  # the company was listed publicly
    archived: bool = False  # the dossier is destroyed; its facts were kept

    @property
    def opened_on(self) -> date:
        return timezone.localdate(self.opened_at)

    @property
    def closed_on(self) -> date | None:
        if self.status != Status.CLOSED or self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


@dataclass
class Block:
    """The figures of one group of dossiers (all of them, a kind, a sector, a canton, a body)."""

    controls: int = 0
    closed: int = 0
    persons: int = 0
    undercutting: int = 0
    working_time: int = 0
    penalties: int = 0
    penalties_chf: Decimal = ZERO
    fines: int = 0
    fines_chf: Decimal = ZERO
    bans: int = 0
    ban_years: int = 0
    extended: int = 0
    listed: int = 0
    days_to_report: list[float] = field(default_factory=list)
    days_to_sanction: list[float] = field(default_factory=list)

    def add_control(self, fact: Fact) -> None:
        self.controls += 1
        self.persons += fact.persons
        if fact.underpayment is not None and fact.underpayment > 0:
            self.undercutting += 1
        if fact.working_time:
            self.working_time += 1
        if fact.penalty is not None and fact.penalty > 0:
            self.penalties += 1
            self.penalties_chf += fact.penalty
        if fact.fine is not None and fact.fine > 0:
            self.fines += 1
            self.fines_chf += fact.fine
        if fact.ban_years is not None:
            self.bans += 1
            self.ban_years += fact.ban_years
        if fact.extended:
            self.extended += 1
        if fact.listed:
            self.listed += 1
        if fact.report_at is not None:
            self.days_to_report.append(_days(fact.opened_at, fact.report_at))
            if fact.sanction_at is not None and fact.sanction_at >= fact.report_at:
                self.days_to_sanction.append(_days(fact.report_at, fact.sanction_at))

    FIGURES = (
        "controls",
        "closed",
        "persons",
        "undercutting",
        "working_time",
        "penalties",
        "penalties_chf",
        "fines",
        "fines_chf",
        "bans",
        "ban_years",
        "extended",
        "listed",
        "median_days_to_report",
        "median_days_to_sanction",
    )

    def as_dict(self) -> dict:
        """The figures by name, as pages, reports and the API show them."""
        return {name: getattr(self, name) for name in self.FIGURES}

    @property
    def median_days_to_report(self) -> float | None:
        return statistics.median(self.days_to_report) if self.days_to_report else None

    @property
    def median_days_to_sanction(self) -> float | None:
        return statistics.median(self.days_to_sanction) if self.days_to_sanction else None

    @property
    def is_empty(self) -> bool:
        return self.controls == 0 and self.closed == 0


@dataclass
class Figures:
    filters: Filters
    today: date
    total: Block = field(default_factory=Block)
    by_kind: dict[str, Block] = field(default_factory=dict)
    by_sector: dict[str, Block] = field(default_factory=dict)
    by_canton: dict[str, Block] = field(default_factory=dict)
    by_owner: dict[int, Block] = field(default_factory=dict)
    # (kind, sector, canton): the cells of the yearly report
    by_cell: dict[tuple[str, str, str], Block] = field(default_factory=dict)
    # "YYYY-MM" -> controls opened and cases closed that month; every month of the period
    by_month: dict[str, Block] = field(default_factory=dict)
    open_by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def open_cases(self) -> int:
        return sum(self.open_by_status.values())


def _matches(fact: Fact, filters: Filters) -> bool:
    return (
        (not filters.sector or fact.sector == filters.sector)
        and (not filters.control_kind or fact.control_kind == filters.control_kind)
        and (not filters.canton or fact.canton == filters.canton)
    )


def compute(facts: Iterable[Fact], filters: Filters, *, today: date) -> Figures:
    """The figures of ``facts`` under ``filters``: pure, no database."""
    figures = Figures(filters=filters, today=today)
    period = filters.period
    figures.by_month = {month: Block() for month in period.months()}
    for fact in facts:
        if not _matches(fact, filters):
            continue
        groups = (
            figures.total,
            figures.by_kind.setdefault(fact.control_kind, Block()),
            figures.by_sector.setdefault(fact.sector, Block()),
            figures.by_canton.setdefault(fact.canton, Block()),
            figures.by_owner.setdefault(fact.owner_id, Block()),
            figures.by_cell.setdefault((fact.control_kind, fact.sector, fact.canton), Block()),
        )
        if fact.opened_on in period:
            for block in (*groups, figures.by_month[f"{fact.opened_on:%Y-%m}"]):
                block.add_control(fact)
        if fact.closed_on in period:
            for block in (*groups, figures.by_month[f"{fact.closed_on:%Y-%m}"]):
                block.closed += 1
        if fact.status != Status.CLOSED and not fact.archived:
            figures.open_by_status[fact.status] = figures.open_by_status.get(fact.status, 0) + 1
            if fact.deadline is not None and fact.deadline < today:
                figures.overdue += 1
    for mapping in (figures.by_kind, figures.by_sector, figures.by_canton, figures.by_owner, figures.by_cell):
        for key in [key for key, block in mapping.items() if block.is_empty]:
            del mapping[key]
    return figures


def _status_move(target: str, *, last: bool = False) -> Subquery:
    """When the dossier (outer row) first (or last) moved to ``target``, from its journal."""
    moves = JournalEntry.objects.filter(
        object_type="dossier",
        object_id=OuterRef("pk"),
        action=Action.CHANGE,
        details__status__1=target,
    ).order_by("-id" if last else "id")
    return Subquery(moves.values("created_at")[:1])


FACT_FIELDS = (
    "owner_id",
    "control_kind",
    "sector",
    "canton",
    "status",
    "persons_checked",
    "created_at",
    "report_at",
    "sanction_at",
    "closed_at",
    "deadline",
    "wage_underpayment_chf",
    "working_time_violations",
    "penalty_chf",
    "fine_chf",
    "ban_years",
    "agreement_extended",
    "listed_publicly",
)

ARCHIVED_FIELDS = (
    "owner_id",
    "control_kind",
    "sector",
    "canton",
    "status",
    "persons_checked",
    "opened_at",
    "report_at",
    "sanction_at",
    "closed_at",
    "wage_underpayment_chf",
    "working_time_violation",
    "penalty_chf",
    "fine_chf",
    "ban_years",
    "agreement_extended",
    "listed_publicly",
)


@dataclass(frozen=True)
class Scope:
    """Whose cases count: live dossiers and the archived facts of destroyed ones.

    Built from the owner, never from what a person may see.
    """

    dossiers: QuerySet[Dossier]
    archived: QuerySet[ArchivedFacts]


def _narrow(queryset: QuerySet, filters: Filters) -> QuerySet:
    narrowed = queryset.order_by()
    if filters.sector:
        narrowed = narrowed.filter(sector=filters.sector)
    if filters.control_kind:
        narrowed = narrowed.filter(control_kind=filters.control_kind)
    if filters.canton:
        narrowed = narrowed.filter(canton=filters.canton)
    return narrowed


def _with_dates(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.annotate(
        report_at=_status_move(Status.REPORT_WRITTEN),
        sanction_at=_status_move(Status.SANCTION_DECIDED),
        closed_at=Coalesce(_status_move(Status.CLOSED, last=True), F("updated_at")),
    )


def _fact(row: tuple) -> Fact:
    *head, underpayment, working_time, penalty, fine, ban_years, extended, listed = row
    return Fact(*head, underpayment, bool(working_time.strip()), penalty, fine, ban_years, extended, listed)


def load_facts(dossiers: QuerySet[Dossier], filters: Filters) -> list[Fact]:
    """One query: the facts of ``dossiers`` that can count under ``filters``.

    ``dossiers`` is the scope (a body's own dossiers, or all); it decides whose cases are
    counted and must be built by the caller from the owner, never from what a person may see.
    """
    period = filters.period
    rows = (
        _with_dates(_narrow(dossiers, filters))
        .filter(
            Q(created_at__date__range=(period.start, period.end))
            | Q(status=Status.CLOSED, closed_at__date__range=(period.start, period.end))
            | ~Q(status=Status.CLOSED)
        )
        .values_list(*FACT_FIELDS)
    )
    return [_fact(row) for row in rows]


def load_archived_facts(archived: QuerySet[ArchivedFacts], filters: Filters) -> list[Fact]:
    """One query: the kept facts of destroyed dossiers that can count under ``filters``."""
    period = filters.period
    rows = (
        _narrow(archived, filters)
        .filter(
            Q(opened_at__date__range=(period.start, period.end))
            | Q(status=Status.CLOSED, closed_at__date__range=(period.start, period.end))
        )
        .values_list(*ARCHIVED_FIELDS)
    )
    return [Fact(*row[:10], None, *row[10:], archived=True) for row in rows]


def figures_for(scope: Scope, filters: Filters, *, today: date | None = None) -> Figures:
    """The figures of ``scope`` (a body's own, or all) under ``filters``."""
    facts = load_facts(scope.dossiers, filters) + load_archived_facts(scope.archived, filters)
    return compute(facts, filters, today=today or timezone.localdate())


def archive(dossiers: QuerySet[Dossier]) -> int:
    """Keep the anonymous facts of ``dossiers``, which are about to be destroyed.

    Called by :func:`portal.dossiers.retention.destroy` inside its transaction, before the
    delete, so the facts are kept if and only if the dossier goes. Journal dates are read
    now, while the dossier's journal entries can still be matched to it.
    """
    rows = _with_dates(dossiers.order_by()).values_list(*FACT_FIELDS)
    kept = []
    for row in rows:
        fact = _fact(row)
        kept.append(
            ArchivedFacts(
                owner_id=fact.owner_id,
                control_kind=fact.control_kind,
                sector=fact.sector,
                canton=fact.canton,
                status=fact.status,
                persons_checked=fact.persons,
                opened_at=fact.opened_at,
                report_at=fact.report_at,
                sanction_at=fact.sanction_at,
                closed_at=fact.closed_at,
                wage_underpayment_chf=fact.underpayment,
                working_time_violation=fact.working_time,
                penalty_chf=fact.penalty,
                fine_chf=fact.fine,
                ban_years=fact.ban_years,
                agreement_extended=fact.extended,
                listed_publicly=fact.listed,
            )
        )
    return len(ArchivedFacts.objects.bulk_create(kept))


def own_dossiers(organisation) -> Scope:
    """The scope of a body's figures: the dossiers it owns now (handed over to it included),
    and the kept facts of those it owned when they were destroyed."""
    return Scope(Dossier.objects.filter(owner=organisation), ArchivedFacts.objects.filter(owner=organisation))


def all_dossiers() -> Scope:
    """The scope of the national figures: every dossier, each once, under its current owner."""
    return Scope(Dossier.objects.all(), ArchivedFacts.objects.all())
