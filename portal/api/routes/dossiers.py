"""Dossiers: list with the portal's filters, create, read, change, move through the workflow."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from portal.api.api import errors
from portal.api.common import (
    account,
    check_if_match,
    concerns,
    decode_cursor,
    dossier,
    encode_cursor,
    etag,
    need,
    organisation,
    organisation_ref,
)
from portal.api.problems import ApiError, Problem
from portal.api.schemas import (
    LEVEL_NAMES,
    CantonCode,
    ControlKindName,
    DossierIn,
    DossierOut,
    DossierPage,
    DossierPatch,
    IsoDate,
    StatusIn,
    StatusName,
)
from portal.dossiers import actions
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier
from portal.dossiers.selectors import SORTS, dossier_list
from portal.dossiers.workflow import allowed_targets

router = Router(tags=["dossiers"])
KEYSET_SORTS = {"-created": True, "created": False}  # sort → descending
MAX_OFFSET = 2**63 - 1


class DossierFilters(Schema):
    status: list[StatusName] = Field([], description="Any of these statuses")
    control_kind: ControlKindName | None = None
    canton: CantonCode | None = None
    sector: str | None = Field(None, max_length=120, description="Contains (any case)")
    owner: int | None = Field(None, description="Owning organisation's id")
    scope: str | None = Field(None, pattern="^(own|shared)$", description="own or shared")
    deadline_from: IsoDate | None = None
    deadline_until: IsoDate | None = None
    overdue: bool | None = None
    sort: str = Field("-created", pattern="^-?(created|deadline)$|^(company|reference|destruction)$")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


def serialise(d: Dossier, *, level: int | None = None) -> dict:
    data = {name: getattr(d, name) for name in DossierOut.model_fields if hasattr(d, name)}
    data.update(
        owner=organisation_ref(d.owner),
        allowed_transitions=sorted(allowed_targets(d.status)),
        tags=sorted(tag.name for tag in d.tags.all()),
        on_legal_hold=d.on_legal_hold,
        access_level=LEVEL_NAMES.get(level) if level else None,
    )
    return data


def _detail(response: HttpResponse, d: Dossier) -> dict:
    fresh = Dossier.objects.select_related("owner").prefetch_related("tags").get(pk=d.pk)
    response["ETag"] = etag(fresh)
    return serialise(fresh, level=getattr(d, "access_level", None) or Level.MANAGE)


def _cleared(name: str):
    """What ``null`` means for a field: empty where the model allows it, else a 422."""
    field = Dossier._meta.get_field(name)
    if field.null:
        return None
    if field.blank and field.empty_strings_allowed:
        return ""
    message = _("This field cannot be empty.")
    raise ApiError(422, "invalid_request", message, errors=[(name, message)])


def _params(filters: DossierFilters) -> QueryDict:
    params = QueryDict(mutable=True)
    for name, value in filters.dict(exclude={"cursor", "limit", "owner"}).items():
        if value in (None, [], ""):
            continue
        if isinstance(value, list):
            params.setlist(name, [getattr(v, "value", v) for v in value])
        elif isinstance(value, bool):
            params[name] = "on" if value else ""
        else:
            params[name] = str(getattr(value, "value", value))
    return params


@router.get("", response={200: DossierPage, errors(): Problem}, summary="List dossiers")
def list_dossiers(request, filters: Query[DossierFilters]):
    """The dossiers your organisation may see, filtered as in the portal; `limit` per page."""
    need(request, "read")
    found = dossier_list(account(request), _params(filters))
    if not found.is_valid():
        raise ApiError(
            422,
            "invalid_filter",
            _("A filter is not valid."),
            errors=[(field, message) for field, messages in found.errors.items() for message in messages],
        )
    queryset = found.qs.select_related("owner").prefetch_related("tags")
    if filters.owner is not None:  # an unknown organisation simply owns nothing
        queryset = queryset.filter(owner_id=filters.owner)
    start = decode_cursor(filters.cursor) if filters.cursor else {}
    if start and start.get("s") != filters.sort:
        raise ApiError(400, "invalid_cursor", _("This cursor belongs to another sort order."))
    if filters.sort in KEYSET_SORTS:
        if start:
            try:
                after = (datetime.fromisoformat(start["c"]), int(start["i"]))
            except (KeyError, TypeError, ValueError) as error:
                raise ApiError(400, "invalid_cursor", _("This cursor is not valid.")) from error
            if KEYSET_SORTS[filters.sort]:
                queryset = queryset.filter(created_at__lte=after[0]).exclude(
                    created_at=after[0], id__gte=after[1]
                )
            else:
                queryset = queryset.filter(created_at__gte=after[0]).exclude(
                    created_at=after[0], id__lte=after[1]
                )
        page = list(queryset.order_by(*SORTS[filters.sort])[: filters.limit + 1])
        last = page[filters.limit - 1] if len(page) > filters.limit else None
        cursor = last and {"s": filters.sort, "c": last.created_at.isoformat(), "i": last.pk}
    else:
        offset = start.get("o", 0) if start else 0
        if not isinstance(offset, int) or offset < 0:
            raise ApiError(400, "invalid_cursor", _("This cursor is not valid."))
        if offset + filters.limit + 1 > MAX_OFFSET:  # PostgreSQL's OFFSET is a bigint
            raise ApiError(422, "invalid_cursor", _("This cursor points beyond any page."))
        page = list(queryset[offset : offset + filters.limit + 1])
        cursor = {"s": filters.sort, "o": offset + filters.limit} if len(page) > filters.limit else None
    return {
        "items": [serialise(d) for d in page[: filters.limit]],
        "next_cursor": encode_cursor(cursor) if cursor else None,
    }


@router.post("", response={201: DossierOut, errors(): Problem}, summary="Create a dossier")
def create_dossier(request, payload: DossierIn, response: HttpResponse):
    """A new dossier owned by your organisation. Send an `Idempotency-Key`."""
    need(request, "write")
    data = payload.dict()
    tags = data.pop("tags")
    for name in ("canton", "control_kind"):
        data[name] = data[name].value
    created = actions.create_dossier(
        owner=organisation(request), acting_user=account(request), request=request, tags=tags, **data
    )
    concerns(request, created)
    response["Location"] = f"/api/v1/dossiers/{created.pk}"
    return Status(201, _detail(response, created))


@router.get(
    "/{dossier_id}",
    response={200: DossierOut, errors(): Problem},
    summary="Read a dossier",
)
def read_dossier(request, dossier_id: int, response: HttpResponse):
    need(request, "read")
    found = dossier(request, dossier_id, Level.VIEW)
    actions.record_view(dossier=found, acting_user=account(request), request=request)
    return _detail(response, found)


@router.patch("/{dossier_id}", response={200: DossierOut, errors(): Problem}, summary="Change a dossier")
def update_dossier(request, dossier_id: int, payload: DossierPatch, response: HttpResponse):
    """Send only the fields to change, and `If-Match` with the ETag you read (412 if stale)."""
    need(request, "write")
    found = dossier(request, dossier_id, Level.EDIT)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    for name, value in list(changes.items()):
        changes[name] = _cleared(name) if value is None else getattr(value, "value", value)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=found.pk)
        check_if_match(request, etag(locked), required=True)
        updated = actions.update_dossier(
            dossier=locked, acting_user=account(request), request=request, tags=tags, **changes
        )
    updated.access_level = found.access_level
    return _detail(response, updated)


@router.post(
    "/{dossier_id}/status", response={200: DossierOut, errors(): Problem}, summary="Change the status"
)
def change_status(request, dossier_id: int, payload: StatusIn, response: HttpResponse):
    """Move the dossier along the workflow (`allowed_transitions`); `If-Match` is honoured."""
    need(request, "write")
    found = dossier(request, dossier_id, Level.EDIT)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=found.pk)
        check_if_match(request, etag(locked), required=False)
        updated = actions.change_status(
            dossier=locked, target=payload.status.value, acting_user=account(request), request=request
        )
    updated.access_level = found.access_level
    return _detail(response, updated)
