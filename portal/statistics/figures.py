"""The figures of control activity, and the rules that count them.

Each live dossier has a row of facts (``DossierFacts``, kept current by ``facts.py`` in
the writing transaction) and each destroyed one its kept facts (``ArchivedFacts``); one
query lets PostgreSQL sum both over the period in every breakdown at once (``GROUPING
SETS``), another takes the medians by ``percentile_disc``, a last counts
today's open cases (:func:`figures_for`). The figures are tested against an independent computation; the
number of queries, and the number of rows read back, do not depend on the number of
dossiers.

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
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from portal.dossiers.models import Dossier
from portal.statistics.facts import refresh
from portal.statistics.models import ArchivedFacts, DossierFacts
from portal.statistics.overlap import begin, may_overlap

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


@dataclass
class Block:
    """The figures of one group of dossiers (all of them, a kind, a sector, a canton, a body)."""

    controls: int = 0
    # Companies controlled: each enterprise number once (by its pseudonym), each control
    # without one as a company of its own. Distinct, so the rows of a table need not add up.
    companies: int = 0
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
    # Days from opening to report (and report to sanction) of each control that has them;
    # or, as PostgreSQL gives them, only their number and median.
    days_to_report: list[float] = field(default_factory=list)
    days_to_sanction: list[float] = field(default_factory=list)
    reports: int = 0
    report_median: float | None = None
    sanctions: int = 0
    sanction_median: float | None = None

    FIGURES = (
        "controls",
        "companies",
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
        return statistics.median(self.days_to_report) if self.days_to_report else self.report_median

    @property
    def median_days_to_sanction(self) -> float | None:
        return statistics.median(self.days_to_sanction) if self.days_to_sanction else self.sanction_median

    @property
    def report_count(self) -> int:
        """Over how many controls the median days to report are taken."""
        return len(self.days_to_report) or self.reports

    @property
    def sanction_count(self) -> int:
        return len(self.days_to_sanction) or self.sanctions

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


@dataclass(frozen=True)
class Scope:
    """Whose cases count: live dossiers and the archived facts of destroyed ones.

    Built from the owner, never from what a person may see: ``owner_id`` is the body whose
    figures these are, ``None`` for the national figures over every body.
    """

    dossiers: QuerySet[Dossier]
    archived: QuerySet[ArchivedFacts]
    owner_id: int | None = None


def own_dossiers(organisation) -> Scope:
    """The scope of a body's figures: the dossiers it owns now (handed over to it included),
    and the kept facts of those it owned when they were destroyed."""
    return Scope(
        Dossier.objects.filter(owner=organisation),
        ArchivedFacts.objects.filter(owner=organisation),
        owner_id=organisation.pk,
    )


def all_dossiers() -> Scope:
    """The scope of the national figures: every dossier, each once, under its current owner."""
    return Scope(Dossier.objects.all(), ArchivedFacts.objects.all())


# The sums the monthly counts keep, in the order the aggregation reads them.
_SUMS_COLUMNS = (
    "controls, closed, persons, undercutting, working_time, penalties, penalties_chf, fines, fines_chf, "
    "bans, ban_years, extended, listed"
)

# What one facts row adds when it was opened on a day the period cuts out of a month.
_OPENED_FACT = """control_kind, sector, canton, owner_id, date_trunc('month', opened_on)::date AS opened_month,
    NULL::date AS closed_month, 1 AS controls, 0 AS closed, persons_checked AS persons,
    coalesce((wage_underpayment_chf > 0)::int, 0) AS undercutting, working_time_violation::int AS working_time,
    coalesce((penalty_chf > 0)::int, 0) AS penalties, CASE WHEN penalty_chf > 0 THEN penalty_chf ELSE 0 END AS penalties_chf,
    coalesce((fine_chf > 0)::int, 0) AS fines, CASE WHEN fine_chf > 0 THEN fine_chf ELSE 0 END AS fines_chf,
    (ban_years IS NOT NULL)::int AS bans, coalesce(ban_years, 0) AS ban_years,
    agreement_extended::int AS extended, listed_publicly::int AS listed"""
# ... and when it was closed on such a day.
_CLOSED_FACT = """control_kind, sector, canton, owner_id, NULL::date, date_trunc('month', closed_on)::date,
    0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0"""
_EDGE = "BETWEEN %(edge1_start)s AND %(edge1_end)s OR {column} BETWEEN %(edge2_start)s AND %(edge2_end)s"

# The period's sums, one row per body, kind, sector, canton, month of opening and month of
# closing: the whole months of the period from the monthly counts (kept by triggers, see
# ``models.MonthlyCounts``), the days of a month cut by the period (at most two stretches)
# from the facts rows of the live and destroyed dossiers. A few thousand rows, whatever the
# number of dossiers.
_PERIOD = f"""
    SELECT control_kind, sector, canton, owner_id, month AS opened_month, month AS closed_month, {_SUMS_COLUMNS}
    FROM statistics_monthlycounts
    WHERE {{where}} AND month BETWEEN %(months_start)s AND %(months_end)s
    UNION ALL
    SELECT {_OPENED_FACT} FROM statistics_dossierfacts
    WHERE {{where}} AND (opened_on {_EDGE.replace("{column}", "opened_on")})
    UNION ALL
    SELECT {_OPENED_FACT} FROM statistics_archivedfacts
    WHERE {{where}} AND (opened_on {_EDGE.replace("{column}", "opened_on")})
    UNION ALL
    SELECT {_CLOSED_FACT} FROM statistics_dossierfacts
    WHERE {{where}} AND (closed_on {_EDGE.replace("{column}", "closed_on")})
    UNION ALL
    SELECT {_CLOSED_FACT} FROM statistics_archivedfacts
    WHERE {{where}} AND (closed_on {_EDGE.replace("{column}", "closed_on")})
