"""The facts rows stay equal to the dossiers and their journal whatever the actions do."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.dossiers.actions import change_status, create_dossier, update_dossier
from portal.dossiers.models import Dossier
from portal.dossiers.retention import destroy
from portal.dossiers.sharing import hand_over
from portal.dossiers.workflow import allowed_targets
from portal.journal.models import Action, JournalEntry
from portal.statistics.models import ArchivedFacts, DossierFacts
from tests.statistics.generator import CANTONS, KINDS, SECTORS

pytestmark = pytest.mark.django_db

COLUMNS = (
    "owner_id",
    "control_kind",
    "sector",
    "canton",
    "status",
    "persons_checked",
    "opened_at",
    "opened_on",
    "report_at",
    "sanction_at",
    "closed_at",
    "closed_on",
    "wage_underpayment_chf",
    "working_time_violation",
    "penalty_chf",
    "fine_chf",
    "ban_years",
    "agreement_extended",
    "listed_publicly",
)


def recomputed(dossier: Dossier) -> dict:
    """The facts of ``dossier`` the long way round: its row and its journal, read in Python."""
    moves = [
        (entry.details["status"][1], entry.created_at)
        for entry in JournalEntry.objects.filter(
            object_type="dossier", object_id=dossier.pk, action=Action.CHANGE
        ).order_by("id")
        if "status" in entry.details
    ]
    first = {}
    for status, at in moves:
        first.setdefault(status, at)
    closings = [at for status, at in moves if status == "closed"]
    closed_at = closings[-1] if closings else dossier.updated_at
    return {
        "owner_id": dossier.owner_id,
        "control_kind": dossier.control_kind,
        "sector": dossier.sector,
        "canton": dossier.canton,
        "status": dossier.status,
        "persons_checked": dossier.persons_checked,
        "opened_at": dossier.created_at,
        "opened_on": timezone.localdate(dossier.created_at),
        "report_at": first.get("report_written"),
        "sanction_at": first.get("sanction_decided"),
        "closed_at": closed_at,
        "closed_on": timezone.localdate(closed_at) if dossier.status == "closed" else None,
        "wage_underpayment_chf": dossier.wage_underpayment_chf,
        "working_time_violation": bool(dossier.working_time_violations.strip()),
        "penalty_chf": dossier.penalty_chf,
        "fine_chf": dossier.fine_chf,
        "ban_years": dossier.ban_years,
        "agreement_extended": dossier.agreement_extended,
        "listed_publicly": dossier.listed_publicly,
    }


def stored() -> dict[int, dict]:
    return {row["dossier_id"]: row for row in DossierFacts.objects.values("dossier_id", *COLUMNS)}


def expected_rows() -> dict[int, dict]:
    return {
        dossier.pk: {"dossier_id": dossier.pk, **recomputed(dossier)} for dossier in Dossier.objects.all()
    }


def random_changes(rng: random.Random) -> dict:
    choices = {
        "persons_checked": lambda: rng.randrange(0, 30),
        "sector": lambda: rng.choice(SECTORS),
        "canton": lambda: rng.choice(CANTONS),
        "control_kind": lambda: rng.choice(KINDS),
        "deadline": lambda: rng.choice([None, date(2026, 1, 1) + timedelta(days=rng.randrange(0, 400))]),
        "wage_underpayment_chf": lambda: rng.choice([None, Decimal("0.00"), Decimal(rng.randrange(1, 9000))]),
        "working_time_violations": lambda: rng.choice(["", "Ruhezeiten nicht eingehalten", "  "]),
        "penalty_chf": lambda: rng.choice([None, Decimal(rng.randrange(1, 9000))]),
        "fine_chf": lambda: rng.choice([None, Decimal(rng.randrange(1, 9000))]),
        "ban_years": lambda: rng.choice([None, rng.randrange(1, 6)]),
        "agreement_extended": lambda: rng.random() < 0.5,
        "listed_publicly": lambda: rng.random() < 0.5,
    }
    return {name: choices[name]() for name in rng.sample(sorted(choices), rng.randrange(1, 5))}


def create_random(rng, owners, worker_of, company_name: str, *, persons: bool = False) -> Dossier:
    """A dossier created through the action for a body of ``owners``, with a random canton,
    kind and sector (and number of persons checked), drawn in that order."""
    owner = rng.choice(owners)
    return create_dossier(
        owner=owner,
        acting_user=worker_of[owner.pk],
        company_name=company_name,
        canton=rng.choice(CANTONS),
        control_kind=rng.choice(KINDS),
        sector=rng.choice(SECTORS),
        **({"persons_checked": rng.randrange(0, 20)} if persons else {}),
    )


def workflow_step(operation, rng, live, index, worker_of, other) -> bool:
    """Carries out a status change, an edit or a hand-over of ``live[index]`` through the
    actions (keeping ``live`` current); False for any other operation, and for a status change
    from a status that allows none."""
    dossier = Dossier.objects.get(pk=live[index].pk)
    worker = worker_of[dossier.owner_id]
    if operation == "status" and allowed_targets(dossier.status):
        target = rng.choice(sorted(allowed_targets(dossier.status)))
        live[index] = change_status(dossier=dossier, target=target, acting_user=worker)
    elif operation == "edit":
        live[index] = update_dossier(dossier=dossier, acting_user=worker, **random_changes(rng))
    elif operation == "hand_over":
        hand_over(dossier=dossier, to_organisation=other[dossier.owner_id], acting_user=worker)
    else:
        return False
    return True


@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_the_facts_rows_equal_a_recomputation_after_random_operations(
    seed, organisation_a, organisation_b, worker_a, worker_b
):
    rng = random.Random(seed)
    worker_of = {organisation_a.pk: worker_a, organisation_b.pk: worker_b}
    other = {organisation_a.pk: organisation_b, organisation_b.pk: organisation_a}
    live: list[Dossier] = []
    kept_before_destruction = []
    for step in range(60):
        operation = (
            rng.choice(["create", "status", "status", "edit", "hand_over", "destroy"]) if live else "create"
        )
        if operation == "create":
            live.append(
                create_random(rng, [organisation_a, organisation_b], worker_of, f"Zufall {seed}-{step} AG")
            )
            continue
        index = rng.randrange(len(live))
        if not workflow_step(operation, rng, live, index, worker_of, other):  # destroyed instead
            kept_before_destruction.append(stored()[live[index].pk])
            destroy(Dossier.objects.get(pk=live[index].pk))
            live.pop(index)
        assert stored() == expected_rows(), f"after step {step} ({operation})"

    assert set(stored()) == {dossier.pk for dossier in live}
    assert kept_before_destruction, "the seeds destroy some dossiers"
    kept = list(ArchivedFacts.objects.order_by("id").values(*COLUMNS))
    assert kept == [{name: row[name] for name in COLUMNS} for row in kept_before_destruction]


def test_the_rebuild_command_writes_the_same_rows_again(organisation_a, worker_a):
    dossier = create_dossier(
        owner=organisation_a,
        acting_user=worker_a,
        company_name="Neu AG",
        canton="GE",
        control_kind="self_employed",
    )
    change_status(dossier=dossier, target="under_control", acting_user=worker_a)
    before = stored()
    DossierFacts.objects.all().delete()
    Dossier.objects.filter(pk=dossier.pk).update(persons_checked=7)  # a write past the actions

    call_command("rebuild_statistics_facts", verbosity=0)

    assert stored() == expected_rows() != before
    assert stored()[dossier.pk]["persons_checked"] == 7 and stored()[dossier.pk]["status"] == "under_control"
