"""Re-wrap every document's data key with the current master key (the first of PORTAL_FILE_KEYS)."""

from django.core.management.base import BaseCommand

from portal.documents.actions import rotate_keys
from portal.documents.crypto import keyring


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        rotated = rotate_keys()
        self.stdout.write(
            f"Re-wrapped {rotated} data keys under master key {keyring().current_id!r}. "
            "Files were not rewritten; older master keys may be removed once no key uses them."
        )
