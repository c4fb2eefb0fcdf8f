"""Every call under ``/api/v1/``: the bearer token, the client's rate limit, its access log, and
the replay of POSTs retried with the same ``Idempotency-Key``.

It runs before any endpoint and outside the endpoint's transaction, so a refused call
touches nothing, and the per-minute counter never waits on a long upload.
"""

from __future__ import annotations

import hashlib
import time

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal.api.clients import Refused, authenticate, count_call
from portal.api.models import ApiCall, ApiClient, IdempotentRequest
from portal.api.parser import storable, unstorable_message
from portal.api.problems import problem_response
from portal.core.addresses import client_address
from tenants.context import TenantContext
from tenants.models import Membership
from tenants.roles import capabilities_of

PREFIX = "/api/v1/"
REPLAYED = "Idempotent-Replayed"


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        request.api_client, request.api_scopes = None, []
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return self.get_response(request)  # the endpoint's own auth answers 401
        started = time.monotonic()
        address = client_address(request)
        try:
            client, scopes = authenticate(header[7:].strip(), address=address)
        except Refused as refusal:
            return problem_response(refusal.status, refusal.code, refusal.detail, headers=refusal.headers)
        try:
            count_call(client)
        except Refused as refusal:
            response = problem_response(refusal.status, refusal.code, refusal.detail, headers=refusal.headers)
        else:
            request.api_client, request.api_scopes = client, scopes
            # Actions journal "acting for" the request's organisation: the client's.
            request.tenant = SimpleLazyObject(lambda: _tenant(client))
            key = request.headers.get("Idempotency-Key")
            if request.method == "POST" and key is not None:
                response = self._once(request, client, key)
            else:
                response = self.get_response(request)
        self._log(request, client, response, started, address)
        return response

    def _once(self, request, client: ApiClient, key: str):
        key = key.strip()
        if not key or len(key) > 255:
            return problem_response(
                400, "invalid_idempotency_key", _("An Idempotency-Key has 1 to 255 characters.")
            )
        if not storable(key):
            return problem_response(400, "invalid_idempotency_key", unstorable_message())
        body = _HashedBody.wrap(request)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        # The fingerprint is known once the endpoint has read the body; the
                        # row is taken now, so a concurrent retry waits for this one.
                        stored = IdempotentRequest.objects.create(client=client, key=key, fingerprint="")
                except IntegrityError:
                    # The first request with this key has committed (we waited for it): replay it.
                    earlier = IdempotentRequest.objects.get(client=client, key=key)
                    return _replay(earlier, _fingerprint(request, body))
                response = self.get_response(request)
                if response.status_code >= 500 or response.streaming:
                    raise _Rollback(response)  # nothing is kept, so a retry runs again
                stored.fingerprint = _fingerprint(request, body)
                stored.dossier_id = getattr(request, "api_dossier_id", None)
                stored.status = response.status_code
                stored.content_type = response.get("Content-Type", "")
                stored.body = response.content
                stored.location = response.get("Location", "")
                stored.etag = response.get("ETag", "")
                stored.save()
                return response
        except _Rollback as rollback:
            return rollback.response

    def _log(self, request, client: ApiClient, response, started: float, address) -> None:
        now = timezone.now()
        ApiCall.objects.create(
            client=client,
            at=now,
            method=request.method,
            path=route_of(request),
            status=response.status_code,
            duration_ms=int((time.monotonic() - started) * 1000),
            address=address,
        )
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)


UNKNOWN_ROUTE = "/api/v1/(no route)"


def route_of(request) -> str:
    """The pattern of the route that answered (``/api/v1/search``), without the query or the
    values in the path: what the call log keeps."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return UNKNOWN_ROUTE
    return ("/" + match.route.lstrip("^").rstrip("$"))[:500]


def _tenant(client: ApiClient) -> TenantContext:
    membership = (
        Membership.objects.current()
        .filter(user=client.account_id, organisation=client.organisation_id)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        return TenantContext()
    return TenantContext((membership,), membership, capabilities_of(membership.role))


class _HashedBody:
    """The request's body stream, hashed as the endpoint reads it (a file is never held whole).

    Django reads every body through ``request._stream``, ``request.body`` included, so
    whatever the content type, each byte passes here once.
    """

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.closed = False

    @classmethod
    def wrap(cls, request) -> _HashedBody:
        hashed = cls(request._stream)
        request._stream = hashed
        return hashed

    def read(self, *args, **kwargs) -> bytes:
        data = self.stream.read(*args, **kwargs)
        self.digest.update(data)
        return data

    def readline(self, *args, **kwargs) -> bytes:
        data = self.stream.readline(*args, **kwargs)
        self.digest.update(data)
        return data

    def seekable(self) -> bool:
        return False  # read once, front to back: every byte is hashed exactly once

    def close(self) -> None:
        self.closed = True  # ``request.body`` closes the stream once it has read it all
        self.stream.close()

    def hexdigest(self) -> str:
        """The digest of the whole body: what the endpoint left unread is read (and dropped) now."""
        while not self.closed and self.read(64 * 1024):
            pass
        return self.digest.hexdigest()


def _fingerprint(request, body: _HashedBody) -> str:
    """What makes two POSTs "the same request": method, path, query, declared digest and the
    raw body, whatever its type."""
    digest = hashlib.sha256()
    for part in (
        request.method,
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.headers.get("Content-Digest") or "",
        body.hexdigest(),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _replay(earlier: IdempotentRequest, fingerprint: str):
    if earlier.fingerprint != fingerprint:
        return problem_response(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
        )
    response = HttpResponse(bytes(earlier.body), status=earlier.status, content_type=earlier.content_type)
    if earlier.location:
        response["Location"] = earlier.location
    if earlier.etag:
        response["ETag"] = earlier.etag
    response[REPLAYED] = "true"
    return response