"""  # noqa: S608 (constant fragments; every value is a parameter)

# The breakdowns, as grouping sets, and the bits GROUPING(control_kind, sector, canton,
# owner_id, opened_month, closed_month) sets for each (a bit for each column *not* grouped
# by). Months are two breakdowns: controls by the month they were opened in, closings by
# the month of the closing.
_BREAKDOWN_SETS = {
    "by_kind": "(control_kind)",
    "by_sector": "(sector)",
    "by_canton": "(canton)",
    "by_owner": "(owner_id)",
    "by_cell": "(control_kind, sector, canton)",
    "by_month": "(opened_month)",
}
BREAKDOWNS = tuple(_BREAKDOWN_SETS)
_BREAKDOWNS = ", ".join(["()", *_BREAKDOWN_SETS.values()])
_SETS = {
    63: "total",
    31: "by_kind",
    47: "by_sector",
    55: "by_canton",
    59: "by_owner",
    7: "by_cell",
    61: "by_month",  # opened_month
    62: "closed_by_month",
}
_KEYS = "control_kind, sector, canton, owner_id, opened_month, closed_month"
# Counts come back as integers, the CHF sums as decimals.
_SUMMED = ", ".join(
    f"sum({column})" if column.endswith("_chf") else f"sum({column})::bigint"
    for column in _SUMS_COLUMNS.split(", ")
)

# The period's rows added up in every breakdown at once (or, for the previous period's
# total, in one group): PostgreSQL hashes the few thousand rows into each breakdown in one
# pass, no sort.
_SUMS = f"""
SELECT {{grouping}}, {_SUMMED}
FROM ({_PERIOD}) AS period
GROUP BY {{sets}}
"""  # noqa: S608 (constant fragments; every value is a parameter)

# What cannot come from the monthly sums, over the period's controls: the medians as
# statistics.median takes them (the middle value, or the mean of the two middle ones;
# percentile_disc at 0.5 gives the lower middle, just above 0.5 the upper one, the same value
# when the count is odd, both from one sort; controls without a report have no time to report,
# and ordered-set aggregates skip it) and the companies (distinct pseudonyms, plus the controls
# without an enterprise number, each a company). Only the columns a breakdown needs are read,
# and only the breakdowns asked for are grouped (each is a sort).
_TIMED = """
    SELECT control_kind, sector, canton, owner_id, date_trunc('month', opened_on) AS opened_month,
        report_at - opened_at AS to_report,
        CASE WHEN sanction_at >= report_at THEN sanction_at - report_at END AS to_sanction,
        company_key
    FROM {table}
    WHERE {where} AND opened_on BETWEEN %(start)s AND %(end)s
