"""Run the portal's timed jobs, for installations without cron.

Every minute: Wagtail's ``publish_scheduled`` (knowledge pages whose publication or
expiry time has come). Once a day, at ``--daily-at`` local time: ``run_daily`` (destruction
warnings, purge, sweeps, digests). ``make run`` starts it beside the task worker; with cron
or systemd timers, run those two commands instead.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the minute's jobs once and stop.")
        parser.add_argument("--daily-at", default="02:30", help="Local time of the daily run (HH:MM).")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between runs.")

    def handle(self, *args, once=False, daily_at="02:30", interval=60, **options):
        try:
            daily = datetime.strptime(daily_at, "%H:%M").time()
        except ValueError as exc:
            raise CommandError(f"--daily-at must be HH:MM, not {daily_at!r}") from exc
        last_daily = timezone.localdate() if timezone.localtime().time() >= daily else None
        while True:
            call_command("publish_scheduled", stdout=self.stdout)
            now = timezone.localtime()
            if now.time() >= daily and last_daily != now.date():
                call_command("run_daily", stdout=self.stdout)
                last_daily = now.date()
            if once:
                return
            time.sleep(interval)
