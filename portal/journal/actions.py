"""Appending to the journal. The only write the journal knows."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from portal.core.addresses import client_address
from portal.journal.models import GENESIS, JournalEntry

# Appends are serialised with a transaction-scoped advisory lock so the chain never forks.
_CHAIN_LOCK = 0x4A4F55524E414C  # "JOURNAL"


@transaction.atomic
def record(
    *,
    action: str,
    object_type: str,
    object_id: int | None = None,
    object_reference: str = "",
    actor=None,
    organisation=None,
    request=None,
    details: dict | None = None,
) -> JournalEntry:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = JournalEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    entry = JournalEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=getattr(actor, "email", "") or "",
        organisation=organisation,
        organisation_label=getattr(organisation, "short_name", "") or "",
        address=client_address(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_reference=object_reference,
        details=details or {},
        previous_hash=last or GENESIS,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    return entry
