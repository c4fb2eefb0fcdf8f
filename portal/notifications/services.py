"""Creating notifications and sending them: one e-mail per event, or one digest a day.

E-mails carry the dossier's reference and a link, never case contents: whoever follows
the link signs in with two factors and passes the permission policy like anyone else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.notifications.models import Kind, Notification
from tenants.models import Membership
from tenants.roles import Role

_without_mail: ContextVar[bool] = ContextVar("notifications_without_mail", default=False)


@contextmanager
def without_mail() -> Iterator[None]:
    """Record what happens inside as already told, mailing no one now or in a digest.

    For data that describes no real event, such as the demo data ``seed_demo`` loads."""
    token = _without_mail.set(True)
    try:
        yield
    finally:
        _without_mail.reset(token)


def _language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _link(dossier_id: int) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("dossiers:detail", args=[dossier_id])


def notify(
    recipients: Iterable, dossier, kind: str, *, actor=None, immediate: bool = False
) -> list[Notification]:
    """Record ``kind`` for every recipient but the actor; mail those who want it at once."""
    people = {
        user.pk: user for user in recipients if user.is_active and (actor is None or user.pk != actor.pk)
    }
    told = timezone.now() if _without_mail.get() else None
    created = Notification.objects.bulk_create(
        Notification(recipient=user, dossier=dossier, kind=kind, sent_at=told) for user in people.values()
    )
    if told:
        return created
    for notification in created:
        notification.recipient = people[notification.recipient_id]
    deliver([n for n in created if immediate or n.recipient.notification_mode == "immediate"])
    return created


def deliver(notifications: list[Notification]) -> None:
    """One e-mail per notification, in the recipient's language."""
    for notification in notifications:
        user = notification.recipient
        with translation.override(_language(user)):
            context = {
                "user": user,
                "items": [notification],
                "reference": notification.dossier.reference,
                "link": _link(notification.dossier_id),
                "kind": Kind(notification.kind).label,
            }
            subject = f"[{settings.WAGTAIL_SITE_NAME}] {context['kind']}: {context['reference']}"
            body = render_to_string("notifications/event.txt", context)
        send_mail(subject, body, None, [user.email])
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(sent_at=timezone.now())


def send_digests(*, at: datetime | None = None) -> int:
    """Send each digest reader one e-mail with everything unsent. Returns how many went."""
    pending = (
        Notification.objects.filter(sent_at__isnull=True, recipient__notification_mode="digest")
        .select_related("recipient", "dossier")
        .order_by("recipient_id", "created_at")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    for items in by_user.values():
        user = items[0].recipient
        with translation.override(_language(user)):
            rows = [
                {"kind": Kind(n.kind).label, "reference": n.dossier.reference, "link": _link(n.dossier_id)}
                for n in items
            ]
            subject = f"[{settings.WAGTAIL_SITE_NAME}] " + translation.gettext("Your daily summary")
            body = render_to_string("notifications/digest.txt", {"user": user, "rows": rows})
        with transaction.atomic():
            send_mail(subject, body, None, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(sent_at=at or timezone.now())
    return len(by_user)


def warn_destruction(*, at=None) -> int:
    """E-mail the owner's administrators and case workers about dossiers destroyed within the warning window."""
    from portal.dossiers.retention import due_for_warning

    at = at or timezone.now()
    warned = 0
    for dossier in due_for_warning(at).select_related("owner", "responsible"):
        members = Membership.objects.current().filter(
            organisation_id=dossier.owner_id, role__in=[Role.ADMINISTRATOR, Role.CASE_WORKER]
        )
        recipients = [m.user for m in members.select_related("user")]
        if dossier.responsible:
            recipients.append(dossier.responsible)
        notify(recipients, dossier, Kind.DESTRUCTION, immediate=True)
        type(dossier).objects.filter(pk=dossier.pk).update(destruction_warned_at=at)
        warned += 1
    return warned
