"""Settings for the test suite: real PostgreSQL (embedded unless DATABASE_URL is set)."""

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
