"""How django-axes names the account behind a sign-in attempt, and asks about its lock.

allauth passes the address as ``email`` in the credentials, the sign-in form posts it
as ``login``. Lockout counts per account (lower-cased address), so an attacker cannot
dodge it by changing the case, and a locked account stays locked even when the right
password follows.

Two limits, so that a stranger who knows an address cannot lock its holder out from
anywhere: ``AXES_FAILURE_LIMIT`` failures lock the address *for that client* (axes'
``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), and
``PORTAL_LOCKOUT_ADDRESS_FAILURES`` failures from all clients together lock the address
everywhere (:class:`LockoutHandler`; axes has one limit only). The client is the one
:func:`portal.core.addresses.client_address` sees, behind the proxy too.

Wrong second-factor codes are counted in the same place (see
:mod:`portal.accounts.actions`), so one limit and one cool-off hold for both steps.
"""

from __future__ import annotations

from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a second, higher limit per address over all clients."""

    def address_failures(self, request, credentials=None) -> int:
        """Failures on the address within the cool-off, whoever typed them."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def _over_ceiling(self, request, credentials) -> bool:
        ceiling = settings.PORTAL_LOCKOUT_ADDRESS_FAILURES
        return bool(settings.AXES_LOCK_OUT_AT_FAILURE and ceiling) and (
            self.address_failures(request, credentials) >= ceiling
        )

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self._over_ceiling(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self._over_ceiling(request, credentials):  # as axes does at its own limit
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def login_name(request, credentials) -> str | None:
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "POST", {}) or {}
        value = data.get("login") or data.get("email")
    return value.strip().lower() if value else None


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while an account is locked: the same for every address, status 429."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "account/lockout.html", {"cooloff_minutes": minutes}, status=429)


def credentials_for(user) -> dict:
    """What axes sees of ``user`` when no sign-in form posted the address (the code step)."""
    return {"email": user.email}


def failure_limit(request, user) -> int:
    from axes.helpers import get_failure_limit

    return get_failure_limit(request, credentials_for(user))


def is_locked(request, user) -> bool:
    """True while axes refuses ``user`` a sign-in, as its backend asks before a password."""
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, credentials_for(user))


def locked_until(request) -> datetime | None:
    """When the lock that the failure just recorded on ``request`` ends."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    attempt_time = getattr(request, "axes_attempt_time", None)
    if cool_off is None or attempt_time is None:
        return None
    return attempt_time + cool_off
