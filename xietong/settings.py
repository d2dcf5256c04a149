"""Settings for xietong, read from the environment.

Nothing here is required for a development run: with no environment at all the
platform uses an embedded SQLite database, runs background tasks inline and
prints mail to the console.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIETONG_VAR_DIR", BASE_DIR / "var"))


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name, default=None):
    """A secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def development_secret_key():
    # A per-checkout key kept under var/, so sessions survive restarts of `make run`
    # without anyone committing a key. Production must set SECRET_KEY (see checks.py).
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


# Off unless set: a debug page shows what was posted (phones, ID numbers). `make run` sets DEBUG=1.
DEBUG = envbool("DEBUG", default=False)
SECRET_KEY = envsecret("SECRET_KEY") or development_secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "xietong.core",
    "xietong.regions",
    "xietong.supervision",
    "xietong.declarations",
    "xietong.meetings",
    "xietong.airquality",
    "xietong.water",
    "xietong.deliberation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]
if DEBUG:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1, "xietong.core.middleware.SiteNotFoundPage"
    )

ROOT_URLCONF = "xietong.urls"
WSGI_APPLICATION = "xietong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xietong.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'xietong.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the Celery worker and the web process write without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked account or address is refused before its password is tried.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for an account, or from an address, logging in
# there is locked for AXES_COOLOFF_HOURS (429); `manage.py axes_reset_username NAME` unlocks earlier.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0) or None
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "work"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "xietong" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# In production (after collectstatic) file names carry a content hash, so nginx and browsers may cache them for
# a year and a new release is never served an old script.
if envbool("STATIC_HASHED"):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Background work: Celery with the broker named here; without one, tasks run in
# the calling process so `make run` needs no other service.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only once it finished, and one whose worker process died under it (SIGKILL, out of
# memory) goes back to the queue: every task is written to be run again without doing anything twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands an unacknowledged task to another worker after this long (a whole worker machine lost).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue tasks are sent to and workers read by default; deployments sharing one Redis each name their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")

# Notifications: the in-app inbox always; these back-ends in addition.
NOTIFICATION_BACKENDS = envlist("NOTIFICATION_BACKENDS", "console" if DEBUG else "email")
# The console back-end prints mail (with its personal data) to the log: the default only while DEBUG is on;
# outside DEBUG it must be chosen explicitly (checks.py refuses it otherwise).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
# For Django's file back-end (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend): mail kept on disk
# on a machine without SMTP, such as a staging server.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xietong@localhost")

# Personal data: encrypted with keys derived from this secret (several, comma
# separated, allow rotation: the first encrypts, all decrypt), purged after the
# retention period.
PERSONAL_DATA_KEYS = envlist("PERSONAL_DATA_KEYS") or [SECRET_KEY]
# The keyed hash that finds a person's rows; kept apart so that rotating the keys above leaves it unchanged.
PERSONAL_DATA_INDEX_KEY = os.environ.get("PERSONAL_DATA_INDEX_KEY") or PERSONAL_DATA_KEYS[-1]
PERSONAL_DATA_RETENTION_DAYS = envint("PERSONAL_DATA_RETENTION_DAYS", 180)
# Days after a declaration is completed (or screened clear) before its personal data is deleted.
DECLARATION_RETENTION_DAYS = envint("DECLARATION_RETENTION_DAYS", 28)
ACCESS_LOG_RETENTION_DAYS = envint("ACCESS_LOG_RETENTION_DAYS", 365 * 3)

# Uploaded evidence: what the offices exchange, and nothing executable.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
CONCERN_PHOTO_MAX_BYTES = envint("CONCERN_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
# Residents' posts without an account: per network address per hour, per contact per day.
CONCERN_LIMIT_PER_ADDRESS_HOUR = envint("CONCERN_LIMIT_PER_ADDRESS_HOUR", 5)
CONCERN_LIMIT_PER_CONTACT_DAY = envint("CONCERN_LIMIT_PER_CONTACT_DAY", 3)
ME_TOO_LIMIT_PER_ADDRESS_DAY = envint("ME_TOO_LIMIT_PER_ADDRESS_DAY", 20)
# How long an Idempotency-Key of the intake endpoints is remembered.
IDEMPOTENCY_KEY_HOURS = envint("IDEMPOTENCY_KEY_HOURS", 48)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)

# Transport security. TLS ends at nginx, which says so in X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER names the
# header; empty when no proxy sets it, since a client could then claim https itself). The redirect and HSTS stay off
# unless set, so a plain-http trial or a benchmark on loopback is not sent to an https that does not exist there;
# docs/deploy.md sets them, and `check --deploy` is clean with that environment.
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "" if DEBUG else "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
USE_X_FORWARDED_HOST = envbool("USE_X_FORWARDED_HOST", False)

# Sessions end after SESSION_COOKIE_AGE seconds (8 hours: a working day) or when the browser closes; the office's
# irreversible actions also ask for the password again when the last login is older than REAUTH_WINDOW_MINUTES.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
REAUTH_WINDOW_MINUTES = envint("REAUTH_WINDOW_MINUTES", 15)

# Content-Security-Policy on every response: scripts only from our own static files (no inline script, no
# eval), so text a resident typed can never run even if a template forgot to escape it. Inline style stays
# allowed: ECharts and htmx set element styles, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_CLASS = "xietong.core.pagination.LimitOffset"
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

# Logs go to standard error (systemd's journal or the container's log); LOG_FORMAT=json writes one JSON object a
# line, which log collectors index without parsing rules.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "xietong.core.logjson.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Periodic jobs for `celery beat`; each is also a management command for cron.
CELERY_BEAT_SCHEDULE = {
    "supervision-reminders": {"task": "xietong.supervision.run_reminders", "schedule": 3600.0},
    "purge-personal-data": {"task": "xietong.core.purge_personal_data", "schedule": 86400.0},
    "supervision-snapshot": {"task": "xietong.supervision.snapshot_progress", "schedule": 6 * 3600.0},
    "declarations-missed": {"task": "xietong.declarations.mark_missed", "schedule": 3600.0},
    "declarations-partitions": {"task": "xietong.declarations.create_partitions", "schedule": 86400.0},
    "outbox": {"task": "xietong.core.send_outbox", "schedule": 60.0},
}
