"""The queue's task keeps itself scheduled while updates wait for their retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from search.models import PendingUpdate
from search.tasks import process_index
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "search"]}
    }


def test_a_run_that_lands_the_due_updates_schedules_the_ones_still_waiting(database_tasks, organisation_a):
    """An update that failed earlier waits for its backoff; a later run succeeds for the other,
    due updates. The waiting one must get a run of its own, not wait for the next change."""
    dossiers = [DossierFactory(owner=organisation_a) for _ in range(2)]
    later = timezone.now() + timedelta(seconds=30)
    PendingUpdate.objects.all().delete()
    DBTaskResult.objects.all().delete()
    PendingUpdate.objects.create(key=f"dossier:{dossiers[0].pk}", dossier_id=dossiers[0].pk)
    PendingUpdate.objects.create(
        key=f"dossier:{dossiers[1].pk}",
        dossier_id=dossiers[1].pk,
        attempts=3,
        next_attempt_at=later,
        last_error="ConnectionError: refused",
    )

    outcome = process_index.call()

    assert outcome["indexed"] == "1" and outcome["failed"] == "0"
    assert list(PendingUpdate.objects.values_list("key", flat=True)) == [f"dossier:{dossiers[1].pk}"]
    [deferred] = DBTaskResult.objects.filter(task_path="search.tasks.process_index", status="READY")
    assert deferred.run_after == later


def test_an_empty_queue_schedules_nothing(database_tasks):
    PendingUpdate.objects.all().delete()
    DBTaskResult.objects.all().delete()
    assert process_index.call()["next_retry"] == "None"
    assert not DBTaskResult.objects.exists()
