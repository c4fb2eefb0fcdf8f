"""Shares, hand-overs and the guardian grant rows they expand to.

A :class:`DossierShare` is the grant as a person made it (target, roles, level, expiry,
note). It expands to rows in guardian's direct-foreign-key tables: one per named user, or
one per (organisation, role) group with the level capped by the role. Those rows are plain
integer foreign keys indexed by principal and dossier, and carry the share's expiry so
that the permission policy ignores them from the second they expire.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.dossiers.levels import Level
from portal.dossiers.models.dossier import Dossier
from tenants.roles import Role


class ShareQuerySet(models.QuerySet):
    def live(self, at=None):
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at or timezone.now()))


class DossierShare(models.Model):
    class Kind(models.TextChoices):
        SHARE = "share", _("Share")
        HANDOVER = "handover", _("Kept after hand-over")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="shares")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHARE)
    target_organisation = models.ForeignKey(
        "tenants.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="received_shares",
        verbose_name=_("organisation"),
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("roles"),
        help_text=_("Leave empty for every member of the organisation."),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="received_shares",
        verbose_name=_("person"),
    )
    # A personal share is given through one of the person's memberships: it grants nothing once
    # that membership has ended, and never more than its role allows (checked at query time).
    membership = models.ForeignKey(
        "tenants.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.VIEW)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_for = models.ForeignKey(
        "tenants.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("shared on"), default=timezone.now)

    objects = ShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_organisation__isnull=True, target_user__isnull=False)
                | Q(target_organisation__isnull=False, target_user__isnull=True),
                name="share_has_one_target",
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="share_level_known"),
            models.UniqueConstraint(
                fields=["dossier", "target_organisation"],
                condition=Q(target_organisation__isnull=False),
                name="one_share_per_dossier_and_organisation",
            ),
            models.UniqueConstraint(
                fields=["dossier", "target_user"],
                condition=Q(target_user__isnull=False),
                name="one_share_per_dossier_and_person",
            ),
        ]
        indexes = [models.Index(fields=["target_organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.target_organisation_id or self.target_user_id} ({self.level})"

    @property
    def target_label(self) -> str:
        if self.target_organisation_id:
            return self.target_organisation.short_name
        return self.target_user.email

    def is_live(self, at=None) -> bool:
        return self.expires_at is None or self.expires_at > (at or timezone.now())


class Handover(models.Model):
    """Ownership moved from one organisation to another (kept for the inbox and the journal view)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    from_organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        "tenants.Organisation",
        on_delete=models.CASCADE,
        related_name="received_handovers",
        verbose_name=_("to"),
    )
    level_kept = models.PositiveSmallIntegerField(_("level kept"), choices=Level.choices, null=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("handed over on"), default=timezone.now)

    class Meta:
        ordering = ["-handed_over_at", "-id"]
        indexes = [models.Index(fields=["to_organisation", "-handed_over_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_organisation_id} → {self.to_organisation_id}"


class DossierUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="user_grants")
    share = models.ForeignKey(DossierShare, on_delete=models.CASCADE, related_name="user_grants")
    expires_at = models.DateTimeField(null=True, blank=True)
    # The membership the personal share was given through: the row counts only while it is
    # current, capped by its role. Without one (rows from before this rule), it grants nothing.
    membership = models.ForeignKey(
        "tenants.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["user", "content_object"],
                include=["permission", "expires_at"],
                name="dossier_user_grant_lookup",
            )
        ]


class DossierGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="group_grants")
    share = models.ForeignKey(DossierShare, on_delete=models.CASCADE, related_name="group_grants")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["group", "content_object"],
                include=["permission", "expires_at"],
                name="dossier_group_grant_lookup",
            )
        ]
