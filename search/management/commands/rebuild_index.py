"""Rebuild the whole search index from the database, with a progress bar.

Elasticsearch: a new index is filled with the bulk API, then the alias swaps to it in one
step. PostgreSQL: the entries are replaced inside one transaction. Either way searchers
see the old index until the new one is complete. Documents whose text was never extracted
are extracted first (``--extract``)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from portal.documents.models import DocumentVersion
from portal.dossiers.models import Dossier
from search.backends import get_backend
from search.extract import extract_version
from search.models import ExtractionStatus
from search.records import all_keys, records_for


class Progress:
    def __init__(self, total: int, out, label: str):
        self.total, self.out, self.label = max(total, 1), out, label
        self.started = time.monotonic()

    def __call__(self, done: int) -> None:
        share = min(1.0, done / self.total)
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed else 0
        bar = "#" * int(share * 30)
        self.out.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {done}/{self.total} ({rate:,.0f}/s)")
        self.out.flush()


class Command(BaseCommand):
    help = "Rebuild the search index from the database."

    def add_arguments(self, parser):
        parser.add_argument("--extract", action="store_true", help="Extract text still missing first.")

    def handle(self, *args, extract=False, **options):
        backend = get_backend()
        if extract:
            versions = DocumentVersion.objects.filter(document__current_version__isnull=False).exclude(
                extracted__status__in=[ExtractionStatus.DONE, ExtractionStatus.FAILED]
            )
            progress = Progress(versions.count(), sys.stdout, "extracting")
            for done, version in enumerate(versions.iterator(), 1):
                extract_version(version)
                progress(done)
            self.stdout.write("")
        started_at = time.monotonic()
        total = Dossier.objects.count()
        progress = Progress(total, sys.stdout, "indexing dossiers")
        dossiers_done = 0

        def batches():
            nonlocal dossiers_done
            for keys in all_keys():
                dossiers_done += sum(key.startswith("dossier:") for key in keys)
                progress(dossiers_done)
                yield records_for(keys, with_children=True).records

        # Updates still queued stay queued: applying them again after the rebuild is harmless.
        entries = backend.rebuild(batches(), lambda done: None)
        seconds = time.monotonic() - started_at
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {entries} entries from {total} dossiers into {backend.name} "
                f"in {seconds:.1f} s ({entries / max(seconds, 0.001):,.0f} entries/s)."
            )
        )
