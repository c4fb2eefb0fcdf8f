"""Writes of the workspace: remembering what a person has seen."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from portal.workspace.models import InboxRead, Visit


def _pause() -> timedelta:
    """A visit counts as new after the session could have expired (30 minutes by default)."""
    return timedelta(seconds=getattr(settings, "SESSION_COOKIE_AGE", 1800))


def record_visit(*, user, now: datetime | None = None) -> datetime:
    """Note a look at the home page; returns where "new since your last visit" starts."""
    now = now or timezone.now()
    visit = Visit.objects.filter(user=user).first()
    if visit is None:
        # First visit: what arrived since they joined is new to them.
        since = min(user.date_joined, now)
        Visit.objects.create(user=user, seen_at=now, since=since)
        return since
    if now - visit.seen_at > _pause():
        visit.since = visit.seen_at
    visit.seen_at = now
    visit.save(update_fields=["seen_at", "since"])
    return visit.since


def mark_inbox_read(*, user, organisation, until: datetime | None = None) -> None:
    InboxRead.objects.update_or_create(
        user=user, organisation=organisation, defaults={"read_until": until or timezone.now()}
    )
