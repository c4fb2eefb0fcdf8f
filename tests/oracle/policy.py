"""The policy layer of the isolation oracle: the portal's permission policy against the model.

For every world of a batch, every instant of ``worlds.instants`` (now, just before and at each
expiry and membership boundary), every person and every level, ``visible_dossiers`` must
return exactly the dossiers the model allows at that level: no more (not one dossier of
another world either) and no fewer. The querysets are the policy's own, evaluated together
as ``UNION ALL`` statements to save round trips. On a sample of the worlds, the other faces of
the policy are compared too: ``level_for``, ``access_dossier`` (404, 403 or the dossier),
``who_has_access``, the changes feed's ``feed_principals`` and search's ``principals_for``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from portal.dossiers import access
from search import service
from tests.oracle.build import Built
from tests.oracle.worlds import LEVELS, held, instants, level, member_current


@dataclass
class Failure:
    check: str
    world: int  # index in the batch
    person: int | None
    dossier: int | None
    at: datetime
    expected: object
    got: object
    level: int | None = None


@dataclass
class Tally:
    worlds: int = 0
    cases: int = 0  # person x dossier x level x instant comparisons
    sampled: int = 0  # worlds whose other policy faces were compared too
    python_seconds: float = 0.0  # CPU time of the test process (all its threads)
    database_seconds: float = 0.0  # CPU time of the database processes that checked


def check_batch(
    batch: list[Built], t0: datetime, tally: Tally, *, sample_every: int | None = 25
) -> list[Failure]:
    failures = _check_visible(batch, t0, tally)
    for index, one in enumerate(batch):
        if sample_every and (tally.worlds + index) % sample_every == 0:
            tally.sampled += 1
            failures += check_faces(one, index, t0)
    tally.worlds += len(batch)
    return failures


def _user(one: Built, person: int):
    User = get_user_model()
    return User(pk=one.users[person], is_active=one.world.people[person].active)


def _check_visible(batch: list[Built], t0: datetime, tally: Tally) -> list[Failure]:
    asked: list[tuple[int, int, datetime, int]] = []  # world, person, instant, level
    expected: list[set[int]] = []
    rows: dict[int, list[tuple[int, int, datetime, int, int]]] = {wanted: [] for wanted in LEVELS}
    got: dict[int, set[int]] = defaultdict(set)
    for index, one in enumerate(batch):
        # Each person is asked about their world's dossiers and the next world's (the previous
        # one for the last): a dossier of another world in the answer is a leak across tenants.
        neighbour = batch[index + 1 if index + 1 < len(batch) else max(index - 1, 0)]
        scope = (min(*one.dossiers, *neighbour.dossiers), max(*one.dossiers, *neighbour.dossiers))
        users = [_user(one, person) for person in range(len(one.world.people))]
        for at in instants(one.world, t0):
            levels = held(one.state, at, t0)
            for person, user in enumerate(users):
                for wanted in LEVELS:
                    key = len(asked)
                    asked.append((index, person, at, wanted))
                    expected.append({one.dossiers[d] for d, h in enumerate(levels[person]) if h >= wanted})
                    tally.cases += len(one.dossiers)
                    if not user.is_active:
                        # The policy answers an inactive account without asking the database.
                        if not access.visible_dossiers(user, wanted, at=at).query.is_empty():
                            got[key].add(-1)
                        continue
                    rows[wanted].append((key, user.pk, at, *scope))
    for wanted, asks in rows.items():
        for key, pk in evaluate(wanted, asks):
            got[key].add(pk)
    failures = []
    for key, ((index, person, at, wanted), want) in enumerate(zip(asked, expected, strict=True)):
        seen = got.get(key, set())
        if seen != want:
            one = batch[index]
            names = {pk: d for d, pk in enumerate(one.dossiers)}
            failures.append(
                Failure(
                    "visible_dossiers",
                    index,
                    person,
                    None,
                    at,
                    sorted(_name(names, pk) for pk in want),
                    sorted(_name(names, pk) for pk in seen),
                    wanted,
                )
            )
    return failures


def _name(names: dict[int, int], pk: int) -> str:
    return f"D{names[pk]}" if pk in names else f"dossier {pk} of another world"


# The policy's own SQL, compiled once per level for a stand-in user and instant; the stand-ins
# are then replaced by the columns of a list of (user, instant) pairs, so that one statement
# asks the policy's query for all of them (a LATERAL join). The sampled worlds also run the
# policy's querysets one by one (``check_faces``), which holds this shortcut to the real thing.
_STAND_IN_USER = 2_000_000_001
_STAND_IN_AT = datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


@lru_cache(maxsize=16)
def _template(wanted: int, policy) -> tuple[str, tuple]:
    User = get_user_model()
    stand_in = User(pk=_STAND_IN_USER, is_active=True)
    query = policy(stand_in, wanted, at=_STAND_IN_AT).order_by().values("pk").query
    sql, params = query.sql_with_params()
    day = timezone.localdate(_STAND_IN_AT)
    pieces = sql.split("%s")
    assert "%%" not in sql and len(pieces) == len(params) + 1, sql
    out, kept = [pieces[0]], []
    for param, piece in zip(params, pieces[1:], strict=True):
        if param == _STAND_IN_USER:
            out.append("v.uid")
        elif isinstance(param, datetime) and param == _STAND_IN_AT:
            out.append("v.at")
        elif not isinstance(param, datetime) and param == day:
            out.append("v.day")
        else:
            out.append("%s")
            kept.append(param)
        out.append(piece)
    assert "v.uid" in out, f"the policy's query no longer names the user: {sql}"
    return "".join(out), tuple(kept)


def _array(values) -> str:
    """A PostgreSQL array literal: one text parameter instead of thousands of quoted values."""
    return "{" + ",".join(values) + "}"


def evaluate(wanted: int, asks: list[tuple[int, int, datetime, int, int]]):
    """(key, dossier pk) for every dossier the policy's query returns for each (key, user, at),
    among the dossiers with primary keys from ``low`` to ``high``."""
    if not asks:
        return []
    sql, params = _template(wanted, access.visible_dossiers)
    keys, users, ats, lows, highs = zip(*asks, strict=True)
    zone = timezone.get_current_timezone()  # the day is the local day of ``at``, as the policy's
    days = {at: at.astimezone(zone).date().isoformat() for at in set(ats)}
    # ``sql`` is the policy's query as Django compiled it; every value goes as a parameter.
    statement = (
        "SELECT v.k, d.id FROM unnest(%s::int[], %s::bigint[], %s::date[], %s::timestamptz[], "  # noqa: S608
        "%s::bigint[], %s::bigint[]) AS v(k, uid, day, at, low, high) "
        f"CROSS JOIN LATERAL (SELECT p.id FROM ({sql}) AS p(id) WHERE p.id BETWEEN v.low AND v.high) AS d"
    )
    arrays = [
        _array(map(str, keys)),
        _array(map(str, users)),
        _array(days[at] for at in ats),
        _array(at.isoformat() for at in ats),
        _array(map(str, lows)),
        _array(map(str, highs)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, [*arrays, *params])
        return cursor.fetchall()


def check_faces(one: Built, index: int, t0: datetime) -> list[Failure]:
    """level_for, access_dossier, who_has_access, feed and search principals of one world."""
    from portal.dossiers.models import Dossier
    from tests.oracle.worlds import instants

    failures = []
    world = one.world
    dossiers = Dossier.objects.in_bulk(one.dossiers)
    for at in instants(world, t0):
        held = {
            (p, d): level(one.state, p, d, at, t0)
            for p in range(len(world.people))
            for d in range(len(one.dossiers))
        }
        with mock.patch.object(timezone, "now", lambda at=at: at):
            for (p, d), want in held.items():
                user = _user(one, p)
                dossier = dossiers[one.dossiers[d]]
                got = access.level_for(user, dossier, at=at)
                if got != want:
                    failures.append(Failure("level_for", index, p, d, at, want, got))
                for asked in {max(want, 1), min(want + 1, 4)}:
                    outcome = _access(user, dossier.pk, asked)
                    expect = "404" if want == 0 else "403" if want < asked else want
                    if outcome != expect:
                        failures.append(Failure("access_dossier", index, p, d, at, expect, outcome, asked))
            for d, pk in enumerate(one.dossiers):
                want = {one.users[p]: held[(p, d)] for p in range(len(world.people)) if held[(p, d)]}
                got = {a.user.pk: a.level for a in access.who_has_access(dossiers[pk], at=at)}
                if got != want:
                    failures.append(
                        Failure("who_has_access", index, None, d, at, _people(one, want), _people(one, got))
                    )
        for p, person in enumerate(world.people):
            if not person.active:
                continue  # an inactive account signs in nowhere and reads no feed
            user = _user(one, p)
            on = timezone.localdate(at)
            current = [
                (i, m) for i, m in enumerate(person.memberships) if member_current(person, m, world, on, t0)
            ]
            orgs = sorted({one.orgs[m.org] for _i, m in current})
            groups = sorted({one.groups[(m.org, m.role)] for _i, m in current})
            want = sorted([f"o:{o}" for o in orgs] + [f"g:{g}" for g in groups] + [f"u:{one.users[p]}"])
            got = sorted(access.feed_principals(user, at=at))
            if got != want:
                failures.append(Failure("feed_principals", index, p, None, at, want, got))
            principals = service.principals_for(user, at)
            want = (orgs, groups, sorted(one.memberships[p][i] for i, _m in current))
            got = (
                sorted(principals.organisation_ids),
                sorted(principals.group_ids),
                sorted(principals.membership_ids),
            )
            if got != want:
                failures.append(Failure("search principals_for", index, p, None, at, want, got))
    return failures


def _people(one: Built, levels: dict[int, int]) -> dict[str, int]:
    names = {pk: p for p, pk in enumerate(one.users)}
    return {f"P{names.get(pk, pk)}": value for pk, value in sorted(levels.items())}


def _access(user, pk: int, wanted: int):
    try:
        return access.access_dossier(user, pk, wanted).access_level
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
