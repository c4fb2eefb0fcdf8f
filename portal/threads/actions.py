"""Posting to a dossier's thread and keeping read state."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.documents.models import Category
from portal.documents.uploads import EncryptedUpload
from portal.dossiers import events
from portal.dossiers.access import require_level
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.dossiers.retention import touch
from portal.journal.models import Action
from portal.threads.models import Message, ReadState


def post_message(
    *,
    dossier,
    body: str,
    acting_user,
    acting_for,
    attachments: Sequence[EncryptedUpload] = (),
    request=None,
) -> Message:
    """Post ``body`` (and attachments, which become documents of the dossier) to the thread."""
    from portal.documents.actions import add_documents

    try:
        require_level(acting_user, dossier, Level.CONTRIBUTE)
        body = body.strip()
        if not body:
            raise ValidationError({"body": _("Write a message.")})
        if refusals := [upload.refusal for upload in attachments if upload.refusal]:
            raise ValidationError({"attachments": refusals})
        with transaction.atomic():
            message = Message.objects.create(
                dossier=dossier, author=acting_user, organisation=acting_for, body=body
            )
            if attachments:
                add_documents(
                    dossier=dossier,
                    uploads=attachments,
                    acting_user=acting_user,
                    acting_for=acting_for,
                    category=Category.CORRESPONDENCE,
                    message=message,
                    request=request,
                )
            journal(
                dossier,
                Action.CREATE,
                actor=acting_user,
                acting_for=acting_for,
                request=request,
                object_type="message",
                object_id=message.pk,
                details={"attachments": len(attachments)},
            )
            mark_read(dossier=dossier, user=acting_user, until=message.created_at)
            touch(dossier)
            events.message(message, actor=acting_user)
        return message
    finally:
        for upload in attachments:
            upload.discard()


def mark_read(*, dossier, user, until=None) -> None:
    ReadState.objects.update_or_create(
        dossier=dossier, user=user, defaults={"read_until": until or timezone.now()}
    )
