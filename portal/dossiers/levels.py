"""Access levels on a dossier and the permission codenames that carry them.

Levels are ordered: each includes the ones below it. A grant row holds the guardian
permission of its level, so "at least contribute" is "codename in contribute, change, manage".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.roles import Role


class Level(models.IntegerChoices):
    VIEW = 1, _("View")
    CONTRIBUTE = 2, _("Contribute")
    EDIT = 3, _("Edit")
    MANAGE = 4, _("Manage")


CODENAMES: dict[int, str] = {
    Level.VIEW: "view_dossier",
    Level.CONTRIBUTE: "contribute_dossier",
    Level.EDIT: "change_dossier",
    Level.MANAGE: "manage_dossier",
}
LEVEL_OF_CODENAME = {codename: level for level, codename in CODENAMES.items()}

# What a role brings: members of the owner get exactly this; a share to an organisation
# gives each chosen role the share's level, never more than this ceiling. Case workers
# run their cases end to end, sharing and handing over included; administrators add
# legal holds and member management, which are not dossier levels.
ROLE_LEVEL: dict[str, Level] = {
    Role.ADMINISTRATOR: Level.MANAGE,
    Role.CASE_WORKER: Level.MANAGE,
    Role.INSPECTOR: Level.CONTRIBUTE,
    Role.READER: Level.VIEW,
}

LEVEL_DESCRIPTIONS = {
    Level.VIEW: _("see the dossier and download its documents"),
    Level.CONTRIBUTE: _("also add documents and messages"),
    Level.EDIT: _("also change its data and status"),
    Level.MANAGE: _("also share it and hand it over"),
}


def codenames_at_least(level: int) -> list[str]:
    return [codename for lvl, codename in CODENAMES.items() if lvl >= level]


def role_ceiling(role: str, level: int) -> int:
    return min(level, ROLE_LEVEL.get(role, 0))
