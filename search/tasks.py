"""Background work for search, run by ``manage.py db_worker`` (django-tasks' database backend)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import default_task_backend, task

from portal.documents.models import DocumentVersion
from search import queue
from search.extract import extract_version


@task(queue_name="search")
def process_index() -> dict:
    outcome = queue.process()
    # Rows still waiting for their backoff (failed in this run or an earlier one) get a
    # deferred run at the first retry, so they land with no one's help. Not only after a
    # failure: a run that succeeded for the due rows leaves the others waiting too.
    if outcome["next_retry"] and default_task_backend.supports_defer:
        process_index.using(run_after=outcome["next_retry"]).enqueue()
    return {key: str(value) for key, value in outcome.items()}


@task(queue_name="search")
def extract_text(version_id: int) -> str:
    version = DocumentVersion.objects.select_related("document").filter(pk=version_id).first()
    if version is None:
        return "gone"
    extracted = extract_version(version)
    if version.document.current_version_id == version.pk:
        with transaction.atomic():
            queue.enqueue([f"document:{version.document_id}"])
    return extracted.status
