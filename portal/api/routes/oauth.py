"""The OAuth 2.0 client-credentials grant (RFC 6749, section 4.4)."""

from __future__ import annotations

import base64
import binascii

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Form, Router

from portal.api.api import errors
from portal.api.clients import Refused, issue_token
from portal.api.problems import Problem
from portal.api.schemas import OAuthError, TokenOut
from portal.core.addresses import client_address

router = Router(tags=["authentication"])


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": str(description)}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="api"'
    return response


def _basic(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, frozenset({400, 401, 403}): OAuthError, errors(422, 429): Problem},
    summary="Get a bearer token",
    description="Form-encoded `grant_type=client_credentials`, with the client id and secret "
    "in HTTP Basic authentication or as `client_id` and `client_secret`; `scope` optional.",
)
def token(
    request,
    grant_type: Form[str],
    client_id: Form[str] = "",
    client_secret: Form[str] = "",
    scope: Form[str] = "",
):
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", _("Only client_credentials is supported."))
    credentials = _basic(request) or (client_id, client_secret)
    if not all(credentials):
        return _oauth_error(401, "invalid_client", _("Send the client id and secret."))
    try:
        issued = issue_token(*credentials, address=client_address(request), scope=scope)
    except Refused as refusal:
        error = refusal.code if refusal.code in ("invalid_scope",) else "invalid_client"
        return _oauth_error(refusal.status if refusal.status != 429 else 400, error, refusal.detail)
    response = JsonResponse(
        {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        }
    )
    response["Cache-Control"] = "no-store"
    return response
