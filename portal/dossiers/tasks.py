"""The daily maintenance, as a django-tasks task (``manage.py run_daily`` enqueues it from cron)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from portal.api.clients import forget_expired
from portal.api.uploads import drop_expired
from portal.documents.actions import sweep_orphans
from portal.dossiers.retention import purge_expired
from portal.notifications.services import send_digests, warn_destruction


@task()
def daily_maintenance() -> dict:
    now = timezone.now()
    return {
        "warned": warn_destruction(at=now),
        "destroyed": purge_expired(at=now),
        "orphans_removed": len(sweep_orphans(older_than=now - timedelta(days=1))),
        "digests_sent": send_digests(at=now),
        "api_uploads_dropped": drop_expired(),
        "api_forgotten": forget_expired(at=now),
    }
