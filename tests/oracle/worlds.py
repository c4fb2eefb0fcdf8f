"""Generated worlds for the fast isolation oracle, and the independent model of the rules.

A world is plain data: organisations, people with memberships (active or not, valid from and
until some day), dossiers, and the operations done to them in order (shares to organisations
and roles or to people, each with or without an expiry, revocations, hand-overs). ``settle``
replays the operations as the portal's actions would (a share replaces an earlier one with the
same target, a hand-over drops the new owner's share and keeps a level for the former owner,
refused operations change nothing) and yields the final state; ``level`` answers, for any
instant, which level a person holds on a dossier. None of this uses the portal's policy code:
it restates the rules from the dossier issues.

Times are offsets from the instant a batch is built (``t0``): shares expire ``t0 + offset``
(a negative offset is a share that has already expired), memberships are valid from and until
local days counted from ``t0``'s day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

ROLE_LEVEL = {"administrator": 4, "case_worker": 4, "inspector": 2, "reader": 1}
ROLES = tuple(sorted(ROLE_LEVEL))
LEVELS = (1, 2, 3, 4)
LEVEL_NAMES = {0: "nothing", 1: "view", 2: "contribute", 3: "edit", 4: "manage"}
# Expiry offsets: already expired, within the hour, in two and in five days.
EXPIRIES = (None, None, timedelta(days=-1), timedelta(hours=1), timedelta(days=2), timedelta(days=5))


@dataclass(frozen=True)
class Member:
    org: int
    role: str
    active: bool = True
    starts: int = -30  # first valid day, relative to t0's day
    ends: int | None = None  # last valid day, relative to t0's day (None: open-ended)


@dataclass(frozen=True)
class Person:
    memberships: tuple[Member, ...]
    active: bool = True


@dataclass(frozen=True)
class Op:
    kind: str  # share_org, share_user, revoke, handover
    dossier: int
    target: int = 0  # organisation (share_org, handover) or person (share_user) or share index (revoke)
    roles: frozenset[str] = frozenset()
    level: int | None = 1  # the share's level, or the level kept after a hand-over (None: nothing)
    expires: timedelta | None = None


@dataclass(frozen=True)
class World:
    orgs: tuple[bool, ...]  # organisation i is active
    people: tuple[Person, ...]  # the first len(orgs) are each organisation's administrator
    owners: tuple[int, ...]  # dossier i's first owner
    ops: tuple[Op, ...] = ()


@dataclass(frozen=True)
class Share:
    kind: str  # share, handover, person
    level: int
    roles: frozenset[str] = frozenset()  # empty: every role
    expires: timedelta | None = None
    through: int | None = None  # personal share: index into the person's memberships


@dataclass
class State:
    """A world after its operations: each dossier's owner and live share per target."""

    world: World
    owner: list[int]
    shares: list[dict[tuple[str, int], Share]] = field(default_factory=list)
    refused: list[Op] = field(default_factory=list)


@lru_cache(maxsize=4096)
def day_start(t0: datetime, days: int) -> datetime:
    """The first instant of the local day ``days`` after ``t0``'s (remembered: asked for
    every membership boundary of every world)."""
    day = timezone.localdate(t0) + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time.min))


def member_current(person: Person, member: Member, world: World, on: date, t0: datetime) -> bool:
    first = timezone.localdate(t0)
    return (
        person.active
        and member.active
        and world.orgs[member.org]
        and first + timedelta(days=member.starts) <= on
        and (member.ends is None or on <= first + timedelta(days=member.ends))
    )


def through(person: Person, world: World, t0: datetime) -> int | None:
    """The membership a personal share goes through: the strongest current one, first on ties."""
    on = timezone.localdate(t0)
    best = None
    for index, member in enumerate(person.memberships):
        if member_current(person, member, world, on, t0) and (
            best is None or ROLE_LEVEL[member.role] > ROLE_LEVEL[person.memberships[best].role]
        ):
            best = index
    return best


def settle(world: World, t0: datetime) -> State:
    state = State(world, list(world.owners), [{} for _ in world.owners])
    for op in world.ops:
        shares = state.shares[op.dossier]
        owner = state.owner[op.dossier]
        if op.kind == "share_org":
            if op.target == owner or not world.orgs[op.target]:
                state.refused.append(op)
                continue
            roles = frozenset() if op.roles == frozenset(ROLES) else op.roles
            shares[("org", op.target)] = Share("share", op.level, roles, op.expires)
        elif op.kind == "share_user":
            person = world.people[op.target]
            via = through(person, world, t0) if person.active else None
            if via is None:
                state.refused.append(op)
                continue
            shares[("user", op.target)] = Share("person", op.level, expires=op.expires, through=via)
        elif op.kind == "revoke":
            if not shares:
                state.refused.append(op)
                continue
            del shares[sorted(shares)[op.target % len(shares)]]
        elif op.kind == "handover":
            if op.target == owner or not world.orgs[op.target]:
                state.refused.append(op)
                continue
            shares.pop(("org", op.target), None)
            state.owner[op.dossier] = op.target
            if op.level:
                shares[("org", owner)] = Share("handover", op.level)
    return state


