"""The message thread of a dossier, between the bodies involved, with read state per person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("for")
    )
    body = models.TextField(_("message"), max_length=20000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dossier", "created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.body[:40]}"


class ReadState(models.Model):
    """Up to when a person has read a dossier's thread."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_until = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dossier"], name="one_read_state_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.dossier_id} until {self.read_until}"
