"""The fast isolation oracle, policy layer: 10,000 generated worlds in every test run, 50,000
in ``make test-long`` (marker ``slow``), a million on demand (``make oracle-million``).

Worlds are written straight into the database, 100 per savepoint, and the permission policy's
answer is compared with the independent model (``tests/oracle/worlds.py``) for every person,
dossier, level and instant (now, and just before and at every expiry and membership
boundary). The surface layer (pages, downloads, API, search page) is checked on sample worlds
by ``tests/dossiers/test_isolation_oracle.py`` and ``tests/api/test_isolation_oracle.py``;
search's results, totals and facets on both backends by ``tests/search/test_oracle_search.py``.
"""

from __future__ import annotations

import os
import sys

import pytest

from portal.dossiers import access
from tests.oracle import planted, runner
from tests.oracle.worlds import worlds

pytestmark = pytest.mark.django_db

# The default run's share (ORACLE_WORLDS overrides it) and the long run's.
DEFAULT_WORLDS = int(os.environ.get("ORACLE_WORLDS", "10000"))
LONG_WORLDS = 50_000
SEED = 20261126


def _progress(tally, seconds):
    if tally.worlds % 2_000 == 0:
        print(
            f"oracle: {tally.worlds} worlds, {tally.cases} cases in {seconds:.0f} s "
            f"({tally.cases / seconds:.0f} cases/s)",
            file=sys.stderr,
        )


@pytest.mark.million
def test_the_policy_answers_as_the_model_in_a_million_worlds():
    """``make oracle-million``: ``ORACLE_WORLDS`` worlds over ``ORACLE_SHARDS`` processes, each
    with new worlds (its shard's seed) and a database of its own."""
    shards = int(os.environ.get("ORACLE_SHARDS", "1"))
    shard = int(os.environ.get("ORACLE_SHARD", "1"))
    count = int(os.environ.get("ORACLE_WORLDS", "1000000")) // shards
    outcome = runner.run(worlds(SEED + shard, count), progress=_progress)
    assert outcome.report is None, outcome.report
    print(
        f"\noracle shard {shard}/{shards}: {outcome.tally.worlds} worlds, {outcome.tally.cases} cases in "
        f"{outcome.seconds:.0f} s: {outcome.cases_per_second:.0f} cases/s, "
        f"{outcome.tally.worlds / outcome.seconds:.1f} worlds/s; CPU: {outcome.tally.python_seconds:.0f} s "
        f"test process, {outcome.tally.database_seconds:.0f} s database"
    )


def _check(count: int) -> None:
    outcome = runner.run(worlds(SEED, count))
    assert outcome.report is None, outcome.report
    assert outcome.tally.worlds == count
    print(
        f"\n{outcome.tally.worlds} worlds, {outcome.tally.cases} cases, {outcome.tally.sampled} worlds "
        f"with every face of the policy, in {outcome.seconds:.1f} s ({outcome.cases_per_second:.0f} cases/s); "
        f"CPU: {outcome.tally.python_seconds:.1f} s test process, {outcome.tally.database_seconds:.1f} s database"
    )


def test_the_policy_answers_as_the_model_in_the_default_runs_worlds():
    _check(DEFAULT_WORLDS)


@pytest.mark.slow
def test_the_policy_answers_as_the_model_in_fifty_thousand_worlds():
    _check(LONG_WORLDS)


# -- planted bugs: each flips one rule of the policy; the oracle must catch it in the default
# run's worlds and show the smallest world that fails.


def test_a_policy_ignoring_the_expiry_of_personal_shares_is_caught_and_shrunk(monkeypatch):
    monkeypatch.setattr(access, "visible_dossiers", planted.ignoring_personal_expiry)
    outcome = runner.run(worlds(SEED, DEFAULT_WORLDS), sample_every=None)
    print(f"\ncaught after {outcome.tally.worlds} worlds, {outcome.seconds:.1f} s\n{outcome.report}")
    assert outcome.report is not None
    assert outcome.tally.worlds < DEFAULT_WORLDS
    assert "FAILS: visible_dossiers(P" in outcome.report
    assert "with person P" in outcome.report and "expires t0" in outcome.report
    assert len(outcome.smallest.ops) == 1  # one personal share is all it takes


def test_a_policy_ignoring_the_end_of_memberships_is_caught_and_shrunk(monkeypatch):
    monkeypatch.setattr(access, "_memberships", planted.ignoring_membership_end)
    outcome = runner.run(worlds(SEED, DEFAULT_WORLDS), sample_every=None)
    print(f"\ncaught after {outcome.tally.worlds} worlds, {outcome.seconds:.1f} s\n{outcome.report}")
    assert outcome.report is not None
    assert outcome.tally.worlds < DEFAULT_WORLDS
    assert "until t0's day" in outcome.report
    assert len(outcome.smallest.people) <= len(outcome.smallest.orgs) + 1


def test_the_sampled_faces_catch_a_sharing_tab_that_forgets_personal_shares(monkeypatch):
    from tests.oracle.policy import Tally
    from tests.oracle.worlds import settle

    t0 = runner.reference_time()
    world = next(
        w
        for w in worlds(SEED, DEFAULT_WORLDS)
        if any(key[0] == "user" for shares in settle(w, t0).shares for key in shares)
    )
    assert not runner.check_worlds([world], t0, Tally(), sample_every=1)
    real = access.who_has_access

    def forgetting(dossier, *, at=None):
        return [a for a in real(dossier, at=at) if all(g.source != "person" for g in a.grants)]

    monkeypatch.setattr(access, "who_has_access", forgetting)
    failures = runner.check_worlds([world], t0, Tally(), sample_every=1)
    assert {f.check for f in failures} == {"who_has_access"}
