"""Events a person is told about by e-mail, at once or in a daily digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SHARED = "shared", _("A dossier was shared with you")
    HANDED_OVER = "handed_over", _("A dossier was handed over to your organisation")
    DOCUMENT = "document", _("New document")
    MESSAGE = "message", _("New message")
    DESTRUCTION = "destruction", _("Dossier to be destroyed soon")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "recipient"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.dossier_id} → {self.recipient_id}"
