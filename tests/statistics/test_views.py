"""The dashboard and the national view as people use them: who sees what, and what never shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.statistics.figures import Period
from tenants.roles import Role
from tests.statistics.generator import Case, _at, generate, write_case
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def secretariat(db):
    return OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")


@pytest.fixture
def umbrella(db):
    return OrganisationFactory(short_name="VSAA", kind="umbrella_association", canton="CH")


@pytest.fixture
def cases(organisation_a, organisation_b):
    return generate([organisation_a, organisation_b], count=60)


def opened_in(cases, period: Period, owner=None):
    return [
        c
        for c in cases
        if period.start <= c.opened_at.date() <= period.end and (owner is None or c.owner_id == owner.pk)
    ]


def test_a_case_worker_sees_the_figures_of_her_own_body_only(signed_in, worker_a, organisation_a, cases):
    response = signed_in(worker_a).get(reverse("statistics:dashboard"), YEAR_2025)
    assert response.status_code == 200
    own = opened_in(cases, Period.year(2025), owner=organisation_a)
    assert response.context["total"]["controls"] == len(own) > 0
    assert response.context["total"]["persons"] == sum(c.persons for c in own)
    page = response.content.decode()
    assert f'href="{reverse("statistics:dashboard")}"' in page  # the header link
    for case in cases:
        assert case.company not in page and case.reference not in page


def test_the_dashboard_compares_with_the_previous_period_of_the_same_length(
    signed_in, admin_a, organisation_a, cases
):
    response = signed_in(admin_a).get(
        reverse("statistics:dashboard"), {"start": "2026-01-01", "end": "2026-06-30"}
    )
    before = Period(date(2026, 1, 1), date(2026, 6, 30)).previous()
    assert response.context["previous_period"] == before == Period(date(2025, 7, 1), date(2025, 12, 31))
    summary = {key: (value, earlier) for key, _label, value, earlier in response.context["summary"]}
    assert summary["controls"][1] == len(opened_in(cases, before, owner=organisation_a))


def test_the_sector_and_kind_filters_narrow_the_dashboard(signed_in, worker_a, organisation_a, cases):
    response = signed_in(worker_a).get(
        reverse("statistics:dashboard"),
        {**YEAR_2025, "sector": "Gastgewerbe", "control_kind": "self_employed"},
    )
    wanted = [
        c
        for c in opened_in(cases, Period.year(2025), owner=organisation_a)
        if c.sector == "Gastgewerbe" and c.kind == "self_employed"
    ]
    assert response.context["total"]["controls"] == len(wanted)
    assert [key for _label, key, _row in response.context["by_kind"]] in ([], ["self_employed"])


def test_an_inverted_period_is_refused_with_a_message_and_the_default_shown(signed_in, worker_a):
    response = signed_in(worker_a).get(
        reverse("statistics:dashboard"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "Der Zeitraum muss beginnen, bevor er endet." in response.content.decode()
    assert response.context["filters"].period.start.month == 1


@pytest.mark.parametrize("role", [Role.READER, Role.INSPECTOR])
def test_a_member_without_the_statistics_right_is_refused(signed_in, organisation_a, role):
    user = member(organisation_a, role)
    client = signed_in(user)
    assert client.get(reverse("statistics:dashboard")).status_code == 403
    assert f'href="{reverse("statistics:dashboard")}"' not in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("statistics:dashboard"), reverse("statistics:national")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_cantonal_case_worker_may_not_open_the_national_view(signed_in, worker_a, organisation_b):
    client = signed_in(worker_a)
    assert client.get(reverse("statistics:national")).status_code == 403
    assert client.get(reverse("statistics:national-body", args=[organisation_b.pk])).status_code == 403


@pytest.mark.parametrize("kind", ["secretariat", "umbrella"])
def test_the_secretariat_and_the_umbrella_association_see_every_body_with_figures_only(
    request, signed_in, kind, cases, organisation_a, organisation_b
):
    organisation = request.getfixturevalue(kind)
    client = signed_in(member(organisation, Role.CASE_WORKER))
    response = client.get(reverse("statistics:national"), YEAR_2025)
    assert response.status_code == 200
    assert response.context["total"]["controls"] == len(opened_in(cases, Period.year(2025)))
    page = response.content.decode()
    for case in cases:
        assert case.company not in page and case.reference not in page
    assert {label for label, _key, _row in response.context["by_body"]} == {"AMB GE", "PK Bau"}
    drill = client.get(reverse("statistics:national-body", args=[organisation_b.pk]), YEAR_2025)
    assert drill.context["total"]["controls"] == len(
        opened_in(cases, Period.year(2025), owner=organisation_b)
    )
    drill_page = drill.content.decode()
    for case in cases:
        assert case.company not in drill_page and case.reference not in drill_page


def test_a_reader_of_the_secretariat_is_refused_the_national_view(signed_in, secretariat):
    assert signed_in(member(secretariat, Role.READER)).get(reverse("statistics:national")).status_code == 403


def test_the_national_view_shows_one_or_two_cases_as_less_than_three(signed_in, secretariat, organisation_a):
    """Two fines in Ticino: the count, the sum and every figure of that row are suppressed."""
    for fine in (Decimal("1234.00"), Decimal("4321.00")):
        write_case(
            Case(
                owner_id=organisation_a.pk,
                kind="posted_workers",
                sector="Gipser",
                canton="TI",
                persons=7,
                opened_at=_at(date(2025, 4, 1)),
                underpayment=None,
                working_time="",
                penalty=None,
                fine=fine,
                ban_years=None,
                deadline=None,
            ),
            organisation_a,
        )
    for _ in range(3):
        write_case(
            Case(
                owner_id=organisation_a.pk,
                kind="swiss_employer",
                sector="Reinigung",
                canton="GE",
                persons=2,
                opened_at=_at(date(2025, 5, 1)),
                underpayment=Decimal(500),
                working_time="",
                penalty=None,
                fine=None,
                ban_years=None,
                deadline=None,
            ),
            organisation_a,
        )
    response = signed_in(member(secretariat, Role.ADMINISTRATOR)).get(
        reverse("statistics:national"), YEAR_2025
    )
    by_canton = {key: row for _label, key, row in response.context["by_canton"]}
    ticino = dict(by_canton["TI"])
    assert ticino.pop("closed") == 0  # closings are counted apart: none in Ticino points at nobody
    assert set(ticino.values()) == {"< 3"}
    # Geneva's 3 would give Ticino's 2 away from the total of 5: hidden too (secondary suppression)
    assert response.context["total"]["controls"] == 5
    assert by_canton["GE"]["controls"] == "x" and by_canton["GE"]["persons"] == "x"
    # a share beside a hidden count would give it back (share x controls): hidden with it
    assert by_canton["GE"]["undercutting_share"] == "x"
    assert response.context["total"]["fines"] == "< 3" and response.context["total"]["fines_chf"] == "< 3"
    page = response.content.decode()
    assert "1234" not in page and "4321" not in page and "1,234" not in page and "5,555" not in page
    assert "&lt; 3" in page
    # the body itself sees its own figures unsuppressed
    own = signed_in(member(organisation_a, Role.CASE_WORKER)).get(reverse("statistics:dashboard"), YEAR_2025)
    assert own.context["total"]["fines"] == 2 and own.context["total"]["fines_chf"] == Decimal("5555.00")


def queries(client, url, params) -> int:
    client.get(url, params)  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_the_pages_take_the_same_number_of_queries_for_1_and_50_dossiers(
    signed_in, worker_a, secretariat, organisation_a, organisation_b
):
    national = signed_in(member(secretariat, Role.CASE_WORKER))
    write_case(
        Case(
            organisation_a.pk,
            "posted_workers",
            "Reinigung",
            "GE",
            4,
            _at(date(2025, 3, 3)),
            None,
            "",
            None,
            None,
            None,
            None,
        ),
        organisation_a,
    )
    one = (
        queries(national, reverse("statistics:national"), YEAR_2025),
        queries(signed_in(worker_a), reverse("statistics:dashboard"), YEAR_2025),
    )
    generate([organisation_a, organisation_b], count=49, seed=4)
    national = signed_in(member(secretariat, Role.ADMINISTRATOR))
    fifty = (
        queries(national, reverse("statistics:national"), YEAR_2025),
        queries(signed_in(worker_a), reverse("statistics:dashboard"), YEAR_2025),
    )
    assert fifty == one


def _marks(response, table: str) -> dict:
    return {key: values for _label, key, values in response.context[table]}


def test_every_filter_of_the_national_view_shows_a_cell_as_the_unfiltered_view_and_the_report_do(
    signed_in, secretariat, organisation_a, organisation_b
):
    # Enough cases for some cells to be shown and some to be small: each selection's total
    # is a row of the coarser page, and must be shown, "< 3" or "x" exactly as there.
    generate([organisation_a, organisation_b], count=160)
    client = signed_in(member(secretariat, Role.CASE_WORKER))
    national = client.get(reverse("statistics:national"), YEAR_2025)
    compared, suppressed, kinds = 0, 0, _marks(national, "by_kind")
    for table, field in (("by_sector", "sector"), ("by_kind", "control_kind"), ("by_canton", "canton")):
        for key, values in _marks(national, table).items():
            if not key:  # "no sector given" has no filter of its own
                continue
            filtered = client.get(reverse("statistics:national"), {**YEAR_2025, field: key})
            assert filtered.status_code == 200
            for column in ("controls", "persons", "undercutting", "penalties_chf", "closed"):
                assert filtered.context["total"][column] == values[column], (table, key, column)
                compared += 1
                suppressed += values[column] in ("< 3", "x")
            if field == "sector" and compared <= 20:  # the kinds within the first sectors: the same
                # cells as filtering by kind and sector
                for kind, inner in _marks(filtered, "by_kind").items():
                    both = client.get(
                        reverse("statistics:national"), {**YEAR_2025, "sector": key, "control_kind": kind}
                    )
                    assert both.context["total"]["controls"] == inner["controls"]
                    assert kind in kinds
    assert compared > suppressed > 0  # the filters were tried on shown and on suppressed figures
    assert isinstance(national.context["total"]["controls"], int)  # the grand total stays shown
    # The yearly report's kind totals are the view's kind rows.
    report = client.get(reverse("statistics:national-report", args=[2025]))
    for section in report.context["report"]:
        if section.kind in kinds:
            assert section.total["controls"] == kinds[section.kind]["controls"]
