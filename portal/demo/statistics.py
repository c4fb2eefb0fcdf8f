"""Generated control cases over the last two years, so the statistics have something to show.

A few hundred cases for four bodies, drawn from a seeded random generator (the same cases
for the same day). Cases opened more than twelve months ago would have been destroyed by
retention already, so they exist only as the anonymous facts destruction leaves behind
(:class:`~portal.statistics.models.ArchivedFacts`); younger ones are dossiers with the
status history ``change_status`` would have journaled, written in bulk (no documents, no
messages, not in the search index or the changes feed). A journal entry marks the seeding;
a second run finds it and writes nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from portal.dossiers.actions import reference_prefix
from portal.dossiers.models import Dossier, ReferenceSequence
from portal.dossiers.workflow import Status, allowed_targets
from portal.journal.actions import _CHAIN_LOCK, record
from portal.journal.models import GENESIS, Action, JournalEntry
from portal.statistics import facts as statistics_facts
from portal.statistics.models import ArchivedFacts
from tenants.models import Organisation

User = get_user_model()

SEED = 17
CASES = 360
DAYS = 730
MARKER = {"object_type": "demo_data", "object_reference": "statistics"}

# body slug, its case worker, cantons of work, sectors, language of the company names
BODIES = [
    ("ge-authority", "case.ge@demo.example", ["GE"], ["Gros œuvre", "Nettoyage", "Hôtellerie", "Paysagisme"]),
    (
        "zh-authority",
        "case.zh@demo.example",
        ["ZH"],
        ["Fassadenbau", "Reinigung", "Gastgewerbe", "Personalverleih"],
    ),
    ("ti-authority", "case.ti@demo.example", ["TI"], ["Edilizia", "Pulizia", "Alberghiero"]),
    ("pk-bau", "case.pkbau@demo.example", ["ZH", "BE", "AG", "GR", "SG"], ["Bauhauptgewerbe"]),
]
BODIES_BY_SLUG = {body[0]: body[1] for body in BODIES}
# The demo sectors without a collective agreement declared generally binding (the report's
# split "without an extended agreement"); every other demo sector has one.
NOT_EXTENDED = {"Paysagisme"}
KINDS = [
    "posted_workers",
    "posted_workers",
    "swiss_employer",
    "swiss_employer",
    "self_employed",
    "temporary_agency",
]
SUFFIXES = {"GE": ["SA", "Sàrl"], "TI": ["SA", "Sagl"]}
PATH = [
    Status.UNDER_CONTROL.value,
    Status.REPORT_WRITTEN.value,
    Status.TRANSFERRED_FOR_SANCTION.value,
    Status.SANCTION_DECIDED.value,
    Status.CLOSED.value,
]


def _case(rng: random.Random, today, body) -> dict:
    slug, _email, cantons, sectors = body
    canton = rng.choice(cantons)
    opened_day = today - timedelta(days=rng.randrange(1, DAYS))
    opened = timezone.make_aware(datetime.combine(opened_day, time(8 + rng.randrange(9), rng.randrange(60))))
    age = (today - opened_day).days
    # older cases are further along; about one in eight stops early and is closed
    steps = min(len(PATH), max(0, age // 30 + rng.randrange(-2, 2)))
    moves, at = [], opened
    for status in PATH[:steps]:
        at += timedelta(days=rng.randrange(5, 60), hours=rng.randrange(8))
        if at.date() >= today:
            break
        moves.append((status, at))
    early = moves and Status.CLOSED in allowed_targets(moves[-1][0])
    if early and rng.random() < 0.12 and at.date() < today - timedelta(days=5):
        at += timedelta(days=3)
        moves.append((Status.CLOSED.value, at))
    undercut = rng.random() < 0.3
    sanctioned = any(status == Status.SANCTION_DECIDED for status, _at in moves)
    case = {
        "slug": slug,
        "canton": canton,
        "sector": rng.choice(sectors),
        "kind": rng.choice(KINDS),
        "persons": rng.randrange(1, 30),
        "opened": opened,
        "moves": moves,
        "underpayment": Decimal(rng.randrange(200, 60000)) if undercut else None,
        "working_time": rng.random() < 0.2,
        "penalty": Decimal(rng.randrange(10, 200) * 100) if sanctioned and rng.random() < 0.6 else None,
        "fine": Decimal(rng.randrange(5, 50) * 100) if sanctioned and rng.random() < 0.4 else None,
        "ban_years": rng.randrange(1, 4) if sanctioned and rng.random() < 0.1 else None,
        "deadline": opened_day + timedelta(days=rng.randrange(20, 120)),
        "company": f"Betrieb {rng.randrange(100, 999)}-{len(moves)}{rng.choice('ABCDEFGH')} "
        + rng.choice(SUFFIXES.get(canton, ["AG", "GmbH"])),
    }
    # Decided without the random generator, so the cases drawn stay the same as before.
    case["extended"] = case["sector"] not in NOT_EXTENDED
    case["listed"] = bool(case["fine"] or case["ban_years"])  # a final fine or ban: published
    return case


def _archived(case: dict, owner) -> ArchivedFacts:
    first = dict(reversed(case["moves"]))  # the first move to each status wins
    status = case["moves"][-1][0] if case["moves"] else Status.OPENED.value
    closed_at = case["moves"][-1][1] if status == Status.CLOSED else None
    return ArchivedFacts(
        owner=owner,
        control_kind=case["kind"],
        sector=case["sector"],
        canton=case["canton"],
        status=status,
        persons_checked=case["persons"],
        opened_at=case["opened"],
        opened_on=timezone.localdate(case["opened"]),
        report_at=first.get(Status.REPORT_WRITTEN),
        sanction_at=first.get(Status.SANCTION_DECIDED),
        closed_at=closed_at,
        closed_on=timezone.localdate(closed_at) if closed_at else None,
        wage_underpayment_chf=case["underpayment"],
        working_time_violation=case["working_time"],
        penalty_chf=case["penalty"],
        fine_chf=case["fine"],
        ban_years=case["ban_years"],
        agreement_extended=case["extended"],
        listed_publicly=case["listed"],
    )


def _references(owner, year: int, count: int) -> list[str]:
    """``count`` numbers from the owner's sequence for ``year``, as ``create_dossier`` hands out."""
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(
        organisation=owner, year=year
    )
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + count)
    return [
        f"{reference_prefix(owner)}-{year}-{n:05d}"
        for n in range(sequence.last_number + 1, sequence.last_number + count + 1)
    ]


