"""What the statistics keep of their own: the anonymous facts of destroyed dossiers.

Retention destroys a dossier twelve months after it was created, but the yearly report of
a past year must not change (DOMAIN.md, "Supervision and reporting"). So ``destroy()``
leaves one :class:`ArchivedFacts` row behind, in its own transaction: the figures a dossier
counted with, and nothing that names a company, a case or a person (no company, no
reference, no findings text, no people).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dossiers.models import ControlKind
from portal.dossiers.workflow import Status
from tenants.models import Canton


class ArchivedFacts(models.Model):
    """The statistical facts of one destroyed dossier, under the body that owned it last."""

    owner = models.ForeignKey(
        "tenants.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    control_kind = models.CharField(_("kind of control"), max_length=20, choices=ControlKind.choices)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    canton = models.CharField(_("canton of work"), max_length=2, choices=Canton.choices)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    persons_checked = models.PositiveIntegerField(_("persons checked"), default=0)
    opened_at = models.DateTimeField(_("opened"))
    report_at = models.DateTimeField(null=True, blank=True)
    sanction_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    wage_underpayment_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    working_time_violation = models.BooleanField(default=False)
    penalty_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fine_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    ban_years = models.PositiveSmallIntegerField(null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived statistical facts")
        verbose_name_plural = _("archived statistical facts")
        indexes = [models.Index(fields=["owner", "opened_at"]), models.Index(fields=["opened_at"])]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.control_kind}/{self.opened_at:%Y-%m-%d}"
