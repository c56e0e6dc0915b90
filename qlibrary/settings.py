"""Q Library settings: one module, read from the environment.

Defaults suit a laptop (SQLite, DEBUG on, console e-mail). Production is the set of environment
variables in .env.example, not another settings file.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envnetworks(name):
    """Comma-separated networks in CIDR notation ("10.0.5.0/24, fd00::/8"), normalised."""
    networks = []
    for item in envlist(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name} must be networks in CIDR notation separated by commas, such as "
                f"10.0.5.0/24 or fd00::/8; {item!r} is not one ({error})"
            ) from None
    return networks


DEBUG = envbool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "Q Library"
# The naming authority in the feeds' permanent entry ids (tag: URIs, qlibrary/feeds.py): a domain
# the library owned when its feeds began. Set it once; keep it if the site moves to a new address.
FEED_ID_AUTHORITY = env("FEED_ID_AUTHORITY", "") or urlsplit(SITE_URL).hostname or "localhost"

INSTALLED_APPS = [
    "qlibrary",
    "sources",
    "comments",
    "qlibrary.outbox",
    "sources.lists",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "taggit",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip or Brotli for what every reader gets alike, never for a page with a secret (BREACH);
    # above ConditionalGetMiddleware, which answers 304 from the uncompressed page's ETag.
    "qlibrary.middleware.PublicCompressionMiddleware",
    "qlibrary.middleware.PermissionsPolicyMiddleware",
    # Answers If-None-Match / If-Modified-Since with 304 from the ETag and Last-Modified that
    # readers' pages and feeds carry (qlibrary/cache.py).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qlibrary.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "qlibrary.urls"
WSGI_APPLICATION = "qlibrary.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qlibrary.context_processors.roles",
                "qlibrary.context_processors.site",
                "sources.lists.context_processors.selection",
            ],
            # `datetime_attribute`, the value every `<time datetime>` needs, in every template.
            "builtins": ["qlibrary.templatetags.machine_time"],
        },
    },
]

# Database: a SQLite file by default; DATABASE_URL=postgres://... for PostgreSQL (psycopg 3).
# Connections are kept open between requests (CONN_MAX_AGE) and checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
else:
    # Statements a connection runs often are prepared, planned once (psycopg's default, which
    # Django turns off). Django's own cursors bind on the client and never prepare; only the
    # few statements every request runs go through a cursor that does (qlibrary/db.py).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

# Two caches, shared by every worker process, so that pages can never evict what must last:
# - "default" holds rate-limit counters (comments, log-ins, sign-ups). Redis at REDIS_URL (run it
#   with `maxmemory-policy noeviction`: an evicted counter is a limit silently reset), otherwise
#   the database table CACHE_TABLE, whose cap is far above what counters ever reach.
# - "pages" holds readers' whole pages and fragments of pages, under keys made from the data they
#   show (qlibrary/cache.py).
#   Redis at PAGE_CACHE_REDIS_URL, a separate instance run with `maxmemory` and
#   `maxmemory-policy allkeys-lru` (Redis applies both to a whole instance, so pages and counters
#   cannot share one), otherwise the database table PAGE_CACHE_TABLE, capped at
#   PAGE_CACHE_MAX_ENTRIES rows. Losing a page or a fragment there only costs a render.
# Every `migrate` creates both tables when they are database caches (qlibrary/apps.py), as
# `manage.py createcachetable` does.
REDIS_URL = env("REDIS_URL", "")
PAGE_CACHE_REDIS_URL = env("PAGE_CACHE_REDIS_URL", "")
CACHE_TABLE = env("CACHE_TABLE", "django_cache")
CACHE_MAX_ENTRIES = envint("CACHE_MAX_ENTRIES", 100_000)
PAGE_CACHE_TABLE = env("PAGE_CACHE_TABLE", "django_page_cache")
PAGE_CACHE_MAX_ENTRIES = envint("PAGE_CACHE_MAX_ENTRIES", 2000)
if CACHE_TABLE == PAGE_CACHE_TABLE:
    raise ImproperlyConfigured("CACHE_TABLE and PAGE_CACHE_TABLE must be different tables")
if REDIS_URL and REDIS_URL == PAGE_CACHE_REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL and PAGE_CACHE_REDIS_URL must be different Redis instances: pages need an "
        "evicting policy, rate-limit counters must never be evicted"
    )


def _cache(redis_url, table, max_entries):
    if redis_url:
        return {"BACKEND": "qlibrary.redis_cache.RedisCache", "LOCATION": redis_url}
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": table,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {
    "default": _cache(REDIS_URL, CACHE_TABLE, CACHE_MAX_ENTRIES),
    "pages": _cache(PAGE_CACHE_REDIS_URL, PAGE_CACHE_TABLE, PAGE_CACHE_MAX_ENTRIES),
    # Each process's own copy of the pages and fragments it read last from "pages": their keys are
    # made from the data they show, so a copy is never stale (qlibrary/cache.py). Pages are about
    # 40 KB and cards 2 KB: at most about 80 MB a worker.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "local",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Each process's rendering of the frame around every page (templates/base.html): it depends
    # only on the site's addresses and the viewer's roles, so it is never invalidated.
    "frame": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "frame",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# Readers' whole pages from the "pages" cache (qlibrary/cache.py); off only to measure pages
# rendered afresh.
PAGE_CACHE = envbool("PAGE_CACHE", True)

# Sessions live in the database, never lost and removed by `manage.py clearsessions`, and are
# read through the pages' cache, which saves a query on every member's request: that cache may
# evict them (a session it drops is read from the database again), while the counters' Redis
# must never fill up.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "pages"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# models.W040, printed by every command on SQLite: the evidence map's covering index
# (source_status_cells) INCLUDEs the id for PostgreSQL, which SQLite cannot. Nothing is lost
# there: every SQLite index carries the row's id (its rowid) already. PostgreSQL never warns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "qlibrary.User"

# One backend, allauth's (a ModelBackend that also takes an e-mail address), so that every
# log-in attempt hashes the password exactly once, whether it is right, wrong or the account
# unknown: with a second backend, or a repeated check, the answer's time would tell them apart.
AUTHENTICATION_BACKENDS = ["qlibrary.auth_backends.AuthenticationBackend"]

# Accounts (django-allauth): log in by username or e-mail, verified e-mail before taking part,
# no account enumeration, rate limits on log-in, sign-up and password reset.
ACCOUNT_ADAPTER = "qlibrary.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Q Library] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# Rate limits count per client address. Behind the HTTPS proxy the connection always comes from
# the proxy, so the client is read from the X-Forwarded-For entry that the last of our own
# proxies added (TRUSTED_PROXY_COUNT of them), or from a header the proxy sets and clients
# cannot (TRUSTED_CLIENT_IP_HEADER, e.g. X-Real-IP). With neither, headers are ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", "") or None

# The site's wording on allauth's forms, and e-mails from the site's name and SITE_URL.
ACCOUNT_ADAPTER = "qlibrary.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "qlibrary.accounts.LoginForm",
    "signup": "qlibrary.accounts.SignupForm",
    "add_email": "qlibrary.accounts.AddEmailForm",
    "change_password": "qlibrary.accounts.ChangePasswordForm",
    "reset_password": "qlibrary.accounts.ResetPasswordForm",
    "reset_password_from_key": "qlibrary.accounts.ResetPasswordKeyForm",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The site is written in British English only: translation is off, as Django advises for a site
# that needs none (every gettext, plural and `naturaltime` was a catalogue look-up, 4 % of the
# calls of a page's first visit). Dates keep the en-GB formats: LANGUAGE_CODE still picks them.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# Seconds any one exchange with the mail server may wait (connecting, each reply): a server that
# accepts the connection and never answers fails the attempt, which is retried like any other.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
if EMAIL_TIMEOUT <= 0:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be a number of seconds above 0")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Q Library <library@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Every message is stored and sent by the task worker (qlibrary/outbox/mail.py); a failed send is
# tried again after EMAIL_RETRY_DELAY seconds, three times longer after each failure, up to
# EMAIL_MAX_ATTEMPTS attempts in all; then staff see it in the admin and can retry it.
EMAIL_MAX_ATTEMPTS = envint("EMAIL_MAX_ATTEMPTS", 6)
EMAIL_RETRY_DELAY = envint("EMAIL_RETRY_DELAY", 300)

# Background work: Django's tasks API (django-tasks) with its database backend; the worker is
# `manage.py db_worker`, and periodic checks are management commands run by the scheduler.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security: safe defaults whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the site uses, switched off (the Permissions-Policy header).
PERMISSIONS_POLICY_OFF = [
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]

# Content-Security-Policy: no inline script or style anywhere, except the style of the
# self-contained 500 page, which carries the response's nonce (sent only when a page uses it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "qlibrary.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# Library settings.
TAGGIT_CASE_INSENSITIVE = True
LIBRARY_PAGE_SIZE = envint("LIBRARY_PAGE_SIZE", 20)
PROPOSALS_PER_DAY = envint("PROPOSALS_PER_DAY", 10)
COMMENTS_PER_10_MINUTES = envint("COMMENTS_PER_10_MINUTES", 10)
COMMENT_FLAG_THRESHOLD = envint("COMMENT_FLAG_THRESHOLD", 3)
FLAGS_PER_HOUR = envint("FLAGS_PER_HOUR", 10)
PATIENT_DATA_HOLDS_PER_DAY = envint("PATIENT_DATA_HOLDS_PER_DAY", 3)
COMMENT_THREADS_PER_PAGE = envint("COMMENT_THREADS_PER_PAGE", 20)
# A theme or source page shows the latest threads of its discussion, and links to the whole.
LATEST_COMMENT_THREADS = 5

# Requests to outside services and to pages members link to (qlibrary/outbound.py): a cap on
# the time (seconds, for the whole exchange) and on the size of each answer, and a User-Agent
# that says who is asking.
OUTBOUND_TIMEOUT = envint("OUTBOUND_TIMEOUT", 5)
OUTBOUND_MAX_BYTES = envint("OUTBOUND_MAX_BYTES", 2_000_000)
OUTBOUND_USER_AGENT = env("OUTBOUND_USER_AGENT", "") or f"QLibrary/1.0 (+{SITE_URL})"
# Networks that outbound requests may reach although they are private or local: a mirror of an
# outside service, or a test double, on a private address. Empty by default, so that no member's
# link reaches the site's own network; tests add the loopback address of their local HTTP server.
OUTBOUND_ALLOWED_NETWORKS = envnetworks("OUTBOUND_ALLOWED_NETWORKS")
# The services that fill in the proposal form from an identifier (sources/evidence/lookup.py).
DOI_RESOLVER = env("DOI_RESOLVER", "https://doi.org")
EUTILS_BASE = env("EUTILS_BASE", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils")
OPENLIBRARY_BASE = env("OPENLIBRARY_BASE", "https://openlibrary.org")
# Identifier look-ups one member may make in a minute.
LOOKUPS_PER_MINUTE = envint("LOOKUPS_PER_MINUTE", 20)

# Link health (sources/checks/link_health.py): each approved source's address is checked every
# LINK_CHECK_INTERVAL_HOURS, waiting LINK_CHECK_HOST_DELAY seconds between two requests to one
# host; it is called broken after LINK_BROKEN_AFTER_FAILURES failed checks in a row spanning at
# least LINK_BROKEN_AFTER_DAYS days.
LINK_CHECK_INTERVAL_HOURS = envint("LINK_CHECK_INTERVAL_HOURS", 24)
LINK_CHECK_HOST_DELAY = envint("LINK_CHECK_HOST_DELAY", 5)
LINK_BROKEN_AFTER_FAILURES = envint("LINK_BROKEN_AFTER_FAILURES", 3)
LINK_BROKEN_AFTER_DAYS = envint("LINK_BROKEN_AFTER_DAYS", 7)
# The Internet Archive: its availability API (an archived copy of a broken link) and Save Page
# Now (asked to keep a copy when a source is approved). Empty turns either off.
WAYBACK_AVAILABILITY_URL = env("WAYBACK_AVAILABILITY_URL", "https://archive.org/wayback/available")
WAYBACK_SAVE_URL = env("WAYBACK_SAVE_URL", "https://web.archive.org/save/")
# Retractions, expressions of concern and corrections (sources/checks/retractions.py): each approved
# source with a DOI is looked up in Crossref's REST API every RETRACTION_CHECK_INTERVAL_DAYS.
CROSSREF_API = env("CROSSREF_API", "https://api.crossref.org")
RETRACTION_CHECK_INTERVAL_DAYS = envint("RETRACTION_CHECK_INTERVAL_DAYS", 7)

# Open data: the JSON API's rate per client address ("number/s", "/m", "/h" or "/d"), and the
# folder where `manage.py export_open_data` writes the dated full downloads.
API_RATE = env("API_RATE", "120/m")
OPEN_DATA_DIR = Path(env("OPEN_DATA_DIR", str(BASE_DIR / "open-data")))
# The API's rate limit reads the client's address as the log-in's does (sources/opendata/api.py);
# were django-ninja's own reading used, it would trust any X-Forwarded-For a client sends.
NINJA_NUM_PROXIES = 0
