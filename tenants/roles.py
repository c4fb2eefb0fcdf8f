"""Roles inside an organisation and what each may do: the one place that says so.

Views, forms, templates and API handlers never compare role names; they ask for a
capability through :func:`tenants.policies.can`.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CASE_WORKER = "case_worker", _("Case worker")
    INSPECTOR = "inspector", _("Inspector")
    READER = "reader", _("Reader")


class Capability(StrEnum):
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_ORGANISATION = "manage_organisation"
    CREATE_DOSSIERS = "create_dossiers"
    WORK_ON_DOSSIERS = "work_on_dossiers"
    ADD_FINDINGS = "add_findings"
    READ_DOSSIERS = "read_dossiers"
    VIEW_STATISTICS = "view_statistics"  # the figures of the organisation's dossiers (portal/statistics)


_EVERYONE = frozenset({Capability.VIEW_MEMBERS, Capability.READ_DOSSIERS})

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: _EVERYONE
    | {
        Capability.MANAGE_MEMBERS,
        Capability.MANAGE_ORGANISATION,
        Capability.CREATE_DOSSIERS,
        Capability.WORK_ON_DOSSIERS,
        Capability.ADD_FINDINGS,
        Capability.VIEW_STATISTICS,
    },
    Role.CASE_WORKER: _EVERYONE
    | {
        Capability.CREATE_DOSSIERS,
        Capability.WORK_ON_DOSSIERS,
        Capability.ADD_FINDINGS,
        Capability.VIEW_STATISTICS,
    },
    Role.INSPECTOR: _EVERYONE | {Capability.ADD_FINDINGS},
    Role.READER: _EVERYONE,
}


def capabilities_of(role: str | None) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset()) if role else frozenset()
