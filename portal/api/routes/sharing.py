"""Shares (list, create, revoke) and the hand-over of a dossier to another organisation."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from portal.api.api import errors
from portal.api.common import acting, dossier, need, organisation_ref
from portal.api.problems import ApiError, Problem
from portal.api.schemas import LEVEL_NAMES, LEVELS, HandoverIn, HandoverOut, ShareIn, ShareOut
from portal.dossiers import sharing
from portal.dossiers.levels import Level
from portal.dossiers.models import DossierShare
from tenants.models import Organisation

router = Router(tags=["sharing"])


def share_data(share: DossierShare) -> dict:
    target = share.target_organisation
    return {
        "id": share.pk,
        "kind": share.kind,
        "organisation": organisation_ref(target),
        "person_id": share.target_user_id,
        "roles": share.roles,
        "level": LEVEL_NAMES[share.level],
        "expires_at": share.expires_at,
        "note": share.note,
        "created_at": share.created_at,
    }


def _organisation(pk: int) -> Organisation:
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise ApiError(
            422,
            "unknown_organisation",
            _("There is no organisation %(id)s; see /api/v1/organisations.") % {"id": pk},
            errors=[("organisation_id", _("Unknown organisation."))],
        )
    return found


@router.get(
    "/{dossier_id}/shares",
    response={200: list[ShareOut], errors(): Problem},
    summary="List a dossier's shares",
)
def list_shares(request, dossier_id: int):
    need(request, "read")
    found = dossier(request, dossier_id, Level.MANAGE)
    return [share_data(s) for s in found.shares.live().select_related("target_organisation")]


@router.post(
    "/{dossier_id}/shares",
    response={201: ShareOut, errors(): Problem},
    summary="Share a dossier with an organisation",
)
def create_share(request, dossier_id: int, payload: ShareIn, response: HttpResponse):
    """Creates the share, or replaces the existing share with that organisation."""
    need(request, "share")
    found = dossier(request, dossier_id, Level.MANAGE)
    share = sharing.share_dossier(
        dossier=found,
        **acting(request),
        organisation=_organisation(payload.organisation_id),
        roles=[role.value for role in payload.roles],
        level=LEVELS[payload.level],
        expires_at=payload.expires_at,
        note=payload.note,
    )
    response["Location"] = f"/api/v1/dossiers/{found.pk}/shares"
    return Status(201, share_data(share))


@router.delete(
    "/{dossier_id}/shares/{share_id}",
    response={204: None, errors(): Problem},
    summary="Revoke a share",
)
def revoke_share(request, dossier_id: int, share_id: int):
    """Access ends when this returns, in lists, downloads and search alike."""
    need(request, "share")
    found = dossier(request, dossier_id, Level.MANAGE)
    share = found.shares.filter(pk=share_id).select_related("target_organisation").first()
    if share is None:
        raise Http404(_("No such share."))
    share.dossier = found
    sharing.revoke_share(share=share, **acting(request))
    return Status(204, None)


@router.post(
    "/{dossier_id}/handover",
    response={200: HandoverOut, errors(): Problem},
    summary="Hand a dossier over",
)
def hand_over(request, dossier_id: int, payload: HandoverIn):
    """The other organisation becomes the owner; yours keeps `level_kept` (or nothing)."""
    need(request, "share")
    found = dossier(request, dossier_id, Level.MANAGE)
    handover = sharing.hand_over(
        dossier=found,
        to_organisation=_organisation(payload.organisation_id),
        **acting(request),
        level_kept=LEVELS[payload.level_kept] if payload.level_kept else None,
        note=payload.note,
    )
    return {
        "dossier_id": found.pk,
        "from_organisation": organisation_ref(handover.from_organisation),
        "to_organisation": organisation_ref(handover.to_organisation),
        "level_kept": LEVEL_NAMES.get(handover.level_kept),
        "handed_over_at": handover.handed_over_at,
    }
