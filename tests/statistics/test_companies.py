"""Companies controlled: each enterprise number once, kept as a keyed pseudonym."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.dossiers.models import Dossier
from portal.dossiers.retention import purge_expired
from portal.statistics.figures import Filters, Period, all_dossiers, figures_for, own_dossiers
from portal.statistics.models import ArchivedFacts, DossierFacts
from portal.statistics.pseudonym import company_pseudonym
from tests.dossiers.factories import DossierFactory
from tests.statistics.generator import generate

pytestmark = pytest.mark.django_db

TODAY = date(2027, 6, 1)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
PERIODS = [Period.year(2025), Period.year(2026), Period(date(2025, 3, 15), date(2026, 2, 14))]


def companies(cases, period: Period, **match) -> int:
    """The plain computation: distinct enterprise numbers of the period's controls, plus one
    per control without one."""
    chosen = [
        c
        for c in cases
        if period.start <= c.opened_at.date() <= period.end
        and all(getattr(c, name) == value for name, value in match.items())
    ]
    return len({c.uid for c in chosen if c.uid}) + len([c for c in chosen if not c.uid])


@pytest.fixture
def cases(organisation_a, organisation_b):
    return generate([organisation_a, organisation_b], count=90, seed=23)


def test_the_generated_cases_share_companies_and_some_have_no_number(cases):
    numbers = [c.uid for c in cases if c.uid]
    assert len(set(numbers)) < len(numbers) < len(cases)


@pytest.mark.parametrize("period", PERIODS, ids=["2025", "2026", "mid"])
def test_each_company_counts_once_per_group_however_many_dossiers_it_has(cases, period):
    figures = figures_for(all_dossiers(), Filters(period=period), today=TODAY)
    assert figures.total.companies == companies(cases, period)
    assert figures.total.companies < figures.total.controls
    for name, attribute in (("by_kind", "kind"), ("by_sector", "sector"), ("by_canton", "canton")):
        for key, block in getattr(figures, name).items():
            if block.controls:
                assert block.companies == companies(cases, period, **{attribute: key}), (name, key)
    for owner, block in figures.by_owner.items():
        if block.controls:
            assert block.companies == companies(cases, period, owner_id=owner)


def test_a_body_counts_the_companies_of_its_own_dossiers(cases, organisation_a):
    period = Period(date(2025, 1, 1), date(2026, 12, 31))
    figures = figures_for(own_dossiers(organisation_a), Filters(period=period), today=TODAY)
    assert figures.total.companies == companies(cases, period, owner_id=organisation_a.pk)


def test_a_past_years_companies_are_unchanged_after_its_dossiers_are_destroyed(cases, organisation_a):
    year = Period.year(2025)
    before = figures_for(all_dossiers(), Filters(period=year), today=TODAY)
    before_body = figures_for(own_dossiers(organisation_a), Filters(period=year), today=TODAY)
    Dossier.objects.update(destroy_after=LONG_AGO)
    purge_expired()
    assert not Dossier.objects.exists() and ArchivedFacts.objects.count() == len(cases)
    after = figures_for(all_dossiers(), Filters(period=year), today=TODAY)
    after_body = figures_for(own_dossiers(organisation_a), Filters(period=year), today=TODAY)
    assert after.total.companies == before.total.companies == companies(cases, year)
    assert after_body.total.companies == before_body.total.companies
    assert {k: b.companies for k, b in after.by_canton.items()} == {
        k: b.companies for k, b in before.by_canton.items()
    }


def test_the_facts_keep_a_keyed_pseudonym_never_the_enterprise_number(cases, settings):
    case = next(c for c in cases if c.uid)
    dossier = Dossier.objects.get(reference=case.reference)
    facts = DossierFacts.objects.get(dossier=dossier)
    expected = hmac.new(b"the-test-key", case.uid.encode(), hashlib.sha256).hexdigest()
    assert facts.company_key != expected  # another key
    settings.STATISTICS_COMPANY_KEY = "the-test-key"
    call_command("rebuild_statistics_facts", verbosity=0)
    facts.refresh_from_db()
    # PostgreSQL's HMAC equals Python's, and neither the number nor its plain hash is kept
    assert facts.company_key == expected == company_pseudonym(case.uid)
    assert case.uid not in facts.company_key
    assert facts.company_key != hashlib.sha256(case.uid.encode()).hexdigest()
    Dossier.objects.filter(pk=dossier.pk).update(destroy_after=LONG_AGO)
    purge_expired()
    assert ArchivedFacts.objects.filter(company_key=expected).exists()
    for kept in ArchivedFacts.objects.all():
        assert case.uid not in str([getattr(kept, f.attname) for f in ArchivedFacts._meta.fields])


def test_dossiers_without_an_enterprise_number_count_one_company_each(organisation_a):
    for _ in range(3):
        DossierFactory(owner=organisation_a, company_uid="")
    call_command("rebuild_statistics_facts", verbosity=0)
    today = timezone.localdate()
    figures = figures_for(own_dossiers(organisation_a), Filters(period=Period(today.replace(day=1), today)))
    assert figures.total.controls == figures.total.companies == 3
