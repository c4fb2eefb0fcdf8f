"""Runs the policy oracle over many worlds, batch by batch, and shrinks a failure.

A run happens in one transaction that is rolled back at its end. It starts by writing a
ballast of other generated worlds and analysing the tables once: the planner then sees
tables of a live database's shape and looks the grant rows up by index, so an ask costs the
same whatever the batch's size (on near-empty tables it scans every grant row of the batch
for every ask, and the cost grows with the batch). Each batch of a hundred worlds is built
and checked inside a savepoint that is rolled back, so the database holds only the ballast
between batches. On a failure, the first failing world is shrunk: parts
are taken away (operations, dossiers, people, memberships) and details simplified (no
expiry, open-ended membership) one at a time, each candidate built alone and checked again,
for as long as it still fails. The report then shows that smallest world as text.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tests.oracle.build import build_batch
from tests.oracle.policy import Failure, Tally, _template, check_batch
from tests.oracle.worlds import LEVEL_NAMES, Op, World, settle
from tests.oracle.worlds import worlds as generate

BATCH = 100  # worlds built and checked together: one insert per table, one statement per level
BALLAST = 2000  # worlds written once per run so that the planner sees tables of some size
BALLAST_SEED = 7
# Threads, each with a connection, ballast and transaction of its own. One: a second thread
# waits for the first's whole run, since each ballast's ANALYZE holds a lock on the tables
# until its transaction ends (``make oracle-million`` runs processes with databases of their own).
WORKERS = 1
SAMPLE_EVERY = 1000  # one world in a thousand has every face of the policy compared


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    tally: Tally
    seconds: float
    report: str | None = None
    smallest: World | None = None

    @property
    def cases_per_second(self) -> float:
        return self.tally.cases / self.seconds if self.seconds else 0.0


def analyze() -> None:
    """Fresh planner statistics for the batch's rows, as a live database has them (autovacuum
    never sees rows of a transaction that has not committed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE tenants_organisation, tenants_membership, tenants_rolegroup, dossiers_dossier, "
            "dossiers_dossiershare, dossiers_dossieruserobjectpermission, dossiers_dossiergroupobjectpermission"
        )


