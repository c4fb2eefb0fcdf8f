"""Registering API clients, their secrets and tokens, and deciding whether a call may proceed."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.api.models import AccessToken, ApiClient, RateWindow, Scope
from portal.journal.actions import record
from tenants import policies
from tenants.models import Membership, Organisation
from tenants.roles import Capability, Role

SECRET_PREFIX = "lmp_cs_"  # noqa: S105 (a prefix, not a secret)
TOKEN_PREFIX = "lmp_at_"  # noqa: S105


def _digest(value: str) -> str:
    # Secrets and tokens are 256 random bits: a fast hash is as good as a slow one here.
    return hashlib.sha256(value.encode()).hexdigest()


def role_for(scopes) -> str:
    """The role of a client's service account: reading clients read, the others work cases."""
    return Role.CASE_WORKER if {Scope.WRITE, Scope.SHARE} & set(scopes) else Role.READER


def parse_networks(lines) -> list[str]:
    """Normalised networks from user input; a ``ValidationError`` names the first bad one."""
    networks = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            networks.append(str(ipaddress.ip_network(line, strict=False)))
        except ValueError as error:
            raise ValidationError(
                {"allowed_networks": _("“%(value)s” is not an IP address or range.") % {"value": line}}
            ) from error
    return networks


def _validate(scopes, expires_at) -> list[str]:
    scopes = sorted(set(scopes))
    errors = {}
    if not scopes or set(scopes) - set(Scope.values):
        errors["scopes"] = _("Choose at least one scope.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    if errors:
        raise ValidationError(errors)
    return scopes


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def register_client(
    *,
    organisation: Organisation,
    acting_user,
    name: str,
    scopes,
    allowed_networks=(),
    expires_at: datetime | None = None,
    rate_limit: int | None = None,
    request=None,
) -> tuple[ApiClient, str]:
    """Create a client and its service account; returns the client and its secret (shown once)."""
    policies.require(acting_user, organisation, Capability.MANAGE_ORGANISATION)
    scopes = _validate(scopes, expires_at)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    client_id = "lmpc_" + secrets.token_hex(8)
    account = get_user_model().objects.create_user(
        email=f"{client_id}@api.invalid",
        first_name=name[:150],
        last_name="(API)",
        is_service_account=True,
    )
    Membership.objects.create(
        user=account, organisation=organisation, role=role_for(scopes), invited_by=acting_user
    )
    secret = _new_secret()
    client = ApiClient.objects.create(
        organisation=organisation,
        name=name,
        client_id=client_id,
        secret_hash=_digest(secret),
        secret_hint=secret[-4:],
        scopes=scopes,
        allowed_networks=list(allowed_networks),
        expires_at=expires_at,
        rate_limit=rate_limit or settings.PORTAL_API_RATE_PER_MINUTE,
        account=account,
        created_by=acting_user,
    )
    _journal(client, "create", acting_user, request, {"scopes": scopes})
    return client, secret


def _journal(client: ApiClient, action: str, acting_user, request, details=None) -> None:
    record(
        action=action,
        object_type="api_client",
        object_id=client.pk,
        object_reference=client.client_id,
        actor=acting_user,
        organisation=client.organisation,
        request=request,
        details=details or {},
    )


@transaction.atomic
def update_client(
    *, client: ApiClient, acting_user, scopes, allowed_networks, expires_at, rate_limit, request=None
) -> ApiClient:
    policies.require(acting_user, client.organisation, Capability.MANAGE_ORGANISATION)
    client.scopes = _validate(scopes, expires_at)
    client.allowed_networks = list(allowed_networks)
    client.expires_at = expires_at
    client.rate_limit = rate_limit
    client.save()
    Membership.objects.filter(user=client.account, organisation=client.organisation).update(
        role=role_for(client.scopes)
    )
    client.tokens.all().delete()  # tokens carry the old scopes
    _journal(client, "change", acting_user, request, {"scopes": client.scopes})
    return client


@transaction.atomic
def rotate_secret(*, client: ApiClient, acting_user, request=None) -> str:
    """A new secret; the old one and every token issued with it stop working at once."""
    policies.require(acting_user, client.organisation, Capability.MANAGE_ORGANISATION)
    if client.revoked_at:
        raise ValidationError(_("This client is revoked."))
    secret = _new_secret()
    client.secret_hash, client.secret_hint = _digest(secret), secret[-4:]
    client.secret_rotated_at = timezone.now()
    client.save(update_fields=["secret_hash", "secret_hint", "secret_rotated_at"])
    client.tokens.all().delete()
    _journal(client, "change", acting_user, request, {"secret": "rotated"})
    return secret


@transaction.atomic
def revoke_client(*, client: ApiClient, acting_user, request=None) -> None:
    policies.require(acting_user, client.organisation, Capability.MANAGE_ORGANISATION)
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    client.tokens.all().delete()
    Membership.objects.filter(user=client.account).update(is_active=False)
    _journal(client, "revoke", acting_user, request)


class Refused(Exception):
    """A call that may not proceed: ``status``, a stable ``code`` and a message for people."""

    def __init__(self, status: int, code: str, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


def _check_client(client: ApiClient, address: str | None) -> None:
    if client.revoked_at is not None:
        raise Refused(401, "client_revoked", _("This API client has been revoked."))
    if client.expires_at is not None and client.expires_at <= timezone.now():
        raise Refused(401, "client_expired", _("This API client has expired."))
    if not client.organisation.is_active:
        raise Refused(401, "organisation_inactive", _("The client's organisation is deactivated."))
    if client.allowed_networks and not _address_allowed(address, client.allowed_networks):
        raise Refused(
            403,
            "address_not_allowed",
            _("Calls from %(address)s are not allowed for this client.") % {"address": address},
        )


def _address_allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in networks)


@dataclass
class IssuedToken:
    token: str
    expires_in: int
    scopes: list[str]


def issue_token(client_id: str, secret: str, *, address: str | None, scope: str = "") -> IssuedToken:
    """The client-credentials grant: a short-lived bearer token for a valid id and secret."""
    client = ApiClient.objects.select_related("organisation").filter(client_id=client_id).first()
    expected = client.secret_hash if client else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or client is None:
        raise Refused(401, "invalid_client", _("Unknown client or wrong secret."))
    _check_client(client, address)
    wanted = scope.split() if scope else list(client.scopes)
    if set(wanted) - set(client.scopes):
        raise Refused(400, "invalid_scope", _("This client may not ask for these scopes."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = settings.PORTAL_API_TOKEN_SECONDS
    AccessToken.objects.create(
        client=client,
        token_hash=_digest(token),
        scopes=sorted(set(wanted)),
        expires_at=timezone.now() + timedelta(seconds=lifetime),
    )
    AccessToken.objects.filter(expires_at__lt=timezone.now() - timedelta(hours=1)).delete()
    return IssuedToken(token, lifetime, sorted(set(wanted)))


def authenticate(token: str, *, address: str | None) -> tuple[ApiClient, list[str]]:
    """The client and scopes behind a bearer token, or ``Refused``."""
    found = (
        AccessToken.objects.select_related("client__organisation", "client__account")
        .filter(token_hash=_digest(token), expires_at__gt=timezone.now())
        .first()
    )
    if found is None:
        raise Refused(401, "invalid_token", _("The access token is unknown or has expired."))
    _check_client(found.client, address)
    return found.client, found.scopes


def count_call(client: ApiClient) -> None:
    """One more call in this minute; ``Refused`` (429, with Retry-After) over the client's limit."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO api_ratewindow (client_id, "window", calls) VALUES (%s, %s, 1)
                ON CONFLICT (client_id, "window") DO UPDATE SET calls = api_ratewindow.calls + 1
                RETURNING calls""",
            [client.pk, window],
        )
        calls = cursor.fetchone()[0]
    if calls > client.rate_limit:
        retry_after = max(1, 60 - now.second)
        raise Refused(
            429,
            "rate_limited",
            _("More than %(limit)s calls in one minute. Try again in %(seconds)s seconds.")
            % {"limit": client.rate_limit, "seconds": retry_after},
            {"Retry-After": str(retry_after)},
        )


def forget_expired(*, at: datetime | None = None) -> dict:
    """Daily clean-up: expired tokens, old rate windows, idempotency answers and call logs."""
    from portal.api.models import ApiCall, IdempotentRequest

    at = at or timezone.now()
    return {
        "tokens": AccessToken.objects.filter(expires_at__lt=at).delete()[0],
        "rate_windows": RateWindow.objects.filter(window__lt=at - timedelta(hours=1)).delete()[0],
        "idempotency": IdempotentRequest.objects.filter(
            created_at__lt=at - timedelta(hours=settings.PORTAL_API_IDEMPOTENCY_HOURS)
        ).delete()[0],
        "calls": ApiCall.objects.filter(at__lt=at - timedelta(days=90)).delete()[0],
    }
