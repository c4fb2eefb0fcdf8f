"""Print the current TOTP code of a demo user (demo installations only)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.crypto import decrypt_text
from portal.demo.data import PEOPLE


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user. Refused unless PORTAL_DEMO_TOOLS is on."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.PORTAL_DEMO_TOOLS:
            raise CommandError("Demo tools are disabled here (PORTAL_DEMO_TOOLS is off).")
        if email.lower() not in {person[0] for person in PEOPLE}:
            raise CommandError(f"{email} is not a demo user.")
        authenticator = Authenticator.objects.filter(
            user__email__iexact=email, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no TOTP authenticator; run seed_demo first.")
        secret = decrypt_text(authenticator.data["secret"])
        counters = list(yield_hotp_counters_from_time())
        current = counters[len(counters) // 2]
        self.stdout.write(format_hotp_value(hotp_value(secret, current)))
