"""Writes about signing in: a wrong second-factor code counts like a wrong password.

allauth limits second-factor codes with its ``login_failed`` rate limit, which the portal
switches off (``ACCOUNT_RATE_LIMITS``) because django-axes counts failed passwords. So the
code step reports its failures to axes as well: one count per account, one limit, one
cool-off and one lock for both steps, cleared by a successful sign-in
(``AXES_RESET_ON_SUCCESS``). Someone who reaches the code step knows the password, so the
account holder hears about the lock by e-mail.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.accounts import lockout
from portal.journal.actions import record
from portal.journal.models import Action


@transaction.atomic
def fail_second_factor(*, request, user, attempt: int, already_locked: bool = False) -> bool:
    """Count a refused code at sign-in, journal it, and tell the holder if it locked the account.

    ``attempt`` is the number of codes tried in this pending sign-in. ``already_locked`` is a
    code refused unchecked because the account was locked before: it counts like a password
    tried during a lock, but the holder is not told twice. Returns whether this failure
    locked the account. The code itself is never written anywhere.
    """
    if already_locked:
        request.axes_locked_out = True  # as axes' backend marks a password refused during a lock
    user_login_failed.send(sender=__name__, credentials=lockout.credentials_for(user), request=request)
    locks = not already_locked and bool(getattr(request, "axes_locked_out", False))
    until = lockout.locked_until(request) if locks else None
    failures = getattr(request, "axes_failures_since_start", None)
    details: dict = {"step": "second_factor", "attempt": attempt, "failures": failures}
    if already_locked:
        details["refused"] = "locked"
    if locks:
        details["locked_until"] = until.isoformat() if until else None
    # Who typed the code is unknown: the entry is about the account, with no person.
    record(
        action=Action.SIGN_IN_FAILED,
        object_type="user",
        object_id=user.pk,
        object_reference=user.email[:60],
        request=request,
        details=details,
    )
    if locks:
        transaction.on_commit(lambda: _send_lock_notice(user, until=until, failures=failures))
    return locks


def _send_lock_notice(user, *, until: datetime | None, failures: int | None) -> None:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "until": until,
            "failures": failures,
            "reset_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("account_reset_password"),
        }
        subject = render_to_string("account/email/second_factor_locked_subject.txt", context).strip()
        body = render_to_string("account/email/second_factor_locked_message.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])
