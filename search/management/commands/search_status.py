"""How the search index stands: backend, entries, queued and failing updates, extraction."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from search.backends import get_backend
from search.backends.base import BackendUnavailable
from search.models import ExtractedText, ExtractionStatus, PendingUpdate


class Command(BaseCommand):
    help = "Show the search backend, pending and failed index updates, and extraction results."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20, help="How many failing updates to list.")

    def handle(self, *args, limit=20, **options):
        backend = get_backend()
        self.stdout.write(f"Backend: {backend.name}")
        try:
            engine = backend.status()
            by_kind = backend.counts_by_kind()
        except BackendUnavailable as exc:
            self.stdout.write(f"Engine: unreachable ({exc})")
        else:
            if engine:
                self.stdout.write(
                    f"Engine: {engine['engine']} {engine['version']}, cluster {engine['cluster']} "
                    f"{engine['health']} with {engine['nodes']} node(s)"
                )
                self.stdout.write(
                    f"Index {backend.alias}: {', '.join(engine['indices']) or 'none yet'}, "
                    f"{engine['size_bytes'] / 1e6:.1f} MB on disk (replicas included)"
                )
            self.stdout.write(
                f"Entries in the index: {sum(by_kind.values())} ("
                + ", ".join(f"{kind} {n}" for kind, n in by_kind.items())
                + ")"
            )
        now = timezone.now()
        pending = PendingUpdate.objects.aggregate(n=Count("pk"), oldest=Min("queued_at"))
        failing = PendingUpdate.objects.filter(attempts__gt=0)
        self.stdout.write(
            f"Pending updates: {pending['n']}"
            + (f" (oldest queued {pending['oldest']:%Y-%m-%d %H:%M:%S})" if pending["oldest"] else "")
        )
        self.stdout.write(f"Failing updates (retried with backoff): {failing.count()}")
        for row in failing.order_by("-attempts", "key")[:limit]:
            wait = max(0, int((row.next_attempt_at - now).total_seconds()))
            self.stdout.write(
                f"  {row.key}: {row.attempts} attempts, next in {wait} s: {row.last_error[:200]}"
            )
        counts = dict(ExtractedText.objects.values_list("status").annotate(n=Count("pk")))
        self.stdout.write(
            "Text extraction: "
            + ", ".join(f"{status.value} {counts.get(status.value, 0)}" for status in ExtractionStatus)
        )
        for row in (
            ExtractedText.objects.filter(status=ExtractionStatus.FAILED)
            .values("reason")
            .annotate(n=Count("pk"))
            .order_by("-n")
        ):
            self.stdout.write(f"  failed, {row['reason']}: {row['n']}")
