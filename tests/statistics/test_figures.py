"""Every figure equals a plain computation over the generated cases."""

from __future__ import annotations

import statistics
from datetime import UTC, date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.statistics.figures import Filters, Period, all_dossiers, figures_for, own_dossiers
from tests.statistics.generator import Case, generate
from tests.tenants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


@pytest.fixture
def bodies(db):
    return [
        OrganisationFactory(short_name="AMB GE", canton="GE"),
        OrganisationFactory(short_name="AMB ZH", canton="ZH"),
        OrganisationFactory(short_name="PK Bau", kind="joint_commission", canton="CH"),
    ]


@pytest.fixture
def cases(bodies):
    return generate(bodies)


def day(moment) -> date:
    return timezone.localdate(moment)


def elapsed_days(start, end) -> float:
    """Real time elapsed (across a change of summer time too: both moments in UTC)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 86400


def first_move(case: Case, status: str):
    return next((at for target, at in case.moves if target == status), None)


def expected(cases: list[Case], period: Period, *, sector=None, kind=None, canton=None, owner=None) -> dict:
    """The figures, computed the long way round from the cases as generated."""
    chosen = [
        c
        for c in cases
        if (sector is None or c.sector == sector)
        and (kind is None or c.kind == kind)
        and (canton is None or c.canton == canton)
        and (owner is None or c.owner_id == owner)
    ]
    controls = [c for c in chosen if period.start <= day(c.opened_at) <= period.end]
    closed = []
    for c in chosen:
        if c.status == "closed":
            last_closing = [at for target, at in c.moves if target == "closed"][-1]
            if period.start <= day(last_closing) <= period.end:
                closed.append(c)
    to_report, to_sanction = [], []
    for c in controls:
        report = first_move(c, "report_written")
        if report is not None:
            to_report.append(elapsed_days(c.opened_at, report))
            sanction = first_move(c, "sanction_decided")
            if sanction is not None:
                to_sanction.append(elapsed_days(report, sanction))
    return {
        "controls": len(controls),
        # each enterprise number once, each case without one as a company of its own
        "companies": len({c.uid for c in controls if c.uid}) + len([c for c in controls if not c.uid]),
        "closed": len(closed),
        "persons": sum(c.persons for c in controls),
        "undercutting": len([c for c in controls if c.underpayment and c.underpayment > 0]),
        "working_time": len([c for c in controls if c.working_time]),
        "penalties": len([c for c in controls if c.penalty and c.penalty > 0]),
        "penalties_chf": sum((c.penalty for c in controls if c.penalty), Decimal(0)),
        "fines": len([c for c in controls if c.fine]),
        "fines_chf": sum((c.fine for c in controls if c.fine), Decimal(0)),
        "bans": len([c for c in controls if c.ban_years]),
        "ban_years": sum(c.ban_years for c in controls if c.ban_years),
        "extended": len([c for c in controls if c.extended]),
        "listed": len([c for c in controls if c.listed]),
        "median_days_to_report": statistics.median(to_report) if to_report else None,
        "median_days_to_sanction": statistics.median(to_sanction) if to_sanction else None,
    }


def actual(block) -> dict:
    return None if block is None else block.as_dict()


def present(figures: dict) -> dict | None:
    return None if figures["controls"] == 0 and figures["closed"] == 0 else figures


PERIODS = [Period.year(2025), Period.year(2026), Period(date(2025, 3, 15), date(2026, 2, 14))]


@pytest.mark.parametrize("period", PERIODS, ids=["2025", "2026", "mid"])
def test_every_national_figure_and_breakdown_equals_the_plain_computation(cases, period):
    figures = figures_for(all_dossiers(), Filters(period=period), today=TODAY)
    assert figures.total.controls > 0
    assert actual(figures.total) == expected(cases, period)
    for kind in {c.kind for c in cases}:
        assert actual(figures.by_kind.get(kind)) == present(expected(cases, period, kind=kind))
    for sector in {c.sector for c in cases}:
        assert actual(figures.by_sector.get(sector)) == present(expected(cases, period, sector=sector))
    for canton in {c.canton for c in cases}:
        assert actual(figures.by_canton.get(canton)) == present(expected(cases, period, canton=canton))
    for owner in {c.owner_id for c in cases}:
        assert actual(figures.by_owner.get(owner)) == present(expected(cases, period, owner=owner))
    for kind, sector, canton in {(c.kind, c.sector, c.canton) for c in cases}:
        assert actual(figures.by_cell.get((kind, sector, canton))) == present(
            expected(cases, period, kind=kind, sector=sector, canton=canton)
        )


@pytest.mark.parametrize("period", PERIODS, ids=["2025", "2026", "mid"])
def test_every_month_of_the_period_has_its_controls_and_closings(cases, period):
    figures = figures_for(all_dossiers(), Filters(period=period), today=TODAY)
    opened, closed = {}, {}
    for c in cases:
        if period.start <= day(c.opened_at) <= period.end:
            month = f"{day(c.opened_at):%Y-%m}"
            opened[month] = opened.get(month, 0) + 1
        if c.status == "closed":
            last_closing = day([at for target, at in c.moves if target == "closed"][-1])
            if period.start <= last_closing <= period.end:
                closed[f"{last_closing:%Y-%m}"] = closed.get(f"{last_closing:%Y-%m}", 0) + 1
    assert list(figures.by_month) == sorted(figures.by_month) and len(figures.by_month) in (12, 11)
    assert {m: b.controls for m, b in figures.by_month.items() if b.controls} == opened
    assert {m: b.closed for m, b in figures.by_month.items() if b.closed} == closed


def test_open_cases_by_status_and_overdue_deadlines_are_todays(cases):
    figures = figures_for(all_dossiers(), Filters(period=Period.year(2025)), today=TODAY)
    open_cases = [c for c in cases if c.status != "closed"]
    by_status = {}
    for c in open_cases:
        by_status[c.status] = by_status.get(c.status, 0) + 1
    assert figures.open_by_status == by_status
    assert figures.open_cases == len(open_cases)
    assert figures.overdue == len([c for c in open_cases if c.deadline and c.deadline < TODAY]) > 0


def test_filters_for_sector_kind_and_canton_narrow_every_figure(cases):
    period = Period.year(2025)
    figures = figures_for(
        all_dossiers(),
        Filters(period=period, sector="Gastgewerbe", control_kind="posted_workers", canton="GE"),
        today=TODAY,
    )
    assert actual(figures.total) == expected(
        cases, period, sector="Gastgewerbe", kind="posted_workers", canton="GE"
    )
    assert set(figures.by_kind) <= {"posted_workers"} and set(figures.by_canton) <= {"GE"}
    chosen = [
        c
        for c in cases
        if c.status != "closed" and (c.sector, c.kind, c.canton) == ("Gastgewerbe", "posted_workers", "GE")
    ]
    assert figures.open_cases == len(chosen)


def test_a_body_counts_its_own_cases_only_and_handed_over_cases_once_for_the_new_owner(bodies, cases):
    period = Period(date(2025, 1, 1), date(2026, 12, 31))
    handed = [c for c in cases if c.handed_over_from is not None]
    assert handed, "the generator hands some cases over"
    national = figures_for(all_dossiers(), Filters(period=period), today=TODAY)
    per_body = [figures_for(own_dossiers(body), Filters(period=period), today=TODAY) for body in bodies]
    for body, figures in zip(bodies, per_body, strict=True):
        assert actual(figures.total) == expected(cases, period, owner=body.pk)
        assert set(figures.by_owner) <= {body.pk}
    assert sum(f.total.controls for f in per_body) == national.total.controls == len(cases)
    assert sum(f.open_cases for f in per_body) == national.open_cases
    for case in handed:
        former = next(f for b, f in zip(bodies, per_body, strict=True) if b.pk == case.handed_over_from)
        assert case.owner_id not in former.by_owner


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    odd = Period(date(2026, 3, 4), date(2026, 5, 31))
    assert odd.previous() == Period(date(2025, 12, 5), date(2026, 3, 3))
    assert odd.previous().days == odd.days == 89


def test_whole_months_are_compared_with_as_many_whole_months_before():
    assert Period.year(2025).previous() == Period.year(2024)  # 2024 has a day more: still the year
    assert Period(date(2026, 3, 1), date(2026, 5, 31)).previous() == Period(
        date(2025, 12, 1), date(2026, 2, 28)
    )
    assert Period(date(2026, 1, 1), date(2026, 1, 31)).previous() == Period(
        date(2025, 12, 1), date(2025, 12, 31)
    )


def test_the_figures_take_the_same_number_of_queries_for_1_and_50_dossiers(bodies):
    from tests.statistics.generator import generate as make

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            figures_for(all_dossiers(), Filters(period=Period(date(2025, 1, 1), date(2026, 12, 31))))
        return len(captured)

    make(bodies, count=1, seed=1)
    one = count()
    make(bodies, count=49, seed=2)
    assert count() == one == 3  # sums, medians, today's open cases (in a transaction: all in sequence)


def test_dates_come_from_the_status_changes_the_workflow_journals(worker_a, organisation_a):
    from unittest import mock

    from portal.dossiers.actions import change_status, create_dossier
    from portal.dossiers.models import Dossier
    from tests.statistics.generator import _at

    dossier = create_dossier(
        owner=organisation_a,
        acting_user=worker_a,
        company_name="Echt AG",
        canton="GE",
        control_kind="self_employed",
    )
    Dossier.objects.filter(pk=dossier.pk).update(created_at=_at(date(2025, 2, 3)))
    for days, status in ((4, "under_control"), (10, "report_written"), (12, "transferred_for_sanction")):
        # only the journal's clock is moved back: memberships and access are checked today
        with mock.patch("portal.journal.actions.timezone") as clock:
            clock.now.return_value = _at(date(2025, 2, 3 + days))
            dossier = change_status(dossier=dossier, target=status, acting_user=worker_a)
    figures = figures_for(own_dossiers(organisation_a), Filters(period=Period.year(2025)), today=TODAY)
    assert figures.total.controls == 1 and figures.total.median_days_to_report == 10.0
    assert figures.total.median_days_to_sanction is None
    assert figures.open_by_status == {"transferred_for_sanction": 1}


def test_a_dossier_closed_without_the_workflow_counts_as_closed_on_its_last_change(organisation_a):
    from portal.statistics.facts import refresh
    from tests.dossiers.factories import DossierFactory

    dossier = DossierFactory(
        owner=organisation_a, status="closed", created_at=timezone.now() - timezone.timedelta(days=800)
    )
    refresh([dossier.pk])  # written directly, as bulk writers do, not through the actions
    today = timezone.localdate()
    figures = figures_for(own_dossiers(organisation_a), Filters(period=Period(today, today)), today=today)
    assert figures.total.closed == 1 and figures.total.controls == 0 and figures.open_cases == 0


def test_the_report_split_and_public_listing_entered_in_the_dossier_form_are_counted(
    signed_in, worker_a, organisation_a
):
    """The two fields the report structure asks for are on the dossier form and reach the figures."""
    from django.urls import reverse

    from portal.dossiers.models import Dossier

    client = signed_in(worker_a)
    base = {"company_country": "CH", "canton": "GE", "control_kind": "posted_workers", "persons_checked": "2"}
    form = client.get(reverse("dossiers:create")).content.decode()
    assert 'name="agreement_extended"' in form and 'name="listed_publicly"' in form
    for name, extra in (
        ("Eins AG", {"agreement_extended": "on", "listed_publicly": "on", "fine_chf": "800"}),
        ("Zwei AG", {"agreement_extended": "on"}),
        ("Drei AG", {}),
    ):
        assert (
            client.post(reverse("dossiers:create"), {**base, "company_name": name, **extra}).status_code
            == 302
        )
    assert list(
        Dossier.objects.order_by("company_name").values_list("agreement_extended", "listed_publicly")
    ) == [
        (False, False),
        (True, True),
        (True, False),
    ]
    figures = signed_in(worker_a).get(reverse("statistics:dashboard")).context["total"]
    assert (figures["controls"], figures["extended"], figures["listed"]) == (3, 2, 1)


@pytest.mark.parametrize("period", PERIODS, ids=["2025", "2026", "mid"])
def test_the_total_alone_for_the_previous_period_equals_the_full_computation(cases, period):
    total = figures_for(all_dossiers(), Filters(period=period), today=TODAY, breakdowns=False).total
    assert actual(total) == expected(cases, period)
