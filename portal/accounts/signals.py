"""Reactions to allauth's second-factor events."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.dispatch import receiver

from portal.accounts.middleware import SESSION_FLAG


@receiver(authenticator_added, dispatch_uid="portal-enrolment-counts-as-fresh")
def count_enrolment_as_fresh_authentication(sender, request=None, user=None, authenticator=None, **kwargs):
    """Enrolling proved a fresh code: the person may see their recovery codes right away
    instead of being asked again for the password they typed a minute ago."""
    if request is not None and user is not None and authenticator is not None:
        record_authentication(
            request, user, method="mfa", type=authenticator.type, id=authenticator.pk, reauthenticated=True
        )


@receiver(authenticator_removed, dispatch_uid="portal-forget-second-factor-flag")
def forget_cached_second_factor(sender, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_FLAG, None)
