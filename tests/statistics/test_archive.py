"""Destroyed dossiers leave their anonymous facts behind: past years do not change."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.dossiers.models import Dossier
from portal.dossiers.retention import destroy, purge_expired
from portal.statistics.figures import Filters, Period, all_dossiers, figures_for, own_dossiers
from portal.statistics.models import ArchivedFacts
from tenants.roles import Role
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 6, 1)


def plain(block) -> dict:
    """A block's figures; the medians' inputs in order (the facts come in any order)."""
    values = asdict(block)
    values["days_to_report"] = sorted(values["days_to_report"])
    values["days_to_sanction"] = sorted(values["days_to_sanction"])
    return values


def counted(figures) -> dict:
    """Every figure of a period except today's open cases (a destroyed case is not open)."""
    result = {"total": plain(figures.total)}
    for name in ("by_kind", "by_sector", "by_canton", "by_owner", "by_cell", "by_month"):
        result[name] = {key: plain(block) for key, block in getattr(figures, name).items()}
    return result


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretariat_client():
    secretariat = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    return client_of(MembershipFactory(organisation=secretariat, role=Role.CASE_WORKER).user)


def reports(body_client, national_client) -> list[bytes]:
    return [
        body_client.get(reverse("statistics:report-file", args=[2025, "csv"])).content,
        national_client.get(reverse("statistics:national-report-file", args=[2025, "csv"])).content,
    ]


def test_the_yearly_report_of_a_past_year_is_identical_after_its_dossiers_are_purged(
    worker_a, organisation_a, organisation_b, secretariat_client
):
    cases = generate([organisation_a, organisation_b], count=70)
    body_client = client_of(worker_a)
    periods = [Period.year(2025), Period(date(2025, 3, 1), date(2026, 2, 28))]
    before_files = reports(body_client, secretariat_client)
    before = [
        counted(figures_for(scope, Filters(period=p), today=TODAY))
        for p in periods
        for scope in (all_dossiers(), own_dossiers(organisation_a))
    ]
    assert before[0]["total"]["controls"] > 20

    purged = purge_expired(at=timezone.now() + timedelta(days=3 * 365))
    assert purged == len(cases) and not Dossier.objects.exists()
    assert ArchivedFacts.objects.count() == len(cases)

    assert reports(body_client, secretariat_client) == before_files
    after = [
        counted(figures_for(scope, Filters(period=p), today=TODAY))
        for p in periods
        for scope in (all_dossiers(), own_dossiers(organisation_a))
    ]
    assert after == before
    # and the filters work on kept facts as on live dossiers
    kind = cases[0].kind
    filtered = figures_for(all_dossiers(), Filters(period=periods[0], control_kind=kind), today=TODAY)
    assert plain(filtered.total) == before[0]["by_kind"][kind]


def test_a_destroyed_case_is_no_longer_open_and_counts_for_the_body_that_owned_it(
    organisation_a, organisation_b
):
    generate([organisation_a], count=30, seed=3)
    live = figures_for(own_dossiers(organisation_a), Filters(period=Period.year(2025)), today=TODAY)
    assert live.open_cases > 0
    purge_expired(at=timezone.now() + timedelta(days=3 * 365))
    gone = figures_for(own_dossiers(organisation_a), Filters(period=Period.year(2025)), today=TODAY)
    assert gone.open_cases == 0 and gone.overdue == 0
    assert gone.total.controls == live.total.controls and gone.total.persons == live.total.persons
    assert figures_for(own_dossiers(organisation_b), Filters(period=Period.year(2025))).total.controls == 0


def test_the_kept_facts_name_no_company_reference_or_person(organisation_a):
    (case,) = generate([organisation_a], count=1, seed=11)
    dossier = Dossier.objects.get()
    Dossier.objects.filter(pk=dossier.pk).update(
        working_time_violations="Herr Muster arbeitete 14 Stunden", company_uid="CHE123456789"
    )
    destroy(dossier)
    kept = ArchivedFacts.objects.get()
    text = str(asdict_row(kept))
    for secret in (case.company, case.reference, "Muster", "CHE123456789"):
        assert secret not in text
    field_names = {f.name for f in ArchivedFacts._meta.get_fields()}
    assert not field_names & {"company_name", "company_uid", "reference", "responsible", "created_by"}
    assert kept.owner_id == organisation_a.pk and kept.working_time_violation is True
    assert kept.opened_at == case.opened_at and kept.persons_checked == case.persons


def test_a_dossier_on_legal_hold_is_not_archived_and_a_rolled_back_destruction_keeps_nothing(
    organisation_a, admin_a, monkeypatch
):
    generate([organisation_a], count=2, seed=12)
    first, second = Dossier.objects.order_by("pk")
    Dossier.objects.filter(pk=first.pk).update(legal_hold_reason="Verfahren hängig")
    destroy(first)
    assert not ArchivedFacts.objects.exists()

    def fail(*args, **kwargs):
        raise RuntimeError("journal down")

    monkeypatch.setattr("portal.dossiers.retention.record", fail)
    with pytest.raises(RuntimeError):
        destroy(second)
    assert Dossier.objects.filter(pk=second.pk).exists() and not ArchivedFacts.objects.exists()


def asdict_row(kept: ArchivedFacts) -> dict:
    return {f.attname: getattr(kept, f.attname) for f in ArchivedFacts._meta.concrete_fields}
