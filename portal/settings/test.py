"""Settings for the test suite: real PostgreSQL (embedded unless DATABASE_URL is set)."""

import os

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
