"""What every endpoint needs: the acting account, scope checks, dossier access, ETags, cursors."""

from __future__ import annotations

import base64
import hashlib
import json

from django.utils.translation import gettext as _

from portal.api.problems import ApiError
from portal.dossiers.access import access_dossier
from portal.dossiers.models import Dossier


def client_of(request):
    return request.auth


def account(request):
    """The service account the client acts through (a member of its organisation)."""
    return request.auth.account


def organisation(request):
    return request.auth.organisation


def acting(request) -> dict:
    """Who performs an action, as the portal's services take it: the client's service
    account, for the client's organisation, with the request for the journal."""
    return {"acting_user": account(request), "acting_for": organisation(request), "request": request}


def organisation_ref(found) -> dict | None:
    """An organisation as the API names it inside other objects."""
    return {"id": found.pk, "short_name": found.short_name} if found is not None else None


def need(request, scope: str) -> None:
    if scope not in getattr(request, "api_scopes", ()):
        raise ApiError(
            403, "insufficient_scope", _("This call needs the “%(scope)s” scope.") % {"scope": scope}
        )


def dossier(request, pk: int, level: int) -> Dossier:
    """The dossier if the client's account may act at ``level``: 404 if invisible, 403 if too low."""
    return concerns(request, access_dossier(account(request), pk, level))


def concerns(request, found: Dossier) -> Dossier:
    """Note that this call's answer is about ``found``: a stored idempotent answer is tied to
    the dossier, and destroyed with it."""
    request.api_dossier_id = found.pk
    return found


def etag(dossier: Dossier) -> str:
    stamp = f"{dossier.pk}:{dossier.updated_at.isoformat()}:{dossier.last_activity_at.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def check_if_match(request, current: str, *, required: bool) -> None:
    wanted = request.headers.get("If-Match")
    if wanted is None:
        if required:
            raise ApiError(
                428,
                "if_match_required",
                _("Send the dossier's ETag in If-Match, so that you do not overwrite a newer change."),
            )
        return
    tags = {tag.strip() for tag in wanted.split(",")}
    if "*" not in tags and current not in tags and f"W/{current}" not in tags:
        raise ApiError(
            412,
            "stale_etag",
            _("The dossier changed since you read it. Read it again and re-apply your change."),
            headers={"ETag": current},
        )


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalid_cursor", _("This cursor is not valid.")) from error
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_cursor", _("This cursor is not valid."))
    return data
