"""Production: everything secret comes from the environment, nothing insecure by default.

``manage.py check --deploy --settings=portal.settings.production`` is clean with the
variables documented in the README set.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# Before base.py reads the database settings: production never starts the embedded server.
os.environ.setdefault("PORTAL_EMBEDDED_DB", "false")

from portal.settings.base import *  # noqa: F403
from portal.settings.base import CONTENT_SECURITY_POLICY
from portal.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
# Persistent, health-checked database connections: opening one per request would cost more
# than most pages' own queries.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
if SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a real secret in production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the portal's host names.")
PORTAL_SECRETS_KEY = env_str("PORTAL_SECRETS_KEY", required=True)
STATISTICS_COMPANY_KEY = env_str("STATISTICS_COMPANY_KEY", required=True)
if not PORTAL_FILE_KEYS:  # noqa: F405
    raise ImproperlyConfigured("PORTAL_FILE_KEYS is required in production (id:base64key, ...).")
PORTAL_DEMO_TOOLS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Only the static files change: "default" and "documents" (case documents, see base.py)
# stay as configured there. The documents app's system check fails without "documents".
# PORTAL_STATIC_COMPRESS=false keeps the fingerprinted names but skips writing gzip and brotli
# copies (most of collectstatic's time); the production test uses it to stay short.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("PORTAL_STATIC_COMPRESS", True)
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True}
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}
