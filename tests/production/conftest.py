"""The production stack for the tests of this folder, on the test run's own database."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from django.conf import global_settings
from django.db import connection
from django.utils import timezone

from tests.production.stack import ProductionStack, database_url, throwaway_secrets

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
# still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def production(transactional_db, settings, tmp_path):
    """gunicorn, task worker and scheduler with production settings, on the test database.

    The test's rows are committed (a transactional test), so the stack sees them. The test
    process encrypts TOTP seeds with the stack's throw-away key and hashes passwords as
    production does, so people it creates can sign in there. The stack stops before the
    test database is emptied.
    """
    secrets = throwaway_secrets()
    settings.PORTAL_SECRETS_KEY = secrets["PORTAL_SECRETS_KEY"]
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    stack = ProductionStack(
        database_url=database_url(connection.settings_dict),
        workdir=tmp_path / "production",
        secrets=secrets,
        scheduler_interval=2,
        # Fingerprinted static files as in production, without the gzip and brotli copies
        # (three minutes of a loaded two-core machine); bench/load.py compresses them.
        extra_env={"PORTAL_STATIC_COMPRESS": "false"},
    )
    stack.prepare()
    # The scheduler's daily run falls at the next whole minute at least 40 s away (after the
    # scheduler has started), so the test sees it enqueue the maintenance and the worker run it.
    daily = (timezone.localtime() + timedelta(seconds=100)).replace(second=0, microsecond=0)
    stack.scheduler_args = [f"--daily-at={daily:%H:%M}"]
    try:
        stack.start()
        yield stack
    finally:
        codes = stack.stop()
        print(f"production stack timings (s): {stack.timings}")
    # Each process ends on SIGTERM by itself; none had to be killed.
    assert -signal.SIGKILL not in codes.values(), codes
