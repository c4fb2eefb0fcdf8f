"""Who may see which figures. Answers from the person's active membership (``request.tenant``).

- A body's dashboard and report: members of the body whose role has ``view_statistics``
  (administrators and case workers). Inspectors and readers get 403: they work on single
  cases and have no need of the body's totals.
- The national view and report: the same roles in the federal secretariat or the umbrella
  association, acting for that organisation.
- A body's submitted report (unsuppressed figures, addressed to the secretariat): the same
  roles in the federal secretariat only. The umbrella association sees who submitted, not
  what.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tenants.models import Organisation, OrganisationKind
from tenants.roles import Capability

NATIONAL_KINDS = frozenset({OrganisationKind.FEDERAL_SECRETARIAT, OrganisationKind.UMBRELLA_ASSOCIATION})


def may_see_body(tenant) -> bool:
    return tenant.organisation is not None and tenant.can(Capability.VIEW_STATISTICS)


def may_see_national(tenant) -> bool:
    return may_see_body(tenant) and tenant.organisation.kind in NATIONAL_KINDS


def body_for(request) -> Organisation:
    if not may_see_body(request.tenant):
        raise PermissionDenied
    return request.tenant.organisation


def national_for(request) -> Organisation:
    if not may_see_national(request.tenant):
        raise PermissionDenied
    return request.tenant.organisation


def may_read_submissions(tenant) -> bool:
    return may_see_body(tenant) and tenant.organisation.kind == OrganisationKind.FEDERAL_SECRETARIAT


def secretariat_for(request) -> Organisation:
    if not may_read_submissions(request.tenant):
        raise PermissionDenied
    return request.tenant.organisation