@transaction.atomic
def seed_statistics() -> int:
    """Write the generated cases once. Returns how many (0 when they are there already)."""
    if JournalEntry.objects.filter(**MARKER).exists():
        return 0
    organisations = Organisation.objects.in_bulk([body[0] for body in BODIES], field_name="slug")
    workers = User.objects.in_bulk([body[1] for body in BODIES], field_name="email")
    today = timezone.localdate()
    rng = random.Random(SEED)
    cases = [_case(rng, today, rng.choice(BODIES)) for _ in range(CASES)]
    horizon = today - timedelta(days=365)
    old = [c for c in cases if timezone.localdate(c["opened"]) <= horizon]
    young = sorted((c for c in cases if timezone.localdate(c["opened"]) > horizon), key=lambda c: c["opened"])
    ArchivedFacts.objects.bulk_create([_archived(c, organisations[c["slug"]]) for c in old])

    numbers: dict[tuple[str, int], list[str]] = {}
    for c in young:
        numbers.setdefault((c["slug"], timezone.localdate(c["opened"]).year), []).append("")
    for (slug, year), slots in numbers.items():
        slots[:] = _references(organisations[slug], year, len(slots))
    dossiers = []
    for c in young:
        owner = organisations[c["slug"]]
        dossiers.append(
            Dossier(
                reference=numbers[(c["slug"], timezone.localdate(c["opened"]).year)].pop(0),
                owner=owner,
                company_name=c["company"],
                company_country="CH",
                canton=c["canton"],
                sector=c["sector"],
                control_kind=c["kind"],
                persons_checked=c["persons"],
                status=c["moves"][-1][0] if c["moves"] else Status.OPENED.value,
                deadline=c["deadline"],
                wage_underpayment_chf=c["underpayment"],
                working_time_violations="Ruhezeiten nicht eingehalten." if c["working_time"] else "",
                penalty_chf=c["penalty"],
                fine_chf=c["fine"],
                ban_years=c["ban_years"],
                agreement_extended=c["extended"],
                listed_publicly=c["listed"],
                created_at=c["opened"],
                created_by=workers.get(BODIES_BY_SLUG[c["slug"]]),
                last_activity_at=c["opened"],
                destroy_after=c["opened"] + timedelta(days=365),
            )
        )
    Dossier.objects.bulk_create(dossiers)
    _journal(young, dossiers, organisations, workers)
    statistics_facts.refresh([dossier.pk for dossier in dossiers])  # written in bulk, not by the actions
    record(action=Action.CREATE, details={"cases": len(cases), "archived": len(old)}, **MARKER)
    return len(cases)


def _journal(cases: list[dict], dossiers: list[Dossier], organisations, workers) -> None:
    """The creation and status changes of each dossier, chained as ``record`` chains them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    previous = JournalEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS
    entries = []
    for case, dossier in zip(cases, dossiers, strict=True):
        actor = workers.get(BODIES_BY_SLUG[case["slug"]])
        owner = organisations[case["slug"]]
        steps = [(Action.CREATE, case["opened"], {"dossier": dossier.pk, "fields": ["generated"]})]
        before = Status.OPENED.value
        for status, at in case["moves"]:
            steps.append((Action.CHANGE, at, {"dossier": dossier.pk, "status": [before, status]}))
            before = status
        for action, at, details in steps:
            entry = JournalEntry(
                created_at=at.astimezone(UTC),
                actor=actor,
                actor_label=getattr(actor, "email", ""),
                organisation=owner,
                organisation_label=owner.short_name,
                address=None,
                action=action,
                object_type="dossier",
                object_id=dossier.pk,
                object_reference=dossier.reference,
                details=details,
                previous_hash=previous,
            )
            entry.entry_hash = entry.compute_hash()
            previous = entry.entry_hash
            entries.append(entry)
    JournalEntry.objects.bulk_create(entries, batch_size=1000)
