"""Writes to dossiers. One transaction each, one journal entry each."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers import events
from portal.dossiers.access import may_choose_responsible, require_level
from portal.dossiers.identifiers import normalise_uid
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier, ReferenceSequence
from portal.dossiers.retention import destroy_after_for
from portal.dossiers.workflow import can_transition
from portal.journal.models import Action
from portal.statistics import facts as statistics_facts
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


@transaction.atomic
def create_dossier(
    *, owner: Organisation, acting_user, request=None, tags=(), related=(), **fields
) -> Dossier:
    policies.require(acting_user, owner, Capability.CREATE_DOSSIERS)
    if fields.get("company_uid"):
        try:
            fields["company_uid"] = normalise_uid(fields["company_uid"])
        except ValidationError as error:
            raise ValidationError({"company_uid": error.messages}) from error
    now = timezone.now()
    dossier = Dossier(
        owner=owner,
        created_by=acting_user,
        reference="pending",
        created_at=now,
        last_activity_at=now,
        **fields,
    )
    dossier.destroy_after = destroy_after_for(dossier)
    dossier.full_clean(exclude=["reference", "related"])
    dossier.reference = next_reference(owner, timezone.localdate().year)
    dossier.save()
    if tags:
        dossier.tags.set(list(tags))
    if related:
        dossier.related.set(related)
    journal(
        dossier,
        Action.CREATE,
        actor=acting_user,
        acting_for=owner,
        request=request,
        details={"fields": sorted(fields)},
    )
    statistics_facts.refresh([dossier.pk])
    events.changed(dossier, actor=acting_user, created=True)
    return dossier


EDITABLE_FIELDS = (
    "responsible",
    "company_name",
    "company_uid",
    "company_foreign_register",
    "company_country",
    "company_address",
    "sector",
    "collective_agreement",
    "agreement_extended",
    "canton",
    "commune",
    "work_start",
    "work_end",
    "control_kind",
    "persons_checked",
    "deadline",
    "wage_underpayment_chf",
    "working_time_violations",
    "penalty_chf",
    "fine_chf",
    "ban_years",
    "listed_publicly",
)


@transaction.atomic
def update_dossier(
    *, dossier: Dossier, acting_user, request=None, tags=None, related=None, **changes
) -> Dossier:
    """Change the data of ``dossier`` (edit level). Journals which fields changed, not their values."""
    require_level(acting_user, dossier, Level.EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if changes.get("company_uid"):
        try:
            changes["company_uid"] = normalise_uid(changes["company_uid"])
        except ValidationError as error:
            raise ValidationError({"company_uid": error.messages}) from error
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if (
        "responsible" in changes
        and changes["responsible"] != locked.responsible
        and not may_choose_responsible(acting_user, locked)
    ):
        raise ValidationError({"responsible": _("Only the owner's members choose the responsible person.")})
    changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["related"])
    locked.save()
    if tags is not None and set(tags) != set(locked.tags.names()):
        locked.tags.set(list(tags))
        changed.append("tags")
    if related is not None:
        wanted = {d.pk for d in related} - {locked.pk}
        if wanted != set(locked.related.values_list("pk", flat=True)):
            locked.related.set(wanted)
            changed.append("related")
    if changed:
        journal(locked, Action.CHANGE, actor=acting_user, request=request, details={"fields": changed})
        events.changed(locked, actor=acting_user)
    statistics_facts.refresh([locked.pk])  # the last change dates a case closed without the workflow
    return locked


def record_view(*, dossier: Dossier, acting_user, request=None) -> None:
    """Journal that ``acting_user`` opened ``dossier``."""
    journal(dossier, Action.VIEW, actor=acting_user, request=request)


@transaction.atomic
def change_status(*, dossier: Dossier, target: str, acting_user, request=None) -> Dossier:
    """Move ``dossier`` to ``target`` if the workflow allows it (edit level)."""
    require_level(acting_user, dossier, Level.EDIT)
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
    journal(locked, Action.CHANGE, actor=acting_user, request=request, details={"status": [previous, target]})
    statistics_facts.refresh([locked.pk])
    events.changed(locked, actor=acting_user)
    return locked
