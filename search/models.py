"""What search keeps: extracted text, the queue of pending index updates, and the
PostgreSQL backend's entries.

* ``ExtractedText`` holds each document version's text once, whatever the backend, so a
  rebuild never extracts again.
* ``PendingUpdate`` is the durable queue: a row is written in the same transaction as the
  change it stands for, and removed only once the backend has taken the update. If the
  engine is down the row stays, with its attempts and the time of the next try.
* ``SearchEntry`` is the PostgreSQL backend's index: one row per dossier, document,
  message and knowledge page, its ``vector`` computed by a trigger from the entry's
  language configuration.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Fold(models.Func):
    """PostgreSQL's ``portal_fold`` (migration 0003): accents off, lower case, umlaut digraphs folded."""

    function = "portal_fold"
    output_field = models.TextField()


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for text extraction")
    DONE = "done", _("text extracted")
    FAILED = "failed", _("text extraction failed")
    SKIPPED = "skipped", _("not extracted")


class ExtractedText(models.Model):
    version = models.OneToOneField(
        "documents.DocumentVersion", on_delete=models.CASCADE, primary_key=True, related_name="extracted"
    )
    status = models.CharField(
        max_length=10, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, blank=True)
    ocr = models.BooleanField(default=False)
    # Why extraction failed or was skipped, in English; shown translated on the page.
    reason = models.CharField(max_length=60, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    seconds = models.FloatField(null=True)
    extracted_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="extracted_by_status")]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.status}"


class PendingUpdate(models.Model):
    """An index update that has not reached the engine yet ("dossier:12", "document:7")."""

    key = models.CharField(max_length=40, unique=True)
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    # Principals changed (revocation, hand-over): until this row is processed, the
    # engine's stored principals for the dossier are not trusted (see service.search).
    acl = models.BooleanField(default=False)
    dossier_id = models.IntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return self.key


class SearchEntry(models.Model):
    """One searchable item in the PostgreSQL backend."""

    key = models.CharField(max_length=40, primary_key=True)
    kind = models.CharField(max_length=10)
    object_id = models.IntegerField()
    # Empty for knowledge pages, which belong to no dossier.
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, null=True, related_name="+")
    # Facets, denormalised from the dossier so one scan answers every count.
    owner_id = models.IntegerField(null=True)
    status = models.CharField(max_length=30)
    canton = models.CharField(max_length=2)
    sector = models.CharField(max_length=120, blank=True)
    year = models.PositiveSmallIntegerField()
    doc_type = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=2)
    date = models.DateTimeField()
    # What is searched.
    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=40)
    company = models.CharField(max_length=200, blank=True)
    identifiers = models.TextField(blank=True)
    body = models.TextField(blank=True)
    extraction = models.CharField(max_length=10, blank=True)
    # Knowledge pages: the tree path their audience is checked against at query time, and
    # where the page is read.
    path = models.CharField(max_length=255, blank=True, db_default="")
    url = models.CharField(max_length=300, blank=True, db_default="")
    vector = SearchVectorField(null=True, editable=False)
    # Title, references and names only: small enough to stay in the row, so every match can
    # be pre-ranked without reading its whole vector (see the PostgreSQL backend).
    head = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            GinIndex(fields=["vector"], name="search_entry_vector"),
            # Above the cap, the entries whose title, references or company match are found
            # wherever they lie, so they always compete for the first page.
            GinIndex(fields=["head"], name="search_entry_head"),
            GinIndex(OpClass(Fold("company"), name="gin_trgm_ops"), name="search_entry_company_trgm"),
            models.Index(fields=["dossier", "kind"], name="search_entry_dossier"),
            models.Index(fields=["-date"], name="search_entry_date"),
        ]

    def __str__(self) -> str:
        return self.key
