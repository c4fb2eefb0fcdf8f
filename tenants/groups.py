"""The auth groups that stand for (organisation, role) pairs."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db.models import Q

from tenants.models import Membership, Organisation, RoleGroup


def role_group(organisation: Organisation, role: str) -> Group:
    """The group of ``role`` in ``organisation``, created on first use."""
    found = RoleGroup.objects.select_related("group").filter(organisation=organisation, role=role).first()
    if found:
        return found.group
    group, _created = Group.objects.get_or_create(name=f"{organisation.slug}:{role}")
    return RoleGroup.objects.get_or_create(organisation=organisation, role=role, defaults={"group": group})[
        0
    ].group


def group_ids_for(memberships: Iterable[Membership]) -> list[int]:
    """The ids of the groups matching ``memberships`` (one query; none for no memberships)."""
    pairs = Q()
    for membership in memberships:
        pairs |= Q(organisation_id=membership.organisation_id, role=membership.role)
    if not pairs:
        return []
    return list(RoleGroup.objects.filter(pairs).values_list("group_id", flat=True))