def level(state: State, person_index: int, dossier: int, at: datetime, t0: datetime) -> int:
    """The level ``person_index`` holds on ``dossier`` at ``at``: the rules, restated."""
    return held(state, at, t0)[person_index][dossier]


def held(state: State, at: datetime, t0: datetime) -> list[list[int]]:
    """Every person's level on every dossier at ``at`` (``[person][dossier]``).

    The rules as ``level`` states them, for a whole world at once: the local days of ``at``
    and ``t0`` are worked out once, not once per person and dossier.
    """
    world = state.world
    zone = timezone.get_current_timezone()
    on = at.astimezone(zone).date()
    first = t0.astimezone(zone).date()
    rows = []
    for person_index, person in enumerate(world.people):
        current = {
            i: m
            for i, m in enumerate(person.memberships)
            if person.active
            and m.active
            and world.orgs[m.org]
            and first + timedelta(days=m.starts) <= on
            and (m.ends is None or on <= first + timedelta(days=m.ends))
        }
        row = []
        for dossier, shares in enumerate(state.shares):
            levels = [ROLE_LEVEL[m.role] for m in current.values() if m.org == state.owner[dossier]]
            for (kind, target), share in shares.items():
                if share.expires is not None and t0 + share.expires <= at:
                    continue
                if kind == "org":
                    levels += [
                        min(share.level, ROLE_LEVEL[m.role])
                        for m in current.values()
                        if m.org == target and (not share.roles or m.role in share.roles)
                    ]
                elif target == person_index and share.through in current:
                    levels.append(min(share.level, ROLE_LEVEL[current[share.through].role]))
            row.append(max(levels, default=0))
        rows.append(row)
    return rows


def instants(world: World, t0: datetime) -> list[datetime]:
    """When to ask: now, and just before and at every expiry and membership boundary."""
    found = {t0}
    for op in world.ops:
        if op.expires is not None:
            found |= {t0 + op.expires - timedelta(microseconds=1), t0 + op.expires}
    for person in world.people:
        for member in person.memberships:
            found.add(day_start(t0, member.starts))
            found.add(day_start(t0, member.starts) - timedelta(microseconds=1))
            if member.ends is not None:
                found.add(day_start(t0, member.ends + 1))
                found.add(day_start(t0, member.ends + 1) - timedelta(microseconds=1))
    return sorted(found)


# -- generation ---------------------------------------------------------------------------


def generate(rng: random.Random) -> World:
    orgs = tuple(rng.random() > 0.08 for _ in range(rng.randint(2, 3)))
    people = [Person((Member(i, "administrator"),)) for i in range(len(orgs))]
    for _ in range(rng.randint(1, 3)):
        chosen = rng.sample(range(len(orgs)), rng.choice([1, 1, 2]))
        people.append(
            Person(
                tuple(
                    Member(
                        org,
                        rng.choice(ROLES),
                        active=rng.random() > 0.1,
                        starts=rng.choice([-30, -30, -30, 0, 1]),
                        ends=rng.choice([None, None, None, -1, 0, 2]),
                    )
                    for org in chosen
                ),
                active=rng.random() > 0.05,
            )
        )
    # ``ends`` must not precede ``starts`` (the database refuses it).
    people = [replace(p, memberships=tuple(_valid(m) for m in p.memberships)) for p in people]
    owners = tuple(rng.randrange(len(orgs)) for _ in range(rng.randint(1, 3)))
    ops = []
    for _ in range(rng.randint(1, 7)):
        dossier = rng.randrange(len(owners))
        kind = rng.choice(["share_org", "share_org", "share_user", "share_user", "revoke", "handover"])
        if kind == "share_org":
            roles = frozenset(rng.sample(ROLES, rng.choice([0, 0, 1, 2, 4])))
            ops.append(
                Op(kind, dossier, rng.randrange(len(orgs)), roles, rng.choice(LEVELS), rng.choice(EXPIRIES))
            )
        elif kind == "share_user":
            ops.append(
                Op(
                    kind,
                    dossier,
                    rng.randrange(len(people)),
                    level=rng.choice(LEVELS),
                    expires=rng.choice(EXPIRIES),
                )
            )
        elif kind == "revoke":
            ops.append(Op(kind, dossier, rng.randrange(4), level=None))
        else:
            ops.append(Op(kind, dossier, rng.randrange(len(orgs)), level=rng.choice([None, 1, 2, 3, 4])))
    return World(orgs, tuple(people), owners, tuple(ops))


def _valid(member: Member) -> Member:
    if member.ends is not None and member.ends < member.starts:
        return replace(member, ends=member.starts)
    return member


def worlds(seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        yield generate(rng)
