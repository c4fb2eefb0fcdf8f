"""The tenant context of one request: the user's memberships and the active one.

Resolved lazily once per request by :class:`tenants.middleware.ActiveOrganisationMiddleware`
and kept as ``request.tenant``. The active organisation's id lives in the session; an id
that does not belong to one of the user's current memberships is never honoured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tenants.models import Membership, Organisation
from tenants.roles import Capability, capabilities_of

SESSION_KEY = "portal.active_organisation_id"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantContext:
    memberships: tuple[Membership, ...] = ()
    membership: Membership | None = None
    capabilities: frozenset[Capability] = field(default_factory=frozenset)

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def membership_for(self, organisation_id: int) -> Membership | None:
        return next((m for m in self.memberships if m.organisation_id == organisation_id), None)


EMPTY = TenantContext()


def current_memberships(user) -> tuple[Membership, ...]:
    if not user.is_authenticated:
        return ()
    return tuple(
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__short_name")
    )


def resolve(request) -> TenantContext:
    """Work out the tenant context and repair the session if it names a foreign organisation."""
    memberships = current_memberships(request.user)
    if not memberships:
        request.session.pop(SESSION_KEY, None)
        return EMPTY
    wanted = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.organisation_id == wanted), None)
    if chosen is None:
        if wanted is not None:
            logger.warning("Session named organisation %s outside the user's memberships; reset.", wanted)
        chosen = memberships[0]
        request.session[SESSION_KEY] = chosen.organisation_id
    return TenantContext(
        memberships=memberships, membership=chosen, capabilities=capabilities_of(chosen.role)
    )


def activate(request, organisation_id: int) -> Membership | None:
    """Make ``organisation_id`` the active organisation, if the user belongs to it."""
    membership = request.tenant.membership_for(organisation_id)
    if membership is None:
        return None
    request.session[SESSION_KEY] = membership.organisation_id
    request.tenant = TenantContext(
        memberships=request.tenant.memberships,
        membership=membership,
        capabilities=capabilities_of(membership.role),
    )
    return membership
