"""Settings for the test suite: real PostgreSQL (embedded unless DATABASE_URL is set)."""

import os
from pathlib import Path

# Each process of a parallel run (pytest-xdist sets PYTEST_XDIST_WORKER) has an embedded
# PostgreSQL server of its own, not only a database: transaction ids are the server's, and
# the changes feed hands out only what is older than every running transaction on it
# (portal/dossiers/models/changes.py), so the other process's test transaction would hold
# this one's feed back for as long as it runs.
if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("DATABASE_URL"):
    _data = (
        os.environ.get("PORTAL_EMBEDDED_PGDATA") or Path(__file__).resolve().parents[2] / "var" / "postgres"
    )
    os.environ["PORTAL_EMBEDDED_PGDATA"] = f"{_data}-{os.environ['PYTEST_XDIST_WORKER']}"

from portal.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTAL_DEMO_TOOLS = True
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "search"],
    }
}

# Uploaded CMS media of the test run, apart from `make run`'s var/media and, in a parallel run
# (pytest-xdist sets PYTEST_XDIST_WORKER), apart from the other processes' files.
MEDIA_ROOT = BASE_DIR / "var" / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
