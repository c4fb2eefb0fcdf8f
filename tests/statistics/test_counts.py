"""The monthly counts stay equal to the sums of the facts rows whatever writes them."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from portal.dossiers.actions import change_status, create_dossier
from portal.dossiers.models import Dossier
from portal.dossiers.retention import destroy
from portal.statistics.facts import refresh
from portal.statistics.figures import Filters, Period, all_dossiers, figures_for
from portal.statistics.models import ArchivedFacts, DossierFacts, MonthlyCounts
from tests.statistics.generator import _at
from tests.statistics.test_facts import create_random, workflow_step

pytestmark = pytest.mark.django_db

SUMS = (
    "controls",
    "closed",
    "persons",
    "undercutting",
    "working_time",
    "penalties",
    "penalties_chf",
    "fines",
    "fines_chf",
    "bans",
    "ban_years",
    "extended",
    "listed",
)


def recomputed() -> dict[tuple, dict]:
    """The monthly counts the long way round: every facts row, live and kept, summed in Python."""
    cells: dict[tuple, Counter] = defaultdict(Counter)
    for model in (DossierFacts, ArchivedFacts):
        for facts in model.objects.all():
            key = (facts.owner_id, facts.control_kind, facts.sector, facts.canton)
            opened = cells[(*key, facts.opened_on.replace(day=1))]
            opened["controls"] += 1
            opened["persons"] += facts.persons_checked
            opened["undercutting"] += bool(facts.wage_underpayment_chf and facts.wage_underpayment_chf > 0)
            opened["working_time"] += facts.working_time_violation
            if facts.penalty_chf and facts.penalty_chf > 0:
                opened["penalties"] += 1
                opened["penalties_chf"] += facts.penalty_chf
            if facts.fine_chf and facts.fine_chf > 0:
                opened["fines"] += 1
                opened["fines_chf"] += facts.fine_chf
            if facts.ban_years is not None:
                opened["bans"] += 1
                opened["ban_years"] += facts.ban_years
            opened["extended"] += facts.agreement_extended
            opened["listed"] += facts.listed_publicly
            if facts.closed_on is not None:
                cells[(*key, facts.closed_on.replace(day=1))]["closed"] += 1
    return {
        key: {name: Decimal(counter[name]) if name.endswith("_chf") else counter[name] for name in SUMS}
        for key, counter in cells.items()
    }


def stored() -> dict[tuple, dict]:
    return {
        (
            row.pop("owner_id"),
            row.pop("control_kind"),
            row.pop("sector"),
            row.pop("canton"),
            row.pop("month"),
        ): row
        for row in MonthlyCounts.objects.values(
            "owner_id", "control_kind", "sector", "canton", "month", *SUMS
        )
    }


@pytest.mark.parametrize("seed", [5, 23, 2027])
def test_the_monthly_counts_equal_a_recomputation_after_random_operations(
    seed, organisation_a, organisation_b, worker_a, worker_b
):
    rng = random.Random(seed)
    worker_of = {organisation_a.pk: worker_a, organisation_b.pk: worker_b}
    other = {organisation_a.pk: organisation_b, organisation_b.pk: organisation_a}
    live: list[Dossier] = []
    done = Counter()
    for step in range(70):
        operation = (
            rng.choice(["create", "status", "status", "status", "edit", "hand_over", "backdate", "destroy"])
            if live
            else "create"
        )
        if operation == "create":
            live.append(
                create_random(
                    rng, [organisation_a, organisation_b], worker_of, f"Zähl {seed}-{step} AG", persons=True
                )
            )
            done[operation] += 1
            continue
        index = rng.randrange(len(live))
        if workflow_step(operation, rng, live, index, worker_of, other) or operation == "status":
            pass  # a status change from a status that allows none changes nothing
        elif operation == "backdate":  # a bulk writer past the actions moves the month of opening
            opened = _at(date(2025, 1, 1) + timedelta(days=rng.randrange(0, 600)))
            Dossier.objects.filter(pk=live[index].pk).update(created_at=opened)
            refresh([live[index].pk])
        elif operation == "destroy":
            destroy(Dossier.objects.get(pk=live[index].pk))
            live.pop(index)
        done[operation] += 1
        assert stored() == recomputed(), f"after step {step} ({operation})"

    assert done["destroy"] and done["hand_over"] and done["backdate"], done
    assert ArchivedFacts.objects.exists() and DossierFacts.objects.exists()
    assert not MonthlyCounts.objects.filter(controls=0, closed=0).exists(), "emptied cells are deleted"


def test_the_rebuild_command_sums_the_monthly_counts_afresh(organisation_a, worker_a):
    dossier = create_dossier(
        owner=organisation_a,
        acting_user=worker_a,
        company_name="Neu AG",
        canton="GE",
        control_kind="self_employed",
    )
    change_status(dossier=dossier, target="under_control", acting_user=worker_a)
    before = stored()
    with connection.cursor() as cursor:  # counts gone wrong, e.g. written by hand
        cursor.execute("UPDATE statistics_monthlycounts SET controls = 40, persons = 7")

    call_command("rebuild_statistics_facts", verbosity=0)

    assert stored() == recomputed() == before
    assert sum(cell["controls"] for cell in before.values()) == 1


def test_a_period_cut_inside_months_counts_the_same_as_whole_days(organisation_a, worker_a):
    """Whole months come from the counts, the cut days from the facts rows: every split
    of a period gives the controls opened and the cases closed in exactly those days."""
    openings = [date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 14), date(2025, 2, 28), date(2025, 3, 1)]
    for day in openings:
        dossier = create_dossier(
            owner=organisation_a, acting_user=worker_a, company_name=f"Tag {day} AG", canton="GE",
            control_kind="posted_workers",
        )  # fmt: skip
        Dossier.objects.filter(pk=dossier.pk).update(created_at=_at(day))
        refresh([dossier.pk])
    for start, end in [
        (date(2025, 1, 1), date(2025, 3, 31)),  # whole months only
        (date(2025, 1, 31), date(2025, 3, 1)),  # a day of January, February whole, a day of March
        (date(2025, 2, 2), date(2025, 2, 27)),  # inside one month
        (date(2025, 2, 14), date(2025, 2, 14)),  # one day
        (date(2025, 1, 15), date(2025, 2, 28)),  # cut January, whole February
        (date(2025, 2, 1), date(2025, 3, 1)),  # whole February, cut March
    ]:
        expected = len([day for day in openings if start <= day <= end])
        figures = figures_for(all_dossiers(), Filters(Period(start, end)), today=date(2026, 6, 1))
        assert figures.total.controls == expected, (start, end)
        assert sum(block.controls for block in figures.by_month.values()) == expected, (start, end)
