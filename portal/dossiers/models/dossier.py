"""Dossiers and the per-owner sequence behind their reference numbers."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from portal.dossiers.identifiers import format_uid
from portal.dossiers.models.tags import OwnerTagManager
from portal.dossiers.workflow import Status
from tenants.models import Canton


class ControlKind(models.TextChoices):
    POSTED_WORKERS = "posted_workers", _("Posted workers")
    SELF_EMPLOYED = "self_employed", _("Self-employed service provider")
    SWISS_EMPLOYER = "swiss_employer", _("Swiss employer")
    TEMPORARY_AGENCY = "temporary_agency", _("Temporary agency")


class ReferenceSequence(models.Model):
    """The last number handed out per owner and year (locked row, no gaps from races)."""

    organisation = models.ForeignKey("tenants.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_sequence_per_owner_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_number}"


class Dossier(models.Model):
    """A control case about one company. Always owned by exactly one organisation."""

    reference = models.CharField(_("reference"), max_length=40)
    owner = models.ForeignKey(
        "tenants.Organisation", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("owner")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    # The company
    company_name = models.CharField(_("company"), max_length=200)
    company_uid = models.CharField(
        _("enterprise number (UID)"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("For example CHE-116.281.710, with or without dots"),
    )
    company_foreign_register = models.CharField(_("foreign register number"), max_length=60, blank=True)
    company_country = models.CharField(
        _("country"), max_length=2, default="CH", help_text=_("ISO code, e.g. DE")
    )
    company_address = models.TextField(_("address"), blank=True)
    # The work controlled
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    collective_agreement = models.CharField(_("collective labour agreement"), max_length=200, blank=True)
    # The yearly report splits controls by sectors with and without an extended (generally
    # binding) collective agreement (DOMAIN.md, "Supervision and reporting").
    agreement_extended = models.BooleanField(
        _("collective agreement declared generally binding"),
        default=False,
        db_default=False,  # rows written by raw SQL (bulk imports, benchmarks) count as "no"
        help_text=_("The sector's collective labour agreement is extended (declared generally binding)."),
    )
    canton = models.CharField(_("canton of work"), max_length=2, choices=Canton.choices)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    work_start = models.DateField(_("work from"), null=True, blank=True)
    work_end = models.DateField(_("work until"), null=True, blank=True)
    control_kind = models.CharField(_("kind of control"), max_length=20, choices=ControlKind.choices)
    persons_checked = models.PositiveIntegerField(_("persons checked"), default=0)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.OPENED)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # Findings and sanctions
    wage_underpayment_chf = models.DecimalField(
        _("wage underpayment (CHF)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    working_time_violations = models.TextField(_("working-time violations"), blank=True)
    penalty_chf = models.DecimalField(
        _("contractual penalty (CHF)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    fine_chf = models.DecimalField(
        _("fine (CHF)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    ban_years = models.PositiveSmallIntegerField(
        _("ban on offering services (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    listed_publicly = models.BooleanField(
        _("company listed publicly"),
        default=False,
        db_default=False,
        help_text=_("The company is on the federal secretariat's public list of sanctioned companies."),
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("related dossiers"))
    tags = TaggableManager(
        through="dossiers.TaggedDossier", manager=OwnerTagManager, blank=True, verbose_name=_("tags")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, editable=False)
    # Retention: destroyed automatically at ``destroy_after`` unless a legal hold is set.
    destroy_after = models.DateTimeField(_("destruction date"), db_index=True, editable=False)
    legal_hold_reason = models.TextField(_("legal hold"), blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    legal_hold_since = models.DateTimeField(null=True, blank=True)
    destruction_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        # Guardian permissions behind the access levels (view and change come with the model).
        permissions = [
            ("contribute_dossier", _("Can add documents and messages to dossier")),
            ("manage_dossier", _("Can share and hand over dossier")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reference"], name="reference_unique_per_owner"),
            models.CheckConstraint(
                condition=Q(work_end__isnull=True)
                | Q(work_start__isnull=True)
                | Q(work_end__gte=models.F("work_start")),
                name="work_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(ban_years__isnull=True) | Q(ban_years__gte=1, ban_years__lte=5),
                name="ban_one_to_five_years",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["canton", "status"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.company_name}"

    @property
    def company_uid_display(self) -> str:
        return format_uid(self.company_uid)

    @property
    def on_legal_hold(self) -> bool:
        return bool(self.legal_hold_reason)

    def is_overdue(self, on: date | None = None) -> bool:
        return bool(
            self.deadline and self.deadline < (on or timezone.localdate()) and self.status != Status.CLOSED
        )
