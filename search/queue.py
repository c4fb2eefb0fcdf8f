"""The durable queue between the portal's changes and the search engine.

``enqueue`` writes a ``PendingUpdate`` row inside the caller's transaction, so an update
exists exactly when the change it stands for does. Once the transaction commits, the
``process_index`` task takes due rows (``SKIP LOCKED``, so workers never collide), builds
their records and hands them to the backend. A row leaves the queue only when the
backend took it; on failure it stays, with its attempts, error and next try
(exponential backoff up to ``PORTAL_SEARCH_RETRY_MAX_SECONDS``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from search.backends import get_backend
from search.backends.base import SearchBackend
from search.models import PendingUpdate
from search.records import parse_key, records_for

log = logging.getLogger(__name__)


def enqueue(keys: list[str], *, acl: bool = False) -> None:
    """Queue index updates for ``keys``; processed once the current transaction commits."""
    now = timezone.now()
    rows = [
        PendingUpdate(key=key, acl=acl, dossier_id=parse_key(key)[1] if key.startswith("dossier:") else None)
        for key in dict.fromkeys(keys)
    ]
    PendingUpdate.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["key"], update_fields=["next_attempt_at"]
    )
    if acl:
        PendingUpdate.objects.filter(key__in=[r.key for r in rows]).update(acl=True, next_attempt_at=now)
    schedule()


def _run_queue() -> None:
    from search.tasks import process_index

    process_index.enqueue()


def schedule() -> None:
    """Run the queue after the current transaction commits (once per transaction)."""
    if any(entry[1] is _run_queue for entry in connection.run_on_commit):
        return
    transaction.on_commit(_run_queue)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(0, attempts - 1), settings.PORTAL_SEARCH_RETRY_MAX_SECONDS))


def apply(keys: list[str], backend: SearchBackend) -> None:
    """Bring the engine in line with the database for ``keys``."""
    dossier_keys = [k for k in keys if k.startswith("dossier:")]
    other_keys = [k for k in keys if not k.startswith("dossier:")]
    batch = records_for(dossier_keys, with_children=True)
    for key in batch.missing:
        backend.delete_dossier(parse_key(key)[1])
    others = records_for(other_keys)
    if others.missing:
        backend.delete(others.missing)
    records = {record.key: record for record in batch.records + others.records}
    backend.index(list(records.values()))


def process(*, limit: int = 200, backend: SearchBackend | None = None) -> dict:
    """Process every due update; returns what was done and when the next retry is due."""
    backend = backend or get_backend()
    done = failed = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            rows = list(
                PendingUpdate.objects.select_for_update(skip_locked=True)
                .filter(next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")[:limit]
            )
            if not rows:
                break
            try:
                with transaction.atomic():  # a savepoint: a failure leaves the rows usable
                    apply([row.key for row in rows], backend)
            except Exception as exc:  # the engine is down or refused: keep the rows
                log.warning("Search index update failed for %d entries: %s", len(rows), exc)
                for row in rows:
                    row.attempts += 1
                    row.next_attempt_at = now + backoff(row.attempts)
                    row.last_error = str(exc)[:2000]
                PendingUpdate.objects.bulk_update(rows, ["attempts", "next_attempt_at", "last_error"])
                failed += len(rows)
                break
            PendingUpdate.objects.filter(pk__in=[row.pk for row in rows]).delete()
            done += len(rows)
    upcoming = (
        PendingUpdate.objects.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    )
    return {"indexed": done, "failed": failed, "next_retry": upcoming}


def retry_now() -> int:
    """Make every waiting update due at once (after the engine is back, by hand)."""
    return PendingUpdate.objects.update(next_attempt_at=timezone.now())
