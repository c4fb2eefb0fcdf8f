"""Documents of a dossier and their versions. File contents live encrypted in storage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.documents.detection import ALLOWED, PREVIEWABLE


class Category(models.TextChoices):
    CONTROL_REPORT = "control_report", _("Control report")
    PAYROLL = "payroll", _("Payroll extract")
    DECISION = "decision", _("Decision")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class Document(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    message = models.ForeignKey(
        "threads.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dossier", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file_name = models.CharField(_("file name"), max_length=255)
    blob = models.CharField(max_length=255, unique=True, editable=False)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    key_id = models.CharField(max_length=40, editable=False)
    wrapped_key = models.TextField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")]
        indexes = [models.Index(fields=["key_id"])]

    def __str__(self) -> str:
        return f"{self.file_name} (v{self.number})"

    @property
    def type_label(self) -> str:
        return ALLOWED.get(self.content_type, self.content_type)

    @property
    def previewable(self) -> bool:
        return self.content_type in PREVIEWABLE
