"""The fast isolation oracle's search check, on PostgreSQL and on the real OpenSearch node.

Generated worlds (``tests/oracle/worlds.py``) are written straight into the database and their
dossiers indexed once, all worlds in one index. Then, for every person and every instant from
now on (just before and at each expiry and membership boundary), search's results, total and
organisation facet counts must equal what the independent model allows: nothing of another
world, nothing expired, nothing missing. The clock moves, the index does not: expiry and
membership ends are enforced at query time on both backends.
"""

from __future__ import annotations

from collections import Counter
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from search import records, service
from search.records import records_for
from search.service import search
from tests.oracle import planted
from tests.oracle.build import build_batch
from tests.oracle.policy import Failure
from tests.oracle.runner import describe, reference_time
from tests.oracle.worlds import instants, level, worlds

pytestmark = pytest.mark.django_db

SEARCH_WORLDS = 10
SEED = 19


class _Rollback(Exception):
    pass


def _check(built, t0) -> tuple[list[str], int]:
    reports, asked = [], 0
    for one in built:
        owners = {pk: one.orgs[owner] for pk, owner in zip(one.dossiers, one.state.owner, strict=True)}
        for at in [at for at in instants(one.world, t0) if at >= t0]:
            with mock.patch.object(timezone, "now", lambda at=at: at):
                for p in range(len(one.world.people)):
                    if not one.world.people[p].active:
                        continue  # an inactive account cannot sign in to search
                    user = one.user_objects[p]
                    want = {pk for d, pk in enumerate(one.dossiers) if level(one.state, p, d, at, t0) > 0}
                    found = search(user, "Orakel", per_page=100).results
                    asked += 1
                    got = {hit.dossier_id for hit in found.hits}
                    facets = dict(found.facets["owner_id"])
                    want_facets = {str(o): n for o, n in Counter(owners[pk] for pk in want).items()}
                    if got != want or found.total != len(want) or facets != want_facets:
                        names = {pk: f"D{d}" for d, pk in enumerate(one.dossiers)}
                        failure = Failure(
                            "search",
                            0,
                            p,
                            None,
                            at,
                            (sorted(names.get(pk, pk) for pk in want), len(want), want_facets),
                            (sorted(names.get(pk, pk) for pk in got), found.total, facets),
                        )
                        reports.append(describe(one.world, failure, t0))
    return reports, asked


def _search_worlds(search_backend) -> tuple[list[str], int]:
    """Builds the generated worlds, indexes their dossiers, compares every search, rolls back."""
    from django.contrib.auth import get_user_model

    t0 = reference_time()
    reports, asked = [], 0
    try:
        with transaction.atomic():
            built = build_batch(list(worlds(SEED, SEARCH_WORLDS)), t0, tag="search")
            users = get_user_model().objects.in_bulk([pk for one in built for pk in one.users])
            for one in built:
                one.user_objects = [users[pk] for pk in one.users]
            search_backend.index(
                records_for([f"dossier:{pk}" for one in built for pk in one.dossiers]).records
            )
            reports, asked = _check(built, t0)
            raise _Rollback
    except _Rollback:
        pass
    return reports, asked


def test_search_finds_exactly_what_the_model_allows_at_every_instant(search_backend):
    reports, asked = _search_worlds(search_backend)
    assert not reports, f"{len(reports)} searches differ from the model; the first:\n{reports[0]}"
    assert asked > SEARCH_WORLDS * 3


def test_a_search_that_keeps_personal_shares_after_their_expiry_is_caught(search_backend, monkeypatch):
    """A planted bug on each backend's own path: PostgreSQL asks the policy at query time (the
    search principals' ``visible_dossiers``), the engine reads the grants it indexed."""
    monkeypatch.setattr(service, "visible_dossiers", planted.ignoring_personal_expiry)
    monkeypatch.setattr(records, "grants_for", planted.grants_without_personal_expiry(records.grants_for))
    reports, _asked = _search_worlds(search_backend)
    print(f"\n{len(reports)} searches differ from the model; the first:\n{reports[0] if reports else ''}")
    assert reports
    first = reports[0]
    assert "FAILS: search(P" in first
    assert "with person P" in first and "expires t0" in first
