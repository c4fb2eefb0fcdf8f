"""The second-factor step of sign-in, with a limit on wrong codes.

allauth's own limit on codes is off (see :mod:`portal.accounts.actions`), so these forms
take its place: a locked account's codes, even the right one, and its security keys are
refused without being checked, and a pending sign-in ends after as many wrong codes as
the lockout allows, whether or not the account's count was cleared in between (by the
holder signing in elsewhere). Recovery codes go through the same form and count alike.
"""

from __future__ import annotations

from allauth.account.internal.stagekit import clear_login, stash_login, unstash_login
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts import lockout
from portal.accounts.actions import fail_second_factor

# Codes tried in one pending sign-in, kept in allauth's state of that sign-in.
CODES_TRIED = "portal.codes_tried"

LOCKED = _("Your account is locked for now after too many failed sign-in attempts.")
ENDED = _("Too many wrong codes: this sign-in has been ended. Sign in again with your password.")


def _count_code(request) -> int:
    login = unstash_login(request, peek=True)
    if login is None:
        return 0
    login.state[CODES_TRIED] = login.state.get(CODES_TRIED, 0) + 1
    stash_login(request, login)
    return login.state[CODES_TRIED]


def _refuse_while_locked(request) -> ValidationError:
    """End the pending sign-in; axes' middleware then answers with the lockout page."""
    request.axes_locked_out = True
    clear_login(request)
    return ValidationError(LOCKED, code="locked")


class SecondFactorForm(AuthenticateForm):
    def clean_code(self) -> str:
        request = context.request
        if lockout.is_locked(request, self.user):
            fail_second_factor(
                request=request, user=self.user, attempt=_count_code(request), already_locked=True
            )
            raise _refuse_while_locked(request)
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code != "incorrect_code":
                raise
            attempt = _count_code(request)
            locked = fail_second_factor(request=request, user=self.user, attempt=attempt)
            if locked or attempt >= lockout.failure_limit(request, self.user):
                clear_login(request)
                raise ValidationError(ENDED, code="sign_in_ended") from error
            raise


class SecondFactorKeyForm(AuthenticateWebAuthnForm):
    def clean_credential(self):
        request = context.request
        if self.user is not None and lockout.is_locked(request, self.user):
            raise _refuse_while_locked(request)
        return super().clean_credential()
