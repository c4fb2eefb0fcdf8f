"""Write every dossier's statistical facts again from the dossiers and their journal."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.statistics.facts import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the statistics' facts of every live dossier from the dossiers and the journal "
        "(after writing dossiers in bulk, outside the actions)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = rebuild()
        self.stdout.write(f"{count} dossiers' facts written.")
