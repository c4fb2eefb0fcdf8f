"""seed_demo generates a few hundred cases for the statistics, once, fast, and consistently."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.demo.statistics import CASES, seed_statistics
from portal.dossiers.models import Dossier
from portal.dossiers.workflow import TRANSITIONS, Status
from portal.journal.models import JournalEntry
from portal.journal.verification import verify_chain
from portal.statistics.figures import Filters, Period, figures_for, own_dossiers
from portal.statistics.models import ArchivedFacts
from tenants.models import Organisation
from tenants.roles import Role
from tests.tenants.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", "--quiet")


def test_the_generated_cases_are_written_once_and_leave_the_journal_chain_intact(seeded):
    dossiers, archived = Dossier.objects.count(), ArchivedFacts.objects.count()
    entries = JournalEntry.objects.count()
    assert archived > 100 and dossiers > 100
    assert seed_statistics() == 0
    call_command("seed_demo", "--quiet")
    assert (Dossier.objects.count(), ArchivedFacts.objects.count()) == (dossiers, archived)
    assert JournalEntry.objects.count() == entries
    assert list(verify_chain()) == []
    references = list(Dossier.objects.values_list("owner_id", "reference"))
    assert len(set(references)) == len(references)


def test_old_cases_exist_only_as_archived_facts_and_young_ones_follow_the_workflow(seeded):
    horizon = timezone.now() - timedelta(days=366)
    assert not Dossier.objects.filter(created_at__lt=horizon).exists()
    assert not ArchivedFacts.objects.filter(opened_at__gt=timezone.now() - timedelta(days=364)).exists()
    for entry in JournalEntry.objects.filter(
        object_type="dossier", action="change", details__has_key="status"
    ):
        before, after = entry.details["status"]
        assert after in TRANSITIONS[before], entry.details
    last = {}
    for entry in JournalEntry.objects.filter(details__has_key="status").order_by("id"):
        last[entry.object_id] = entry.details["status"][1]
    for pk, status in Dossier.objects.values_list("pk", "status"):
        assert last.get(pk, Status.OPENED) == status


def test_the_dashboard_of_a_demo_body_shows_two_years_of_figures(seeded, client):
    geneva = Organisation.objects.get(slug="ge-authority")
    today = timezone.localdate()
    this_year = figures_for(own_dossiers(geneva), Filters(Period(today - timedelta(days=364), today)))
    last_year = figures_for(
        own_dossiers(geneva), Filters(Period(today - timedelta(days=729), today - timedelta(days=365)))
    )
    for figures in (this_year, last_year):
        assert figures.total.controls > 30
        assert figures.total.closed > 5 and figures.total.undercutting > 3
        assert len(figures.by_kind) >= 3 and len(figures.by_sector) >= 3
    assert last_year.total.penalties > 0 and this_year.open_cases > 10
    for figures in (this_year, last_year):  # the report's split and the public list have both answers
        assert 0 < figures.total.extended < figures.total.controls
        assert 0 < figures.total.listed < figures.total.controls
    client.force_login(MembershipFactory(organisation=geneva, role=Role.CASE_WORKER).user)
    response = client.get(reverse("statistics:dashboard"), {"start": f"{today.year - 1}-01-01", "end": today})
    assert response.status_code == 200 and response.context["total"]["controls"] > 30


def test_generating_the_cases_is_fast_and_they_add_up():
    from portal.demo.services import seed

    seed()  # organisations and people only
    started = time.monotonic()
    assert seed_statistics() == CASES
    elapsed = time.monotonic() - started
    print(f"seed_statistics: {CASES} cases in {elapsed:.2f} s")
    assert elapsed < 20
    assert Dossier.objects.count() + ArchivedFacts.objects.count() == CASES
