"""How django-axes names the account behind a sign-in attempt.

allauth passes the address as ``email`` in the credentials, the sign-in form posts it
as ``login``. Lockout counts per account (lower-cased address), so an attacker cannot
dodge it by changing the case, and a locked account stays locked even when the right
password follows.
"""

from __future__ import annotations


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