@contextmanager
def ballast(t0: datetime, count: int = BALLAST) -> Iterator[None]:
    """A transaction holding ``count`` generated worlds (never asked about), analysed once;
    rolled back at the end."""
    with transaction.atomic():
        build_batch(
            list(generate(BALLAST_SEED, count)), t0, tag=f"p{os.getpid()}t{threading.get_ident()}ballast"
        )
        analyze()
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _backend() -> tuple[int, float]:
    """This connection's database process and the CPU seconds it has used so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return pid, _cpu_seconds((pid, 0.0))


def _cpu_seconds(backend: tuple[int, float]) -> float:
    """CPU seconds the database process has used since ``backend`` was taken (0 if unknown)."""
    pid, before = backend
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") - before


def reference_time() -> datetime:
    """t0: now, on a whole second, so that reports read easily."""
    return timezone.now().replace(microsecond=0)


def check_worlds(
    worlds: list[World], t0: datetime, tally: Tally, *, sample_every: int | None = 25
) -> list[Failure]:
    """Build ``worlds`` together, check them, roll back; the failures found."""
    failures: list[Failure] = []
    try:
        with transaction.atomic():
            built = build_batch(worlds, t0, tag=f"p{os.getpid()}b{tally.worlds}")
            failures = check_batch(built, t0, tally, sample_every=sample_every)
            raise _Rollback
    except _Rollback:
        pass
    return failures


def _batches(worlds: Iterable[World], size: int) -> Iterator[list[World]]:
    pending: list[World] = []
    for world in worlds:
        pending.append(world)
        if len(pending) == size:
            yield pending
            pending = []
    if pending:
        yield pending


def run(
    worlds: Iterable[World],
    *,
    batch: int = BATCH,
    sample_every: int | None = SAMPLE_EVERY,
    progress=None,
    workers: int = WORKERS,
) -> Outcome:
    """Checks ``worlds`` batch by batch in ``workers`` threads (see ``WORKERS``), each with its
    own database connection, ballast and transaction (rolled back). On a failure the others
    stop, and the earliest failing batch's first failing world is shrunk."""
    tally = Tally()
    started = time.monotonic()
    cpu = time.process_time()
    _template.cache_clear()  # compiled from the policy as it is now (a test may have patched it)
    t0 = reference_time()
    queue = enumerate(_batches(worlds, batch))
    lock = threading.Lock()
    stop = threading.Event()
    failed: list[tuple[int, list[World], list[Failure]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            backend = _backend()
            with ballast(t0):
                while not stop.is_set():
                    with lock:
                        number, worlds_ = next(queue, (None, None))
                    if worlds_ is None:
                        return
                    # The sample of worlds whose every face is checked depends on the
                    # world's place in the sequence, not on the thread that checks it.
                    mine = Tally(worlds=number * batch)
                    failures = check_worlds(worlds_, t0, mine, sample_every=sample_every)
                    with lock:
                        tally.worlds += len(worlds_)
                        tally.cases += mine.cases
                        tally.sampled += mine.sampled
                        if failures:
                            failed.append((number, worlds_, failures))
                            stop.set()
                        elif progress:
                            progress(tally, time.monotonic() - started)
        except BaseException as error:
            errors.append(error)
            stop.set()
        finally:
            with lock:
                tally.database_seconds += _cpu_seconds(backend)
            connection.close()

    threads = [threading.Thread(target=work, name=f"oracle-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()  # interrupted: the workers stop after their batch
        raise
    tally.python_seconds = time.process_time() - cpu
    if errors:
        raise errors[0]
    if failed:
        _number, worlds_, failures = min(failed, key=lambda item: item[0])
        with ballast(t0):
            smallest, failure, steps = shrink(worlds_[failures[0].world], t0, failures[0])
        return Outcome(tally, time.monotonic() - started, describe(smallest, failure, t0, steps), smallest)
    return Outcome(tally, time.monotonic() - started)


# -- shrinking ------------------------------------------------------------------------------


def _put(items: tuple, index: int, value) -> tuple:
    return (*items[:index], value, *items[index + 1 :])


def _first_failure(world: World, t0: datetime, faces: bool) -> Failure | None:
    failures = check_worlds([world], t0, Tally(), sample_every=1 if faces else None)
    return failures[0] if failures else None


def shrink(world: World, t0: datetime, first: Failure) -> tuple[World, Failure, int]:
    # The per-world faces are slow: they are asked again only if they were what failed.
    faces = first.check != "visible_dossiers"
    failure = _first_failure(world, t0, faces)
    assert failure is not None, "the failing world passes alone"
    steps = 0
    changed = True
    while changed:
        changed = False
        for candidate in _smaller(world):
            found = _first_failure(candidate, t0, faces)
            if found is not None:
                world, failure, changed = candidate, found, True
                steps += 1
                break
    return world, failure, steps


def _smaller(world: World):
    for i in range(len(world.ops)):
        yield replace(world, ops=world.ops[:i] + world.ops[i + 1 :])
    if len(world.owners) > 1:
        for d in range(len(world.owners)):
            ops = tuple(
                replace(op, dossier=op.dossier - (op.dossier > d)) for op in world.ops if op.dossier != d
            )
            yield replace(world, owners=world.owners[:d] + world.owners[d + 1 :], ops=ops)
    for p in range(len(world.orgs), len(world.people)):
        ops = tuple(
            replace(op, target=op.target - (op.target > p)) if op.kind == "share_user" else op
            for op in world.ops
            if not (op.kind == "share_user" and op.target == p)
        )
        yield replace(world, people=world.people[:p] + world.people[p + 1 :], ops=ops)
    for p, person in enumerate(world.people):
        if p >= len(world.orgs) and len(person.memberships) > 1:
            for m in range(len(person.memberships)):
                less = replace(person, memberships=person.memberships[:m] + person.memberships[m + 1 :])
                yield replace(world, people=_put(world.people, p, less))
    for i, op in enumerate(world.ops):
        simpler = []
        if op.expires is not None:
            simpler.append(replace(op, expires=None))
        if op.roles:
            simpler.append(replace(op, roles=frozenset()))
        for candidate in simpler:
            yield replace(world, ops=_put(world.ops, i, candidate))
    for p, person in enumerate(world.people):
        for m, member in enumerate(person.memberships):
            for candidate in (
                replace(member, ends=None) if member.ends is not None else None,
                replace(member, starts=-30) if member.starts != -30 else None,
                replace(member, active=True) if not member.active else None,
            ):
                if candidate is not None:
                    members = _put(person.memberships, m, candidate)
                    yield replace(world, people=_put(world.people, p, replace(person, memberships=members)))
        if not person.active:
            yield replace(world, people=_put(world.people, p, replace(person, active=True)))
    for o, active in enumerate(world.orgs):
        if not active:
            yield replace(world, orgs=_put(world.orgs, o, True))


# -- the readable report --------------------------------------------------------------------


def _offset(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else "+"
    delta = abs(delta)
    if delta == timedelta(0):
        return "t0"
    if delta < timedelta(seconds=1):
        return f"t0 {sign} {delta.microseconds} µs"
    parts = []
    if delta.days:
        parts.append(f"{delta.days} d")
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    for value, unit in ((hours, "h"), (minutes, "min"), (seconds, "s")):
        if value:
            parts.append(f"{value} {unit}")
    if delta.microseconds:
        parts.append(f"{delta.microseconds} µs")
    return f"t0 {sign} {' '.join(parts)}"


def _day(days: int) -> str:
    return "t0's day" if days == 0 else f"t0's day {'+' if days > 0 else '-'} {abs(days)}"


def _op(op: Op) -> str:
    d = f"D{op.dossier}"
    until = f", expires {_offset(op.expires)}" if op.expires is not None else ""
    if op.kind == "share_org":
        roles = f" (roles: {', '.join(sorted(op.roles))})" if op.roles else " (every role)"
        return f"share {d} with O{op.target}{roles} at level {LEVEL_NAMES[op.level]}{until}"
    if op.kind == "share_user":
        return f"share {d} with person P{op.target} at level {LEVEL_NAMES[op.level]}{until}"
    if op.kind == "revoke":
        return f"revoke share no. {op.target} (in target order) of {d}"
    kept = LEVEL_NAMES[op.level] if op.level else "nothing"
    return f"hand {d} over to O{op.target}, the former owner keeps {kept}"


def describe(world: World, failure: Failure, t0: datetime, steps: int = 0) -> str:
    state = settle(world, t0)
    lines = [f"Smallest failing world (after {steps} shrinking steps); t0 = {t0.isoformat()}:"]
    lines.append(
        "organisations: "
        + ", ".join(f"O{i}" + ("" if active else " (deactivated)") for i, active in enumerate(world.orgs))
    )
    lines.append("people:")
    for p, person in enumerate(world.people):
        members = []
        for member in person.memberships:
            text = f"{member.role} at O{member.org}"
            if not member.active:
                text += " (membership deactivated)"
            if member.starts != -30:
                text += f", from {_day(member.starts)}"
            if member.ends is not None:
                text += f", until {_day(member.ends)}"
            members.append(text)
        account = "" if person.active else " [account deactivated]"
        lines.append(f"  P{p}{account}: " + "; ".join(members))
    lines.append("dossiers: " + ", ".join(f"D{d} created by O{o}" for d, o in enumerate(world.owners)))
    lines.append("operations:")
    for n, op in enumerate(world.ops, 1):
        refused = " -- refused by the rules, changes nothing" if op in state.refused else ""
        lines.append(f"  {n}. {_op(op)}{refused}")
    lines.append("outcome: " + ", ".join(f"D{d} owned by O{o}" for d, o in enumerate(state.owner)))
    who = f"P{failure.person}" if failure.person is not None else ""
    what = f"D{failure.dossier}" if failure.dossier is not None else ""
    at_level = f" at level {LEVEL_NAMES[failure.level]}" if failure.level else ""
    lines.append(
        f"FAILS: {failure.check}({', '.join(x for x in (who, what) if x)}{at_level}) "
        f"at {_offset(failure.at - t0)} ({timezone.localtime(failure.at).isoformat()})"
    )
    lines.append(f"  expected (the model): {failure.expected}")
    lines.append(f"  got (the portal):     {failure.got}")
    return "\n".join(lines)
