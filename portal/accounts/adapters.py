"""allauth adapters: no open sign-up, TOTP seeds encrypted at rest."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import translation

from portal.crypto import decrypt_text, encrypt_text


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by invitation only (see :mod:`tenants.actions`)."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        """Land in the person's own language unless they asked for a particular page."""
        language = getattr(request.user, "preferred_language", "")
        if language and language in dict(settings.LANGUAGES) and not request.GET.get("next"):
            with translation.override(language):
                return resolve_url(settings.LOGIN_REDIRECT_URL)
        return super().get_login_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """First enrolment follows the password step directly: asking for the password again
        there would only confuse. Changing an existing second factor still asks for it."""
        if app == "allauth.mfa" and self.request is not None and self.request.user.is_authenticated:
            from portal.accounts.middleware import has_second_factor

            if not has_second_factor(self.request):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """An identity provider signs in people the portal already knows, never new ones.

    The provider's e-mail address is matched to an existing user; a stranger is sent
    back to the sign-in page. The portal's own second factor still applies.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """The last second factor cannot be removed: two-factor sign-in is mandatory."""
        from allauth.mfa.models import Authenticator

        second_factors = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
        if authenticator.type not in second_factors:
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=second_factors).exclude(
            pk=authenticator.pk
        )
        return others.exists()

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)
