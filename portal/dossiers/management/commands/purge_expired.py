"""Destroy every dossier past its destruction date that is not on legal hold."""

from django.core.management.base import BaseCommand

from portal.dossiers.retention import purge_expired


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        destroyed = purge_expired()
        self.stdout.write(f"Destroyed {destroyed} dossier(s); tombstones are in the journal.")
