#!/usr/bin/env python
"""Django's command-line utility for the portal."""

import os
import signal
import sys


def _exit(signum, frame):
    sys.exit(128 + signum)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")
    # SIGTERM (how `make run` stops its processes, and systemd its services) ends a command
    # through SystemExit, so that exit hooks run: the last process holding the embedded
    # PostgreSQL stops it from one (portal/database.py). Commands that handle SIGTERM
    # themselves, such as the task worker, replace this.
    signal.signal(signal.SIGTERM, _exit)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
