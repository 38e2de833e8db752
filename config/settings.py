"""All settings, read from the environment in this one module (DESIGN "Settings") through
django-environ (``env.bool``, ``env.int``, ``env.db_url``…); README "Settings" lists every
variable with its default.

Zero-setup default: no DATABASE_URL -> SQLite; no broker (neither CELERY_BROKER_URL nor
REDIS_URL) -> Celery runs tasks eagerly, in-process after the commit.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A value starting with "$" names another variable (django-environ's proxy); "\$" is a
# literal dollar sign.
env.escape_proxy = True


def env_list(name: str, default: tuple[str, ...] = ()) -> list[str]:
    """``env.list`` with its items stripped and the empty ones dropped ("a, b," is a, b)."""
    return [item for item in env.list(name, cast=str.strip, default=list(default)) if item]


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ("127.0.0.1", "localhost") if DEBUG else ())
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "audit",
    "org",
    "materials",
    "inventory",
    "workorders",
    "returns",
    "finance",
    "approvals",
    "alerts",
    "reports",
    "portal",
]

# The document a ledger row is booked for (R-L1: the work order). Named here, at the top,
# as AUTH_USER_MODEL is, so the ledger (inventory) never names an app above it; the
# relation and its foreign key stay (issue #13 item 1).
LEDGER_WORK_ORDER_MODEL = "workorders.WorkOrder"

MIDDLEWARE = [
    # First, so it sees every answer: JSON errors and a request id under /api/.
    "core.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DeviceMiddleware",
    "core.idempotency.IdempotencyMiddleware",
]

if not DEBUG:  # gunicorn serves the collected static files itself (no CDN, no proxy needed)
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.shell",
            ],
        },
    },
]

# No ATOMIC_REQUESTS: the service is the transaction boundary (STYLE "Where logic lives").
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`'s web, worker and beat write to one file. Wait for a concurrent writer
    # instead of failing with "database is locked": transactions take the write lock when they
    # begin (IMMEDIATE: a read lock upgraded later cannot wait, SQLite fails it at once), and
    # WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# How often the header's unread badge asks for news (htmx polling, alerts:badge).
NOTIFICATION_POLL_SECONDS = env.int("NOTIFICATION_POLL_SECONDS", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# Our few changes to Django's locale formats (config/formats/): minutes on the hour in English,
# thousands grouped in Chinese.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"

LOGIN_URL = "login"

# Login lockout (org.lockout, in the database): this many failures lock a username from one
# address for the window.
AUTHENTICATION_BACKENDS = ["org.lockout.LockoutModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Excel imports: refuse oversized uploads before parsing them.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)
IMPORT_MAX_MB = env.int("IMPORT_MAX_MB", default=5)  # and 10x that unpacked (zip bombs)
# Photos and PDFs attached to requests (returns.services.attachments); kept under MEDIA_ROOT,
# which is never served by URL: downloads go through the scoped view.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
ATTACHMENT_MAX_PER_REQUEST = env.int("ATTACHMENT_MAX_PER_REQUEST", default=10)
# A whole request body (the idempotency middleware reads it): the largest upload plus room
# for a multipart envelope; anything bigger is refused with 413 before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(IMPORT_MAX_MB * 1024 * 1024, ATTACHMENT_MAX_BYTES) + 512 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Idempotency-Key replays are kept this long (never less than 24 h).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: anonymous API calls get 401 with a WWW-Authenticate header.
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsAuthenticatedModelPermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "core.api.metadata.ApiMetadata",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": ["core.api.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_RATE", default="600/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Material returns & replenishment API",
    "DESCRIPTION": "退料/补料: returns, replenishments, approvals, stock ledger.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names ("kind", "state") collide across apps.
    "ENUM_NAME_OVERRIDES": {
        "ExportKindEnum": "reports.models.ExportKind",
        "StepStateEnum": "approvals.models.StepState",
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
# Throttle counters live in the cache: Redis when configured so every process shares them.
# Redis down or frozen must not mean the web down or slow: the cache fails open and fast
# (core.cache): a short socket timeout, then a circuit breaker skips Redis for a while.
REDIS_CACHE_TIMEOUT = env.float("REDIS_CACHE_TIMEOUT", default=0.25)
REDIS_BREAKER_SECONDS = env.float("REDIS_BREAKER_SECONDS", default=5.0)
REDIS_TIMEOUTS = {
    "socket_connect_timeout": REDIS_CACHE_TIMEOUT,
    "socket_timeout": REDIS_CACHE_TIMEOUT,
}
CACHES = {
    "default": {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {**REDIS_TIMEOUTS, "breaker_seconds": REDIS_BREAKER_SECONDS},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# The broker: CELERY_BROKER_URL, else Redis when REDIS_URL is set, else none ("memory://",
# which no other process sees) and tasks run eagerly, in-process after the commit (the
# zero-setup test run). `make run` sets CELERY_BROKER_URL=filesystem://localhost/: Kombu's
# filesystem transport, messages as files under CELERY_BROKER_FOLDER, no server to run.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or None  # nobody waits for a result without Redis
# Tasks dispatched while the broker is down wait in the outbox (core/outbox_tasks.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
if CELERY_BROKER_URL.startswith("filesystem://"):
    broker_folder = Path(env.str("CELERY_BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
    # One queue folder read and written by every process; exchange bindings (fanout: remote
    # control) in their own.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_folder / "queue"),
        "data_folder_out": str(broker_folder / "queue"),
        "control_folder": str(broker_folder / "control"),
    }
    for folder in ("queue", "control"):
        (broker_folder / folder).mkdir(parents=True, exist_ok=True)
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "verify-audit": {
        "task": "audit.tasks.verify_audit_task",
        "schedule": crontab(minute=40, hour=2),
    },
    "outbox-deliver": {"task": "core.tasks.outbox_deliver_task", "schedule": 60.0},
    "idempotency-keys-purge": {
        "task": "core.tasks.idempotency_keys_purge_task",
        "schedule": crontab(minute=5),
    },
    "month-end": {
        "task": "finance.tasks.month_end_task",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    "alerts-hourly": {"task": "alerts.tasks.alerts_check_hourly", "schedule": crontab(minute=15)},
    "alerts-daily": {
        "task": "alerts.tasks.alerts_check_daily",
        "schedule": crontab(minute=45, hour=6),
    },
    "outbox-tasks": {"task": "core.tasks.outbox_tasks_send_task", "schedule": 60.0},
    "exports-purge": {
        "task": "reports.tasks.export_purge_task",
        "schedule": crontab(minute=20, hour=3),
    },
}
# A beat with a fresh schedule file runs each entry only at its next due time (the hourly
# alerts up to an hour later): these entries are also sent once whenever beat starts
# (config/celery.py), so a new `make run` or a redeployed beat raises the alerts at once.
BEAT_RUN_AT_START = env_list("BEAT_RUN_AT_START", ("alerts-hourly", "alerts-daily"))

# Alerts (R-J2, R-A7, R-L5): approved returns not received within this many hours; approval
# steps without a due time are overdue this long after opening, and escalate this many hours
# after their due time; lots expiring within this many days are reported.
RETURN_RECEIPT_SLA_HOURS = env.int("RETURN_RECEIPT_SLA_HOURS", default=24)
APPROVAL_SLA_HOURS = env.int("APPROVAL_SLA_HOURS", default=24)
APPROVAL_ESCALATE_HOURS = env.int("APPROVAL_ESCALATE_HOURS", default=24)
EXPIRY_WARNING_DAYS = env.int("EXPIRY_WARNING_DAYS", default=30)

# Month-end (R-J1): replenishments above this amount are flagged for the GM office.
MONTH_END_SPOT_CHECK_AMOUNT = env.str("MONTH_END_SPOT_CHECK_AMOUNT", default="5000")
# Scrap disposal (R-D1): finance signs a disposal worth more than this (yuan).
SCRAP_FINANCE_APPROVAL_ABOVE = env.str("SCRAP_FINANCE_APPROVAL_ABOVE", default="1000")
# Posting dates (R-L6): a movement may be dated back at most this many months before the
# current one (and never before a month finance has closed).
POSTING_DATE_MONTHS_BACK = env.int("POSTING_DATE_MONTHS_BACK", default=1)

# Excel exports (reports app): up to this many estimated rows download at once, larger ones
# run as a job whose progress is written every EXPORT_PROGRESS_ROWS rows.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=5000)
EXPORT_PROGRESS_ROWS = env.int("EXPORT_PROGRESS_ROWS", default=1000)
# Finished export jobs and their files are kept this many days (reports.tasks.export_purge_task).
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

# Outbound ERP events (core.outbox): no URL, no delivery (events wait in the outbox).
ERP_WEBHOOK_URL = env.str("ERP_WEBHOOK_URL", default="")
ERP_WEBHOOK_SECRET = env.str("ERP_WEBHOOK_SECRET", default="")
ERP_WEBHOOK_TIMEOUT = env.float("ERP_WEBHOOK_TIMEOUT", default=10.0)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="matreturns@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who gets mail_admins (e.g. a broken audit chain): ADMIN_EMAILS=ops@example.com,it@example.com
ADMINS = [(email, email) for email in env_list("ADMIN_EMAILS")]

# Keys of the audit chain's HMAC (audit/keys.py, README "Audit keys"): "k2:secret2,k1:secret1",
# the first signs, the others verify older rows. Empty: a key derived from SECRET_KEY.
AUDIT_HMAC_KEYS = env.str("AUDIT_HMAC_KEYS", default="")
# How many chains (streams) the audit trail spreads requests over, each locked on its own
# (audit/services.py ``stream_for``); 1 puts every event in one chain, as before issue #17.
AUDIT_STREAMS = env.int("AUDIT_STREAMS", default=32)

# Production hardening when DEBUG is off (manage.py check --deploy).
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # a shift
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names its request (``core.logging``): a 500's request_id finds its traceback.
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "request": {"format": "%(levelname)s %(name)s [request %(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # The daily audit anchor is a record kept outside the database: logged at any LOG_LEVEL.
    "loggers": {"audit.anchors": {"level": "INFO"}},
}


# --- Production conventions (issue #14 item 3) ------------------------------------------
# README "Settings" lists each variable.

# /healthz (core.health): answered first in MIDDLEWARE, before sessions, login, the HTTPS
# redirect and the Host check; the media disk counts as full from this usage on.
INSTALLED_APPS.append("health_check")
MIDDLEWARE.insert(0, "core.health.HealthzMiddleware")
HEALTH_DISK_MAX_PERCENT = env.float("HEALTH_DISK_MAX_PERCENT", default=95)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stopped or unreachable database fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )

# Static files: hashed, compressed names (WhiteNoise) once collected, i.e. with DEBUG off;
# with DEBUG on (development, the test suite) the plain storage serves from the apps.
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Logs: one JSON object a line (LOG_FORMAT=json, the default with DEBUG off) or readable text;
# every line carries the request id (core.request_id). Celery worker and beat use these
# settings too (config/celery.py), so a task's lines are JSON with its request's id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "request"

# Errors to Sentry only when a DSN is given (sentry-sdk's Django and Celery integrations).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0),
        send_default_pii=False,
    )


# --- Reads that can leave the primary (issue #14 item 4) --------------------------------
# DATABASE_REPLICA_URL: a read replica of the primary; reports, exports, the month-end
# workbook and the ERP's ledger pulls read from it (core.db.reader), writes never do.
# DATABASE_REPLICA_READS=0 sends those reads back to the primary (e.g. while it lags).
DATABASE_ROUTERS = ["core.db.PrimaryReplicaRouter"]
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_READS = bool(DATABASE_REPLICA_URL) and env.bool(
    "DATABASE_REPLICA_READS", default=True
)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**env.db_url_config(DATABASE_REPLICA_URL), "CONN_MAX_AGE": 60}
    # Tests run against the primary's test database under this alias too.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
