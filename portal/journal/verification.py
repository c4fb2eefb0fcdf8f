"""Checking the chain: every entry's hash, and every link to the entry before it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from portal.journal.models import GENESIS, JournalEntry


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[Break]:
    previous = GENESIS
    for entry in JournalEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        if entry.previous_hash != previous:
            yield Break(
                entry.id, "link to the previous entry does not match (an entry was removed or inserted)"
            )
        elif entry.compute_hash() != entry.entry_hash:
            yield Break(entry.id, "contents do not match the entry's hash (the entry was altered)")
        previous = entry.entry_hash
