from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    DOWNLOAD = "download", _("downloaded")
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    SHARE = "share", _("shared")
    REVOKE = "revoke", _("revoked a share")
    HAND_OVER = "hand_over", _("handed over")
    DESTROY = "destroy", _("destroyed")
    SIGN_IN_FAILED = "sign_in_failed", _("failed to sign in")


class JournalEntry(models.Model):
    """One line of the trail. Never updated, never deleted by the application."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    actor_label = models.CharField(_("person"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "tenants.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    organisation_label = models.CharField(_("organisation"), max_length=60, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.BigIntegerField(_("object id"), null=True)
    object_reference = models.CharField(_("reference"), max_length=60, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False, unique=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"]),
            # The dossier's journal tab: entries about the dossier, its documents and messages.
            models.Index(KeyTransform("dossier", "details"), "id", name="journal_by_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Journal entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Journal entries are append-only.")

    def canonical(self) -> str:
        """The fields the hash covers, in a form that does not depend on the database."""
        return json.dumps(
            {
                "created_at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "actor_label": self.actor_label,
                "organisation": self.organisation_id,
                "organisation_label": self.organisation_label,
                "address": self.address,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "object_reference": self.object_reference,
                "details": self.details,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.previous_hash + self.canonical()).encode()).hexdigest()
