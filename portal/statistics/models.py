"""What the statistics keep of their own: one row of facts per dossier, live or destroyed.

Every live dossier has a :class:`DossierFacts` row, written by ``portal.statistics.facts``
in the same transaction as each write that changes a figure (creation, edit, status change,
hand-over), with the local days of opening and closing stored so PostgreSQL can group and
filter them over an index instead of the portal reading every dossier.

Retention destroys a dossier twelve months after it was created, but the yearly report of
a past year must not change (DOMAIN.md, "Supervision and reporting"). So ``destroy()``
leaves one :class:`ArchivedFacts` row behind, in its own transaction: the figures a dossier
counted with, and nothing that names a company, a case or a person (no company, no
reference, no findings text, no people).

A body's submission of its yearly report to the federal secretariat is a
:class:`ReportSubmission`: the CSV as submitted, never changed; submitting again adds a
new version and keeps the earlier ones.
"""

from __future__ import annotations

from django.conf import settings
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
    opened_on = models.DateField(null=True)  # local (Europe/Zurich) day of opened_at
    closed_on = models.DateField(null=True)  # local day of closed_at if the status is closed
    report_at = models.DateTimeField(null=True, blank=True)
    sanction_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    wage_underpayment_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    working_time_violation = models.BooleanField(default=False)
    penalty_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fine_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    ban_years = models.PositiveSmallIntegerField(null=True, blank=True)
    agreement_extended = models.BooleanField(default=False, db_default=False)
    listed_publicly = models.BooleanField(default=False, db_default=False)
    # HMAC-SHA256 of the company's enterprise number (pseudonym.py), never the number itself;
    # empty when the dossier had none (or was destroyed before the pseudonyms were kept).
    company_key = models.CharField(max_length=64, null=True)  # noqa: DJ001 (NULL: no number, one company per row)
    archived_at = models.DateTimeField(_("archived"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived statistical facts")
        verbose_name_plural = _("archived statistical facts")
        indexes = [
            models.Index(fields=["owner", "opened_at"]),
            models.Index(fields=["opened_at"]),
            models.Index(fields=["owner", "opened_on"], name="archived_owner_opened_on"),
            models.Index(fields=["opened_on"], name="archived_opened_on"),
            models.Index(fields=["owner", "closed_on"], name="archived_owner_closed_on"),
            models.Index(fields=["closed_on"], name="archived_closed_on"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.control_kind}/{self.opened_at:%Y-%m-%d}"


class DossierFacts(models.Model):
    """The statistical facts of one live dossier, as the figures count them.

    Derived data: the dossier and its journal are the truth, and
    ``manage.py rebuild_statistics_facts`` writes every row again from them. Goes with its
    dossier (``destroy`` keeps an :class:`ArchivedFacts` row first).
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="statistics_facts"
    )
    owner = models.ForeignKey("tenants.Organisation", on_delete=models.PROTECT, related_name="+")
    control_kind = models.CharField(max_length=20, choices=ControlKind.choices)
    sector = models.CharField(max_length=120, blank=True)
    canton = models.CharField(max_length=2, choices=Canton.choices)
    status = models.CharField(max_length=30, choices=Status.choices)
    persons_checked = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField()
    opened_on = models.DateField()  # local day
    report_at = models.DateTimeField(null=True)  # first move to report written
    sanction_at = models.DateTimeField(null=True)  # first move to sanction decided
    closed_at = models.DateTimeField(null=True)  # last move to closed, else the last change
    closed_on = models.DateField(null=True)  # local day of closed_at, only while closed
    deadline = models.DateField(null=True)
    wage_underpayment_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    working_time_violation = models.BooleanField(default=False)
    penalty_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fine_chf = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    ban_years = models.PositiveSmallIntegerField(null=True)
    agreement_extended = models.BooleanField(default=False)
    listed_publicly = models.BooleanField(default=False)
    # pseudonym of the UID (pseudonym.py); NULL, not "": no number, one company per row
    company_key = models.CharField(max_length=64, null=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(fields=["owner", "opened_on"], name="facts_owner_opened_on"),
            models.Index(fields=["opened_on"], name="facts_opened_on"),
            models.Index(fields=["owner", "closed_on"], name="facts_owner_closed_on"),
            models.Index(fields=["closed_on"], name="facts_closed_on"),
            models.Index(fields=["owner", "status"], name="facts_owner_status"),
        ]

    def __str__(self) -> str:
        return f"facts of dossier {self.dossier_id}"


class MonthlyCounts(models.Model):
    """The sums of the facts rows (live and kept) of one body, kind, sector, canton and month.

    Derived data, kept current by PostgreSQL triggers on both facts tables in the same
    statement as every write to them (migration ``statistics/0007_monthly_counts_triggers``), and
    written again by ``manage.py rebuild_statistics_facts``. ``month`` is the first day of a
    local calendar month: the columns up to ``listed`` count the controls *opened* that
    month, ``closed`` the cases *closed* that month. A page reads the whole months of its
    period here, a few thousand rows, and only the days of a month cut by the period from
    the facts rows (``figures.py``).
    """

    owner = models.ForeignKey("tenants.Organisation", on_delete=models.PROTECT, related_name="+")
    control_kind = models.CharField(max_length=20, choices=ControlKind.choices)
    sector = models.CharField(max_length=120, blank=True)
    canton = models.CharField(max_length=2, choices=Canton.choices)
    month = models.DateField()
    controls = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    persons = models.BigIntegerField(default=0)
    undercutting = models.BigIntegerField(default=0)
    working_time = models.BigIntegerField(default=0)
    penalties = models.BigIntegerField(default=0)
    penalties_chf = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    fines = models.BigIntegerField(default=0)
    fines_chf = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    bans = models.BigIntegerField(default=0)
    ban_years = models.BigIntegerField(default=0)
    extended = models.BigIntegerField(default=0)
    listed = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "control_kind", "sector", "canton", "month"], name="monthly_counts_cell"
            )
        ]
        indexes = [models.Index(fields=["month"], name="monthly_counts_month")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.control_kind}/{self.sector}/{self.canton}/{self.month:%Y-%m}"


class ReportSubmission(models.Model):
    """One version of a body's yearly report as submitted to the federal secretariat."""

    organisation = models.ForeignKey(
        "tenants.Organisation",
        on_delete=models.PROTECT,
        related_name="report_submissions",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by_label = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=10)
    csv = models.BinaryField(_("report (CSV)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "version"], name="one_submission_version_per_body_year"
            )
        ]
        ordering = ["organisation_id", "year", "-version"]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year} v{self.version}"
