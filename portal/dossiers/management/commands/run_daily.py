"""Run the daily maintenance: destruction warnings, purge, orphan sweep, digests. Call once a day."""

from django.core.management.base import BaseCommand

from portal.dossiers.tasks import daily_maintenance


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        result = daily_maintenance.enqueue()
        self.stdout.write(
            f"Daily maintenance queued as {result.id}: {result.return_value if result.is_finished else result.status}"
        )
