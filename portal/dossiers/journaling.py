"""Journal entries about dossiers: who, acting for which organisation, from where."""

from __future__ import annotations

from portal.dossiers.models import Dossier
from portal.journal.actions import record


def acting_organisation(request, fallback=None):
    tenant = getattr(request, "tenant", None)
    return (tenant.organisation if tenant else None) or fallback


def journal(
    dossier: Dossier,
    action: str,
    *,
    actor=None,
    acting_for=None,
    request=None,
    details: dict | None = None,
    object_type: str = "dossier",
    object_id: int | None = None,
) -> None:
    record(
        action=action,
        object_type=object_type,
        object_id=object_id if object_id is not None else dossier.pk,
        object_reference=dossier.reference,
        actor=actor,
        organisation=acting_for or acting_organisation(request),
        request=request,
        details={"dossier": dossier.pk, **(details or {})},
    )
