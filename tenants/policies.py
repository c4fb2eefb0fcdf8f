"""Who may do what to organisations and memberships.

Every check answers from the acting user's *current* membership in the organisation
concerned, never from the organisation they happen to have active, so a view cannot be
tricked into acting on another tenant by a stale session.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tenants.models import Membership, Organisation
from tenants.roles import Capability, capabilities_of


def membership_of(user, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.current().filter(user=user, organisation=organisation).first()


def can(user, organisation: Organisation, capability: Capability) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and capability in capabilities_of(membership.role)


def require(user, organisation: Organisation, capability: Capability) -> None:
    if not can(user, organisation, capability):
        raise PermissionDenied


def is_platform_operator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_platform_operator)
