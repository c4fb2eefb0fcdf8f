"""Load the demo organisations and people. Idempotent: run it as often as you like."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import data
from portal.demo.dossiers import seed_dossiers
from portal.demo.knowledge import seed_knowledge
from portal.demo.services import seed
from portal.demo.statistics import seed_statistics
from portal.dossiers.models import Dossier
from portal.notifications.services import without_mail
from tenants.models import Organisation


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations, members and sign-ins. For demos only."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo sign-ins.")

    def handle(self, *args, **options):
        if not settings.PORTAL_DEMO_TOOLS:
            raise CommandError("Demo data is disabled here (PORTAL_DEMO_TOOLS is off).")
        with without_mail():  # demo shares, documents and messages are no news to anyone
            people = seed()
            new_dossiers = seed_dossiers()
            generated_cases = seed_statistics()
            knowledge_pages = seed_knowledge()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Organisation.objects.count()} organisations, {len(people)} people, "
                f"{Dossier.objects.count()} dossiers ({new_dossiers} new), "
                f"{generated_cases} generated cases for the statistics (new), "
                f"{knowledge_pages} knowledge pages in German (each also in French and Italian)."
            )
        )
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {data.DEMO_PASSWORD})")
        self.stdout.write("Add the TOTP secret to an authenticator app, or print the current code with")
        self.stdout.write("  .venv/bin/python manage.py demo_totp <e-mail>")
        self.stdout.write("")
        for person in people:
            operator = "  [platform operator]" if person["operator"] else ""
            self.stdout.write(
                f"  {person['email']:<32} TOTP {person['totp_secret']}  {person['memberships']}{operator}"
            )
