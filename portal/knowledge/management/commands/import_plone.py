"""Import a Plone site's collective.exportimport export into the knowledge section."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.knowledge.plone.access import AudienceMapError, load_audience_map
from portal.knowledge.plone.importer import import_plone
from portal.knowledge.plone.reader import ExportError


class Command(BaseCommand):
    help = (
        "Import a Plone site exported with collective.exportimport (content, translations, local roles, "
        "redirects) into the knowledge section. Importing the same export again updates, keyed by Plone UID."
    )

    def add_arguments(self, parser):
        parser.add_argument("export_dir", type=Path, help="Folder with the export's JSON files.")
        parser.add_argument(
            "--blobs",
            type=Path,
            help="The old site's blob storage, for blob paths (default: EXPORT_DIR/blobstorage).",
        )
        parser.add_argument(
            "--audiences",
            type=Path,
            help='JSON: Plone group id → {"kind": organisation kind} or {"pool": pool name}.',
        )
        parser.add_argument(
            "--old-url",
            action="append",
            default=[],
            help="Another address of the old site (its public one): links to it are rewritten too.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, export_dir, blobs=None, audiences=None, old_url=(), no_progress=False, **options):
        try:
            rules = load_audience_map(audiences)
        except AudienceMapError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        out = sys.stderr if not no_progress else None

        def progress(done: int, total: int) -> None:
            if out is None:
                return
            share = done / total
            elapsed = time.monotonic() - started
            out.write(
                f"\rimporting [{'#' * int(share * 30):<30}] {share:4.0%} {done}/{total} "
                f"({done / elapsed if elapsed else 0:,.1f}/s)"
            )
            if done == total:
                out.write("\n")
            out.flush()

        try:
            report = import_plone(
                export_dir, blobs=blobs, audiences=rules, old_urls=tuple(old_url), progress=progress
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        write = self.stdout.write

        def counts(counter) -> str:
            return ", ".join(f"{number} {kind}s" for kind, number in sorted(counter.items())) or "nothing"

        write(f"Created: {counts(report.created)}.")
        write(f"Updated: {counts(report.updated)}.")
        write(f"Unchanged: {report.unchanged}. Kept as drafts: {report.drafts}.")
        write(f"Links rewritten: {report.links_rewritten}. Redirects added or changed: {report.redirects}.")
        for title, rows in (
            ("Audiences applied", report.audiences),
            ("Not carried over", report.not_carried_over),
            ("Broken links (text kept, link removed)", report.broken_links),
            ("Skipped", report.skipped),
        ):
            write(f"{title}: {len(rows)}")
            for path, reason in rows:
                write(f"  {path}: {reason}")
        write(f"Done in {seconds:.1f} s.")
        if report.skipped:
            self.stderr.write(self.style.WARNING(f"{len(report.skipped)} items were skipped; see above."))
