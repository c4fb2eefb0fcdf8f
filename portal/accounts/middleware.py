"""Two-factor sign-in is mandatory (ordinance art. 13a).

allauth already asks a user who has a second factor for it before it signs them in.
This middleware closes the other gap: a signed-in user without any second factor
(first sign-in, or after an operator reset) reaches nothing but the enrolment, the
sign-out, the password reset and the language switch until they have enrolled.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.http import JsonResponse
from django.shortcuts import redirect

# URL names reachable before a second factor is enrolled.
ALLOWED_BEFORE_ENROLMENT = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_index",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "set_language",
        "health",
        "favicon",
        "javascript-catalog",
    }
)
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
SESSION_FLAG = "portal.has_second_factor"


def has_second_factor(request) -> bool:
    """True once the user holds a TOTP or WebAuthn authenticator (cached in the session)."""
    if request.session.get(SESSION_FLAG):
        return True
    enrolled = Authenticator.objects.filter(user_id=request.user.pk, type__in=SECOND_FACTOR_TYPES).exists()
    if enrolled:
        request.session[SESSION_FLAG] = True
    return enrolled


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED_BEFORE_ENROLMENT:
            return None
        if has_second_factor(request):
            return None
        if request.path.startswith("/api/") or request.headers.get("accept", "").startswith(
            "application/json"
        ):
            return JsonResponse({"detail": "Two-factor enrolment required."}, status=403)
        return redirect("mfa_activate_totp")
