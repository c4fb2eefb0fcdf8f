"""The changes feed: one row per change to a dossier, in commit order, for the exchange API.

Rows are written inside the transaction that makes the change (see :mod:`portal.dossiers.events`),
so a change is in the feed exactly when it is in the database. Each row carries the id of
the transaction that wrote it: the feed only hands out rows of transactions older than every
transaction still running, ordered by (transaction, row). A reader's cursor therefore never
skips a row that commits later with a smaller number.

Who may read a row is decided when it is read: whoever may see the dossier now, plus the
principals in ``audience`` (``o:<organisation>`` for all its current members, ``g:<role
group>``, ``u:<person>``), who are told about a revocation, a hand-over or a destruction
that took away access they had. Nobody else ever learns the reference.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils import timezone


class CurrentTransaction(models.Func):
    """``pg_current_xact_id()`` as a bigint: the id of the writing transaction."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()


class Change(models.Model):
    class Kind(models.TextChoices):
        CREATED = "dossier.created"
        CHANGED = "dossier.changed"
        SHARED = "dossier.shared"
        REVOKED = "access.revoked"
        HANDED_OVER = "dossier.handed_over"
        DOCUMENT_ADDED = "document.added"
        MESSAGE_POSTED = "message.posted"
        DESTROYED = "dossier.destroyed"

    id = models.BigAutoField(primary_key=True)
    transaction = models.BigIntegerField(db_default=CurrentTransaction(), editable=False)
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dossier_id = models.BigIntegerField()  # no foreign key: the dossier may be destroyed
    reference = models.CharField(max_length=40)
    object_type = models.CharField(max_length=20, default="dossier")
    object_id = models.BigIntegerField(null=True)
    audience = ArrayField(models.CharField(max_length=24), default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["transaction", "id"], name="change_feed_order"),
            models.Index(fields=["dossier_id"], name="change_by_dossier"),
            GinIndex(fields=["audience"], name="change_audience"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


def running_horizon() -> RawSQL:
    """The oldest transaction still running; every older one has ended. The feed stops there."""
    return RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
