"""Automatic destruction after the retention period, legal holds, warnings and tombstones.

Each dossier carries its ``destroy_after`` date, computed from the configured starting
point: ``created`` (when it was put on the platform, the default) or ``last_activity``
(its latest document or message). Destruction takes the dossier with everything in it:
documents and their encrypted files, versions, messages, shares and grants, the API's
stored idempotent answers about it and its unfinished uploads (rows and pieces), and its
search-index entries (removed by the receivers of ``dossier_destroyed``). The journal keeps
a tombstone with the reference and the dates only; the statistics keep the dossier's
anonymous facts, in the same transaction (``dossier_destroyed`` is sent on commit, too late
to read them).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers import events
from portal.dossiers.journaling import journal
from portal.dossiers.models import Dossier
from portal.journal.actions import record
from portal.journal.models import Action
from portal.statistics.figures import archive as archive_facts
from tenants import policies
from tenants.models import OrganisationKind
from tenants.roles import Role

logger = logging.getLogger(__name__)


def retention_period() -> timedelta:
    return timedelta(days=settings.PORTAL_RETENTION_DAYS)


def destroy_after_for(dossier: Dossier) -> datetime:
    start = (
        dossier.last_activity_at if settings.PORTAL_RETENTION_FROM == "last_activity" else dossier.created_at
    )
    return start + retention_period()


def touch(dossier: Dossier, at: datetime | None = None) -> None:
    """Note new content on ``dossier`` (moves its destruction date when counting from activity)."""
    dossier.last_activity_at = at or timezone.now()
    dossier.destroy_after = destroy_after_for(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(
        last_activity_at=dossier.last_activity_at, destroy_after=dossier.destroy_after
    )


def may_hold(user, dossier: Dossier) -> bool:
    """The owner's administrators and the federal secretariat's administrators set legal holds."""
    membership = policies.membership_of(user, dossier.owner)
    if membership is not None and membership.role == Role.ADMINISTRATOR:
        return True
    return any(
        m.role == Role.ADMINISTRATOR and m.organisation.kind == OrganisationKind.FEDERAL_SECRETARIAT
        for m in user.memberships.current().select_related("organisation")
    )


@transaction.atomic
def set_legal_hold(*, dossier: Dossier, reason: str, acting_user, request=None) -> Dossier:
    if not may_hold(acting_user, dossier):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the legal hold.")})
    Dossier.objects.filter(pk=dossier.pk).update(
        legal_hold_reason=reason, legal_hold_by=acting_user, legal_hold_since=timezone.now()
    )
    journal(dossier, Action.CHANGE, actor=acting_user, request=request, details={"legal_hold": "set"})
    dossier.refresh_from_db()
    return dossier


@transaction.atomic
def lift_legal_hold(*, dossier: Dossier, acting_user, request=None) -> Dossier:
    if not may_hold(acting_user, dossier):
        raise PermissionDenied
    Dossier.objects.filter(pk=dossier.pk).update(
        legal_hold_reason="", legal_hold_by=None, legal_hold_since=None
    )
    journal(dossier, Action.CHANGE, actor=acting_user, request=request, details={"legal_hold": "lifted"})
    dossier.refresh_from_db()
    return dossier


def due_for_destruction(at: datetime | None = None):
    return Dossier.objects.filter(destroy_after__lte=at or timezone.now(), legal_hold_reason="")


def destroy(dossier: Dossier, *, reason: str = "retention") -> None:
    """Delete ``dossier`` with all it holds; leave a tombstone in the journal."""
    from portal.api.uploads import pieces_of
    from portal.documents.actions import delete_blobs_on_commit
    from portal.documents.models import DocumentVersion

    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("owner").filter(pk=dossier.pk).first()
        if locked is None or locked.legal_hold_reason:
            return
        blobs = list(DocumentVersion.objects.filter(document__dossier=locked).values_list("blob", flat=True))
        tombstone = {
            "reason": reason,
            "created_at": locked.created_at.isoformat(),
            "destroy_after": locked.destroy_after.isoformat(),
            "documents": len(blobs),
        }
        pk, reference, owner = locked.pk, locked.reference, locked.owner
        audience = [events.organisation(owner.pk), *events.holders(locked.shares.all())]
        archive_facts(Dossier.objects.filter(pk=pk))  # the yearly figures outlive the dossier
        pieces = pieces_of(locked)  # unfinished API uploads: their rows go with the dossier
        locked.delete()
        record(
            action=Action.DESTROY,
            object_type="dossier",
            object_id=pk,
            object_reference=reference,
            organisation=owner,
            details=tombstone,
        )
        delete_blobs_on_commit(blobs + pieces)
        events.destroyed(pk, reference, audience=audience)


def purge_expired(*, at: datetime | None = None, batch: int = 200) -> int:
    """Destroy every dossier past its date and not on hold. Returns how many went."""
    destroyed = 0
    while True:
        due = list(due_for_destruction(at).order_by("destroy_after").values_list("pk", flat=True)[:batch])
        if not due:
            return destroyed
        for pk in due:
            destroy(Dossier(pk=pk))
            destroyed += 1
        logger.info("Destroyed %s dossiers so far.", destroyed)


def due_for_warning(at: datetime | None = None):
    at = at or timezone.now()
    horizon = at + timedelta(days=settings.PORTAL_RETENTION_WARNING_DAYS)
    return Dossier.objects.filter(
        Q(destruction_warned_at__isnull=True), destroy_after__lte=horizon, legal_hold_reason=""
    )
