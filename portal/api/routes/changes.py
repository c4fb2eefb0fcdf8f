"""The changes feed: everything your organisation may learn of, in commit order."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from portal.api.api import errors
from portal.api.common import account, decode_cursor, encode_cursor, need
from portal.api.problems import ApiError, Problem
from portal.api.schemas import ChangePage
from portal.dossiers.access import feed_principals, visible_dossiers
from portal.dossiers.models import Change
from portal.dossiers.models.changes import running_horizon


class Since(Schema):
    since: str | None = Field(None, max_length=200, description="The `next_cursor` of your last call")
    limit: int = Field(200, ge=1, le=1000)


router = Router(tags=["changes"])


@router.get("", response={200: ChangePage, errors(): Problem}, summary="Changes since a cursor")
def changes(request, params: Query[Since]):
    """Changes to dossiers your client may see now, and the revocations, hand-overs and
    destructions that took away access it had. Start without `since`; keep the `next_cursor`.
    A change appears once its transaction and every older one have ended, so a cursor
    never skips anything."""
    need(request, "read")
    position = (0, 0)
    if params.since:
        cursor = decode_cursor(params.since)
        try:
            position = (int(cursor["t"]), int(cursor["i"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ApiError(400, "invalid_cursor", _("This cursor is not valid.")) from error
    reader = account(request)
    rows = list(
        Change.objects.filter(
            Q(dossier_id__in=visible_dossiers(reader).values("pk"))
            | Q(audience__overlap=feed_principals(reader)),
            Q(transaction__gt=position[0]) | Q(transaction=position[0], id__gt=position[1]),
            transaction__lt=running_horizon(),
        ).order_by("transaction", "id")[: params.limit + 1]
    )
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    if rows:
        position = (rows[-1].transaction, rows[-1].pk)
    return {
        "items": [
            {
                "kind": row.kind,
                "dossier_id": row.dossier_id,
                "reference": row.reference,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "at": row.at,
            }
            for row in rows
        ],
        "next_cursor": encode_cursor({"t": position[0], "i": position[1]}),
        "more": more,
    }
