"""What happened to a dossier: written to the changes feed at once, announced on commit.

Actions call these inside their transaction. Each call adds a row to the changes feed
(:class:`~portal.dossiers.models.Change`) in that same transaction, and sends a signal once
the transaction commits; receivers elsewhere (notifications, the search index) react.
Nothing is announced, and nothing reaches the feed, for a transaction that rolls back.
"""

from __future__ import annotations

import contextvars

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from portal.dossiers.models import Change, DossierGroupObjectPermission, DossierUserObjectPermission
from tenants.models import Membership

dossier_shared = Signal()  # share, actor
share_revoked = Signal()  # dossier, details
dossier_handed_over = Signal()  # handover, actor
dossier_changed = Signal()  # dossier, actor
document_added = Signal()  # document, version, actor
message_posted = Signal()  # message, actor
dossier_destroyed = Signal()  # dossier_id, reference


def _later(signal: Signal, **kwargs) -> None:
    # Receivers run in the context (contextvars) of the action, not of whatever commits it, so
    # that e.g. ``notifications.services.without_mail()`` around an action holds however late
    # its transaction commits.
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(signal.send, sender=None, **kwargs), robust=False)


def _feed(kind: str, dossier_id: int, reference: str, *, obj=None, audience=()) -> None:
    Change.objects.create(
        kind=kind,
        dossier_id=dossier_id,
        reference=reference,
        object_type=obj._meta.model_name if obj is not None else "dossier",
        object_id=obj.pk if obj is not None else dossier_id,
        audience=sorted(set(audience)),
    )


def holders(shares, *, at=None) -> list[str]:
    """The principals that ``shares`` grant something to right now (``g:<group>``, ``u:<person>``).

    Read before a revocation or a destruction deletes the grant rows: exactly those who had
    access through the shares are told they lost it; a share for other roles, or one already
    expired, tells nobody.
    """
    at = at or timezone.now()
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=at)
    groups = DossierGroupObjectPermission.objects.filter(live, share__in=shares).values_list(
        "group_id", flat=True
    )
    users = DossierUserObjectPermission.objects.filter(
        live, share__in=shares, membership__in=Membership.objects.current(on=timezone.localdate(at))
    ).values_list("user_id", flat=True)  # a personal grant counts while its membership does
    return [f"g:{pk}" for pk in groups] + [f"u:{pk}" for pk in users]


def organisation(pk: int) -> str:
    """Every current member of the organisation ``pk``, as a feed principal."""
    return f"o:{pk}"


def shared(share, *, actor) -> None:
    # No audience: the row reaches exactly those who may see the dossier when they read it,
    # so a share for other roles, or one that has expired, names the dossier to nobody.
    dossier = share.dossier
    _feed(Change.Kind.SHARED, dossier.pk, dossier.reference)
    _later(dossier_shared, share=share, actor=actor)


def revoked(dossier, details, *, audience=()) -> None:
    _feed(Change.Kind.REVOKED, dossier.pk, dossier.reference, audience=audience)
    _later(share_revoked, dossier=dossier, details=details)


def handed_over(handover, *, actor) -> None:
    dossier = handover.dossier
    _feed(
        Change.Kind.HANDED_OVER,
        dossier.pk,
        dossier.reference,
        audience=[organisation(handover.from_organisation_id), organisation(handover.to_organisation_id)],
    )
    _later(dossier_handed_over, handover=handover, actor=actor)


def changed(dossier, *, actor, created: bool = False) -> None:
    _feed(Change.Kind.CREATED if created else Change.Kind.CHANGED, dossier.pk, dossier.reference)
    _later(dossier_changed, dossier=dossier, actor=actor)


def document(document, version, *, actor) -> None:
    dossier = document.dossier
    _feed(Change.Kind.DOCUMENT_ADDED, dossier.pk, dossier.reference, obj=document)
    _later(document_added, document=document, version=version, actor=actor)


def message(message, *, actor) -> None:
    dossier = message.dossier
    _feed(Change.Kind.MESSAGE_POSTED, dossier.pk, dossier.reference, obj=message)
    _later(message_posted, message=message, actor=actor)


def destroyed(dossier_id: int, reference: str, *, audience=()) -> None:
    _feed(Change.Kind.DESTROYED, dossier_id, reference, audience=audience)
    _later(dossier_destroyed, dossier_id=dossier_id, reference=reference)
