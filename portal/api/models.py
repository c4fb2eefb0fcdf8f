"""API clients of the execution bodies' case software, their tokens, and what keeps calls safe."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read dossiers, documents, messages and search")
    WRITE = "write", _("Create and change dossiers, upload documents, post messages")
    SHARE = "share", _("Share, revoke and hand over dossiers")


class ApiClient(models.Model):
    """One piece of case software of one organisation.

    A client acts through its own service account, a member of the organisation (case
    worker if it may write or share, reader otherwise), so the permission policy, the
    journal and search treat its calls exactly like a person's. Its scopes narrow that
    further, call by call.
    """

    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client id"), max_length=40, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    secret_hint = models.CharField(max_length=8, editable=False)
    scopes = ArrayField(models.CharField(max_length=10, choices=Scope.choices), verbose_name=_("scopes"))
    allowed_networks = ArrayField(
        models.CharField(max_length=43),
        default=list,
        blank=True,
        verbose_name=_("allowed networks"),
        help_text=_("One address or range per line (e.g. 192.0.2.0/24). Empty: from anywhere."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    rate_limit = models.PositiveIntegerField(
        _("calls per minute"), default=600, help_text=_("More calls within a minute are refused (429).")
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret set"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class AccessToken(models.Model):
    """A short-lived bearer token from the client-credentials grant; only its hash is kept."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=10))
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%H:%M}"


class RateWindow(models.Model):
    """Calls of one client in one minute, counted with one upsert per call."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window"], name="one_rate_window")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.window:%H:%M}: {self.calls}"


class IdempotentRequest(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed for every retry.

    An answer about a dossier holds its contents (company, address, message text), so it
    is tied to the dossier and goes when the dossier is destroyed.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, null=True, related_name="+", editable=False
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    location = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.key}: {self.status}"


class ApiCall(models.Model):
    """The access log of API calls, shown to the organisation's administrators.

    ``path`` is the route's pattern (``/api/v1/dossiers/<int:dossier_id>``), never the
    path and query as sent: search terms, titles and file names are case contents, and the
    log outlives the dossiers (90 days).
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    address = models.GenericIPAddressField(null=True)

    class Meta:
        indexes = [models.Index(fields=["client", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"


class UploadSession(models.Model):
    """A resumable upload: pieces arrive in order, each stored encrypted, until the declared size."""

    id = models.UUIDField(primary_key=True)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, null=True, related_name="+")
    file_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, blank=True)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    received = models.BigIntegerField(default=0)
    parts = ArrayField(models.CharField(max_length=120), default=list)
    key_id = models.CharField(max_length=40)
    wrapped_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"upload {self.id}: {self.received}/{self.size}"