"""
_MEDIANS = f"""
WITH timed AS (
    {_TIMED.replace("{table}", "statistics_dossierfacts")}
    UNION ALL
    {_TIMED.replace("{table}", "statistics_archivedfacts")}
)
SELECT {{grouping}},
    count(DISTINCT company_key) + count(*) FILTER (WHERE company_key IS NULL),
    count(to_report),
    percentile_disc(ARRAY[0.5, 0.5000000001]) WITHIN GROUP (ORDER BY to_report),
    count(to_sanction),
    percentile_disc(ARRAY[0.5, 0.5000000001]) WITHIN GROUP (ORDER BY to_sanction) FILTER (WHERE to_sanction IS NOT NULL)
FROM timed
GROUP BY {{sets}}
"""  # noqa: S608 (constant fragments; every value is a parameter)

_CELLS = f"""
SELECT control_kind, sector, canton, {_SUMMED}
FROM ({_PERIOD}) AS period
GROUP BY control_kind, sector, canton
"""  # noqa: S608 (constant fragments; every value is a parameter)

# For the medians statement alone (``SET LOCAL``: a message of several statements is one
# transaction with Django's client-side parameter binding): memory for its sorts (one per
# breakdown, then one per group and median) to stay out of temporary files, and no parallel
# workers, which on two cores cost more than they bring here. At 100,000 dossiers, 1 January
# to today: 165 ms before, 136 ms with these (min of 3, load 3).
_MEDIANS_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0; "

_OPEN = """
SELECT status, count(*), count(*) FILTER (WHERE deadline < %(today)s)
FROM statistics_dossierfacts WHERE {where} AND status <> 'closed'
GROUP BY status
"""


def _sql(
    template: str, where: str, *, breakdowns: bool, medians: tuple[str, ...] | None = None, total: bool = True
) -> str:
    if not breakdowns:  # the total alone: one group
        grouping, sets = "63, NULL, NULL, NULL, NULL, NULL, NULL", "()"
    elif medians is not None:  # the breakdowns asked for; the same bits as the sums' sets
        chosen = [_BREAKDOWN_SETS[name] for name in medians]
        keys = ("control_kind", "sector", "canton", "owner_id", "opened_month")
        # A key no set groups by may not be named at all: its bit is 1, its value NULL.
        grouped = [key if any(key in names for names in chosen) else None for key in keys]
        bits = " + ".join(
            f"GROUPING({key}) * {2 ** (5 - place)}" if key else str(2 ** (5 - place))
            for place, key in enumerate(grouped)
        )
        values = ", ".join(key or "NULL" for key in grouped)
        grouping, sets = (
            f"{bits} + 1, {values}, NULL",
            f"GROUPING SETS ({', '.join(['()'] * total + chosen)})",
        )
    else:
        grouping, sets = f"GROUPING({_KEYS}), {_KEYS}", f"GROUPING SETS ({_BREAKDOWNS}, (closed_month))"
    return template.replace("{where}", where).replace("{grouping}", grouping).replace("{sets}", sets)


def _months(period: Period) -> dict:
    """The period as whole months (read from the monthly counts) and at most two stretches
    of days cut out of a month (read from the facts rows); an empty stretch ends before it starts."""
    first = (
        period.start
        if period.start.day == 1
        else (period.start.replace(day=28) + timedelta(days=4)).replace(day=1)
    )
    after = period.end + timedelta(days=1)
    last = (
        period.end if after.day == 1 else period.end.replace(day=1) - timedelta(days=1)
    )  # last day of a whole month
    empty = (date(2, 1, 1), date(1, 1, 1))
    if first > last:  # no whole month: the period's days from the facts
        return {
            "months_start": empty[0], "months_end": empty[1],
            "edge1_start": period.start, "edge1_end": period.end,
            "edge2_start": empty[0], "edge2_end": empty[1],
        }  # fmt: skip
    return {
        "months_start": first,
        "months_end": last.replace(day=1),
        "edge1_start": period.start if period.start < first else empty[0],
        "edge1_end": first - timedelta(days=1) if period.start < first else empty[1],
        "edge2_start": last + timedelta(days=1) if last < period.end else empty[0],
        "edge2_end": period.end if last < period.end else empty[1],
    }


def _where(scope: Scope, filters: Filters) -> tuple[str, dict]:
    conditions, params = ["TRUE"], {}
    for column, value in (
        ("owner_id", scope.owner_id),
        ("sector", filters.sector),
        ("control_kind", filters.control_kind),
        ("canton", filters.canton),
    ):
        if value:
            conditions.append(f"{column} = %({column})s")
            params[column] = value
    return " AND ".join(conditions), params


def _median(middles: list[timedelta] | None) -> float | None:
    if not middles:
        return None
    low, high = (middle.total_seconds() / 86400 for middle in middles)
    return (low + high) / 2


def _block(values: tuple) -> Block:
    (controls, closed, persons, undercutting, working_time, penalties, penalties_chf, fines, fines_chf, bans,
     ban_years, extended, listed) = values  # fmt: skip
    return Block(
        controls=controls,
        closed=closed,
        persons=persons,
        undercutting=undercutting,
        working_time=working_time,
        penalties=penalties,
        penalties_chf=penalties_chf if penalties_chf is not None else ZERO,
        fines=fines,
        fines_chf=fines_chf if fines_chf is not None else ZERO,
        bans=bans,
        ban_years=ban_years,
        extended=extended,
        listed=listed,
    )


def _target(
    figures: Figures, grouping: int, kind, sector, canton, owner_id, month
) -> tuple[dict | None, object]:
    """Where a grouped row belongs: (the breakdown's mapping, key), or (None, None) for the total."""
    name = _SETS[grouping]
    if name == "total":
        return None, None
    if name == "closed_by_month":
        name = "by_month"
    key = {
        "by_kind": kind,
        "by_sector": sector,
        "by_canton": canton,
        "by_owner": owner_id,
        "by_cell": (kind, sector, canton),
        "by_month": month,
    }[name]
    return getattr(figures, name), key


def figures_for(
    scope: Scope,
    filters: Filters,
    *,
    today: date | None = None,
    breakdowns: bool = True,
    medians: tuple[str, ...] = BREAKDOWNS,
) -> Figures:
    """The figures of ``scope`` (a body's own, or all) under ``filters``: three queries (four
    when the medians' halves run on other connections).

    PostgreSQL sums the period in every breakdown at once (the whole months from the monthly
    counts, the days of cut months from the facts rows), takes the medians and counts the
    companies in a second query (the total's and those of the breakdowns named in
    ``medians``; the others' stay ``None`` and 0), and a third counts today's open cases.
    Without ``breakdowns`` only the total is computed (two queries), as the comparison with
    the previous period needs. The medians' halves, the costliest, run on other connections
    meanwhile when they may (:mod:`portal.statistics.overlap`).
    """
    today = today or timezone.localdate()
    period = filters.period
    figures = Figures(filters=filters, today=today)
    if breakdowns:
        figures.by_month = {month: Block() for month in period.months()}
    where, params = _where(scope, filters)
    params |= {"start": period.start, "end": period.end, "today": today, **_months(period)}
    # The costliest statement begins first: in two halves on other connections when they may
    # run there (overlap.py), else whole, on this one.
    begun = [
        begin(_rows, _MEDIANS_SETTINGS + sql, params)
        for sql in _medians_sql(where, breakdowns, medians, halves=may_overlap())
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql(_SUMS, where, breakdowns=breakdowns), params)
        for grouping, kind, sector, canton, owner_id, opened, closed, *values in cursor.fetchall():
            month = f"{opened or closed:%Y-%m}" if (opened or closed) else None
            if values[0] is None or (grouping in (61, 62) and month is None):
                continue  # no facts at all (an empty total), or the month of what did not happen
            mapping, key = _target(figures, grouping, kind, sector, canton, owner_id, month)
            block = _block(values)
            if mapping is None:
                figures.total = block
            elif grouping == 62:
                mapping[key].closed = block.closed
            elif grouping == 61:
                block.closed = mapping[key].closed
                mapping[key] = block
            elif not block.is_empty:  # facts of the scope closed or opened outside the period
                mapping[key] = block
        if breakdowns:
            cursor.execute(_OPEN.replace("{where}", where), params)
            for status, count, overdue in cursor.fetchall():
                figures.open_by_status[status] = count
                figures.overdue += overdue
        for (
            grouping,
            kind,
            sector,
            canton,
            owner_id,
            month,
            _closed,
            companies,
            reports,
            to_report,
            sanctions,
            to_sanction,
        ) in (row for rows in begun for row in rows.result()):
            month = f"{month:%Y-%m}" if month else None
            mapping, key = _target(figures, grouping, kind, sector, canton, owner_id, month)
            block = figures.total if mapping is None else mapping[key]
            block.companies = companies
            block.reports, block.report_median = reports, _median(to_report)
            block.sanctions, block.sanction_median = sanctions, _median(to_sanction)
    return figures


def _medians_sql(where: str, breakdowns: bool, medians: tuple[str, ...], *, halves: bool) -> list[str]:
    """The medians' query, with ``halves`` in two halves of the breakdowns asked for (the
    total with the first): each half sorts the period's controls once per breakdown, so two
    connections can share the work (a national page: 113 ms in one, 65 and 59 ms in two;
    in sequence the halves would only add a second scan)."""
    if not breakdowns:
        return [_sql(_MEDIANS, where, breakdowns=False)]
    if not halves:
        return [_sql(_MEDIANS, where, breakdowns=True, medians=medians)]
    middle = (len(medians) + 1) // 2
    return [
        _sql(_MEDIANS, where, breakdowns=True, medians=part, total=first)
        for first, part in ((True, medians[:middle]), (False, medians[middle:]))
        if first or part
    ]


def _rows(sql: str, params: dict) -> list[tuple]:
    """The rows of the last statement of ``sql`` (the ones before it set options)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while cursor.description is None and cursor.nextset():
            pass  # past the settings' results to the statement's rows
        return cursor.fetchall()


def cells_for(scope: Scope, period: Period) -> dict[tuple[str, str, str], Block]:
    """The period's sums by (kind, sector, canton) over the whole of ``scope``, whatever the
    filters: what :mod:`portal.statistics.disclosure` protects for a filtered national page.
    One query over the monthly counts and the cut days' facts rows."""
    where, params = _where(scope, Filters(period=period))
    params |= {"start": period.start, "end": period.end, **_months(period)}
    with connection.cursor() as cursor:
        cursor.execute(_CELLS.replace("{where}", where), params)
        cells = {
            (kind, sector, canton): _block(values) for kind, sector, canton, *values in cursor.fetchall()
        }
    return {address: block for address, block in cells.items() if not block.is_empty}


def archive(dossiers: QuerySet[Dossier]) -> int:
    """Keep the anonymous facts of ``dossiers``, which are about to be destroyed.

    Called by :func:`portal.dossiers.retention.destroy` inside its transaction, before the
    delete, so the facts are kept if and only if the dossier goes. The facts are written
    again from the journal first, while its entries can still be matched to the dossier.
    """
    ids = list(dossiers.order_by().values_list("pk", flat=True))
    refresh(ids)
    kept = [
        ArchivedFacts(
            owner_id=facts.owner_id,
            control_kind=facts.control_kind,
            sector=facts.sector,
            canton=facts.canton,
            status=facts.status,
            persons_checked=facts.persons_checked,
            opened_at=facts.opened_at,
            opened_on=facts.opened_on,
            report_at=facts.report_at,
            sanction_at=facts.sanction_at,
            closed_at=facts.closed_at,
            closed_on=facts.closed_on,
            wage_underpayment_chf=facts.wage_underpayment_chf,
            working_time_violation=facts.working_time_violation,
            penalty_chf=facts.penalty_chf,
            fine_chf=facts.fine_chf,
            ban_years=facts.ban_years,
            agreement_extended=facts.agreement_extended,
            listed_publicly=facts.listed_publicly,
            company_key=facts.company_key,
        )
        for facts in DossierFacts.objects.filter(dossier_id__in=ids)
    ]
    return len(ArchivedFacts.objects.bulk_create(kept))
