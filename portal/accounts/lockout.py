"""How django-axes names the account behind a sign-in attempt, and asks about its lock.

allauth passes the address as ``email`` in the credentials, the sign-in form posts it
as ``login``. Lockout counts per account (lower-cased address), so an attacker cannot
dodge it by changing the case, and a locked account stays locked even when the right
password follows.

Wrong second-factor codes are counted in the same place (see
:mod:`portal.accounts.actions`), so one limit and one cool-off hold for both steps.
"""

from __future__ import annotations

from datetime import datetime


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
