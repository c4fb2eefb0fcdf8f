"""Organisations (tenants) and memberships."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tenants.roles import Role


class OrganisationKind(models.TextChoices):
    CANTONAL_AUTHORITY = "cantonal_authority", _("Cantonal labour-market authority")
    TRIPARTITE_COMMISSION = "tripartite_commission", _("Cantonal tripartite commission")
    JOINT_COMMISSION = "joint_commission", _("Joint commission")
    CONTROL_ASSOCIATION = "control_association", _("Control association")
    FEDERAL_SECRETARIAT = "federal_secretariat", _("Federal secretariat (supervision)")
    UMBRELLA_ASSOCIATION = "umbrella_association", _("Umbrella association of labour-market authorities")


class Canton(models.TextChoices):
    AG = "AG", _("Aargau")
    AI = "AI", _("Appenzell Innerrhoden")
    AR = "AR", _("Appenzell Ausserrhoden")
    BE = "BE", _("Bern")
    BL = "BL", _("Basel-Landschaft")
    BS = "BS", _("Basel-Stadt")
    FR = "FR", _("Fribourg")
    GE = "GE", _("Geneva")
    GL = "GL", _("Glarus")
    GR = "GR", _("Graubünden")
    JU = "JU", _("Jura")
    LU = "LU", _("Lucerne")
    NE = "NE", _("Neuchâtel")
    NW = "NW", _("Nidwalden")
    OW = "OW", _("Obwalden")
    SG = "SG", _("St. Gallen")
    SH = "SH", _("Schaffhausen")
    SO = "SO", _("Solothurn")
    SZ = "SZ", _("Schwyz")
    TG = "TG", _("Thurgau")
    TI = "TI", _("Ticino")
    UR = "UR", _("Uri")
    VD = "VD", _("Vaud")
    VS = "VS", _("Valais")
    ZG = "ZG", _("Zug")
    ZH = "ZH", _("Zurich")
    FL = "FL", _("Liechtenstein")
    CH = "CH", _("Federal")


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Organisation(models.Model):
    """An execution body: the unit of tenancy. Every dossier has exactly one owner."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    canton = models.CharField(_("canton"), max_length=2, choices=Canton.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["short_name"]
        indexes = [models.Index(fields=["kind", "canton"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to German."""
        language = (translation.get_language() or "de")[:2]
        return getattr(self, f"name_{language}", "") or self.name_de


class MembershipQuerySet(models.QuerySet):
    def current(self, on: date | None = None):
        """Memberships that grant something today: active, in their validity, in an active organisation."""
        today = on or timezone.localdate()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            is_active=True,
            valid_from__lte=today,
            organisation__is_active=True,
        )


class Membership(models.Model):
    """A person's place in one organisation. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_user_and_organisation"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="membership_validity_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "role"]),
            models.Index(fields=["user", "is_active"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation.short_name} ({self.get_role_display()})"

    def is_current(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return (
            self.is_active
            and self.valid_from <= today
            and (self.valid_until is None or self.valid_until >= today)
            and self.organisation.is_active
        )


class RoleGroup(models.Model):
    """The auth group standing for one role in one organisation.

    Object permissions granted to a group (guardian's group tables) reach exactly the people
    holding that role there *today*: the permission policy resolves a user's groups from their
    current memberships at query time, so an expired membership grants nothing at once.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="one_group_per_organisation_role")
        ]

    def __str__(self) -> str:
        return self.group.name
