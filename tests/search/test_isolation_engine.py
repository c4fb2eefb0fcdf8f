"""The isolation oracle's search part on the real engine: for generated worlds of organisations,
people, shares, expiries, revocations and hand-overs, every person's results, total and
organisation facet counts on OpenSearch equal the independent model, no more and no less.
Six days later, with nothing re-indexed, shares that expired in between (after five days)
are gone from the engine's answers exactly as the database's policy says for that instant:
expiry is enforced at query time.

The worlds and the model are the dossier oracle's (``tests/dossiers/test_isolation_oracle.py``);
there the same check runs on PostgreSQL with the pages, downloads and journal."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from portal.dossiers.access import visible_dossiers
from portal.dossiers.models import Dossier
from search import backends, queue
from search.service import search
from tests.dossiers.test_isolation_oracle import Rollback, build, world
from tests.search.conftest import engine_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine_settings(settings):
    settings.PORTAL_SEARCH_BACKEND = "opensearch"
    settings.PORTAL_SEARCH_URL = engine_url()
    yield settings
    backends._backend.cache_clear()


def check_engine(users, dossiers, model) -> None:
    assert queue.process()["failed"] == 0
    owners = {d.pk: d.owner_id for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers])}
    for user_id, user in users.items():
        expected = {d.pk for d in dossiers if model.level(user_id, d.pk) > 0}
        compare(user, expected, owners)
    later = timezone.now() + timedelta(days=6)
    with mock.patch.object(timezone, "now", lambda: later):
        for user in users.values():
            compare(user, set(visible_dossiers(user, at=later).values_list("pk", flat=True)), owners, later)


def compare(user, expected: set[int], owners: dict[int, int], at=None) -> None:
    when = f" at {at:%Y-%m-%d}" if at else ""
    found = search(user, "Nachricht", per_page=100).results
    assert {hit.dossier_id for hit in found.hits} == expected, f"engine search of {user.email}{when}"
    assert found.total == len(expected), f"engine search total of {user.email}{when}"
    owners_seen = Counter(str(owners[pk]) for pk in expected)
    assert dict(found.facets["owner_id"]) == dict(owners_seen), f"engine facets of {user.email}{when}"


@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world)
def test_the_engine_finds_exactly_what_the_rules_allow(engine_settings, spec):
    # A fresh index for each world: the database rolls back, the engine would not.
    engine_settings.PORTAL_SEARCH_INDEX = f"portal-oracle-{uuid.uuid4().hex[:8]}"
    backends._backend.cache_clear()
    backend = backends.get_backend()
    try:
        with transaction.atomic():
            check_engine(*build(spec))
            raise Rollback
    except Rollback:
        pass
    finally:
        backend.drop()
