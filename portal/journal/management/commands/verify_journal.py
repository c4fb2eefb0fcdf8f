from django.core.management.base import BaseCommand, CommandError

from portal.journal.models import JournalEntry
from portal.journal.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the journal's hash chain; exits non-zero and names the entries that were tampered with."

    def handle(self, *args, **options):
        breaks = list(verify_chain())
        total = JournalEntry.objects.count()
        if breaks:
            for found in breaks:
                self.stderr.write(f"entry {found.entry_id}: {found.reason}")
            raise CommandError(f"Journal chain broken at {len(breaks)} of {total} entries.")
        self.stdout.write(self.style.SUCCESS(f"Journal intact: {total} entries verified."))
