"""Writes to dossiers. One transaction each, one journal entry each."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers.identifiers import normalise_uid
from portal.dossiers.models import Dossier, ReferenceSequence
from portal.dossiers.workflow import can_transition
from portal.journal.actions import record
from portal.journal.models import Action
from tenants import policies
from tenants.models import Organisation, OrganisationKind
from tenants.roles import Capability


def reference_prefix(organisation: Organisation) -> str:
    """``GE`` for a cantonal authority, otherwise the short name: ``TPK-GE``, ``PK-BAU``."""
    if organisation.kind == OrganisationKind.CANTONAL_AUTHORITY:
        return organisation.canton
    compact = re.sub(r"[^A-Z0-9-]", "", organisation.short_name.upper().replace(" ", "-"))
    return compact.strip("-") or organisation.canton


def next_reference(organisation: Organisation, year: int) -> str:
    """Hand out the next number of ``organisation`` for ``year``; call inside a transaction."""
    sequence, _created = ReferenceSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{reference_prefix(organisation)}-{year}-{sequence.last_number:05d}"


def _journal(dossier: Dossier, action: str, *, actor, request, details: dict) -> None:
    record(
        action=action,
        object_type="dossier",
        object_id=dossier.pk,
        object_reference=dossier.reference,
        actor=actor,
        organisation=dossier.owner,
        request=request,
        details=details,
    )


@transaction.atomic
def create_dossier(*, owner: Organisation, acting_user, request=None, tags=(), **fields) -> Dossier:
    policies.require(acting_user, owner, Capability.CREATE_DOSSIERS)
    if fields.get("company_uid"):
        try:
            fields["company_uid"] = normalise_uid(fields["company_uid"])
        except ValidationError as error:
            raise ValidationError({"company_uid": error.messages}) from error
    dossier = Dossier(owner=owner, created_by=acting_user, reference="pending", **fields)
    dossier.full_clean(exclude=["reference"])
    dossier.reference = next_reference(owner, timezone.localdate().year)
    dossier.save()
    if tags:
        dossier.tags.set(list(tags))
    _journal(dossier, Action.CREATE, actor=acting_user, request=request, details={"fields": sorted(fields)})
    return dossier


@transaction.atomic
def change_status(*, dossier: Dossier, target: str, acting_user, request=None) -> Dossier:
    """Move ``dossier`` to ``target`` if the workflow allows it (owner's case workers and administrators)."""
    if not policies.can(acting_user, dossier.owner, Capability.WORK_ON_DOSSIERS):
        raise PermissionDenied
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not can_transition(locked.status, target):
        raise ValidationError(
            {
                "status": _("A dossier cannot go from “%(current)s” to “%(target)s”.")
                % {"current": locked.get_status_display(), "target": target}
            }
        )
    previous = locked.status
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    _journal(
        locked, Action.CHANGE, actor=acting_user, request=request, details={"status": [previous, target]}
    )
    return locked
