"""A dossier's message thread."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from portal.api.api import errors
from portal.api.common import (
    acting,
    decode_cursor,
    dossier,
    encode_cursor,
    need,
    organisation_ref,
)
from portal.api.problems import Problem
from portal.api.schemas import MessageIn, MessageOut, MessagePage
from portal.dossiers.levels import Level
from portal.threads.actions import post_message
from portal.threads.models import Message

router = Router(tags=["messages"])


def message_data(m: Message) -> dict:
    return {
        "id": m.pk,
        "dossier_id": m.dossier_id,
        "body": m.body,
        "author": str(m.author) if m.author else "",
        "organisation": organisation_ref(m.organisation),
        "created_at": m.created_at,
        "attachment_ids": sorted(a.pk for a in m.attachments.all()),
    }


class Page(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "/{dossier_id}/messages",
    response={200: MessagePage, errors(): Problem},
    summary="Read a dossier's messages, oldest first",
)
def list_messages(request, dossier_id: int, page: Query[Page]):
    need(request, "read")
    found = dossier(request, dossier_id, Level.VIEW)
    queryset = (
        Message.objects.filter(dossier=found)
        .select_related("author", "organisation")
        .prefetch_related("attachments")
        .order_by("id")
    )
    if page.cursor:
        after = decode_cursor(page.cursor).get("i")
        queryset = queryset.filter(id__gt=after if isinstance(after, int) else 0)
    items = list(queryset[: page.limit + 1])
    more = len(items) > page.limit
    items = items[: page.limit]
    return {
        "items": [message_data(m) for m in items],
        "next_cursor": encode_cursor({"i": items[-1].pk}) if more else None,
    }


@router.post(
    "/{dossier_id}/messages",
    response={201: MessageOut, errors(): Problem},
    summary="Post a message",
)
def create_message(request, dossier_id: int, payload: MessageIn, response: HttpResponse):
    need(request, "write")
    found = dossier(request, dossier_id, Level.CONTRIBUTE)
    message = post_message(
        dossier=found,
        body=payload.body,
        **acting(request),
    )
    response["Location"] = f"/api/v1/dossiers/{found.pk}/messages"
    return Status(
        201, message_data(Message.objects.select_related("author", "organisation").get(pk=message.pk))
    )
