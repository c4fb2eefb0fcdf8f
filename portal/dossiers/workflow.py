"""The status of a dossier and the transitions allowed between them: the one place that says so."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPENED = "opened", _("Opened")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    UNDER_CONTROL = "under_control", _("Under control")
    REPORT_WRITTEN = "report_written", _("Report written")
    TRANSFERRED_FOR_SANCTION = "transferred_for_sanction", _("Transferred for sanction")
    SANCTION_DECIDED = "sanction_decided", _("Sanction decided")
    CLOSED = "closed", _("Closed")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPENED: frozenset({Status.DOCUMENTS_REQUESTED, Status.UNDER_CONTROL, Status.CLOSED}),
    Status.DOCUMENTS_REQUESTED: frozenset({Status.UNDER_CONTROL, Status.OPENED, Status.CLOSED}),
    Status.UNDER_CONTROL: frozenset({Status.DOCUMENTS_REQUESTED, Status.REPORT_WRITTEN, Status.CLOSED}),
    Status.REPORT_WRITTEN: frozenset({Status.TRANSFERRED_FOR_SANCTION, Status.UNDER_CONTROL, Status.CLOSED}),
    Status.TRANSFERRED_FOR_SANCTION: frozenset({Status.SANCTION_DECIDED, Status.REPORT_WRITTEN}),
    Status.SANCTION_DECIDED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.UNDER_CONTROL}),  # reopened when new facts come up
}


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def can_transition(current: str, target: str) -> bool:
    return target in allowed_targets(current)
