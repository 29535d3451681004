"""Carefile settings, read from the environment.

With nothing set, Carefile runs on the embedded default: SQLite and a filesystem Celery broker
under ``var/``, DEBUG on, console email. ``CAREFILE_ENV=production`` demands a real secret key,
allowed hosts, PostgreSQL and Redis, and turns on every transport-security setting.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

CAREFILE_ENV = env.str("CAREFILE_ENV", default="development")
if CAREFILE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CAREFILE_ENV must be 'development' or 'production'.")
PRODUCTION = CAREFILE_ENV == "production"

VAR_DIR = Path(env.str("CAREFILE_VAR_DIR", default=str(BASE_DIR / "var")))


def _require(name: str) -> None:
    if PRODUCTION and not env.str(name, default=""):
        raise ImproperlyConfigured(f"{name} must be set when CAREFILE_ENV=production.")


def _development_secret_key() -> str:
    """A per-checkout key kept under var/, so no secret ever sits in the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


for _name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
    _require(_name)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _development_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on when CAREFILE_ENV=production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'carefile.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DB_VENDOR_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if DB_VENDOR_IS_SQLITE:
    if PRODUCTION:
        raise ImproperlyConfigured("Production needs PostgreSQL: set DATABASE_URL=postgres://…")
    DATABASES["default"]["OPTIONS"] = {
        # The web server, worker and beat share the file: WAL and immediate transactions keep
        # them from tripping over each other's locks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (or be unset for SQLite).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded default: no servers to install, banner says "demo".
CAREFILE_EMBEDDED = DB_VENDOR_IS_SQLITE

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "core.apps.CarefileAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Trigram lookups for name search on PostgreSQL; nothing of it runs on SQLite.
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "guardian",
    "pgtrigger",
    "core",
    "accounts",
    "records",
    "access_requests",
    "sharing",
    "retention",
    "audit",
]

MIDDLEWARE = [
    "core.middleware.FriendlyErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    # After sign-in checks, so a refused request shows nothing and writes no read event.
    "audit.middleware.AuditMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into a page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "csp.context_processors.nonce",
                "core.context_processors.carefile",
            ],
        },
    }
]
# Forms render with the GOV.UK Frontend templates in templates/django/forms/.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Accounts, sign-in, MFA, lockout ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Object permissions on record data live in records' own direct foreign-key tables and are read
# by records.policies; no anonymous user exists to hold any.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = None  # sign-out shows its own "You have signed out" page
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CAREFILE_REQUIRE_MFA = env.bool("CAREFILE_REQUIRE_MFA", default=PRODUCTION)
CAREFILE_IDLE_TIMEOUT = timedelta(minutes=env.int("CAREFILE_IDLE_TIMEOUT_MINUTES", default=30))
CAREFILE_API_TOKEN_LIFETIME = timedelta(hours=env.int("CAREFILE_API_TOKEN_HOURS", default=8))
CAREFILE_DEMO_PASSWORD = env.str("CAREFILE_DEMO_PASSWORD", default="carefile-demo-2026")
CAREFILE_SERVICE_NAME = env.str("CAREFILE_SERVICE_NAME", default="Carefile")
OTP_TOTP_ISSUER = CAREFILE_SERVICE_NAME

AXES_FAILURE_LIMIT = env.int("CAREFILE_LOCKOUT_ATTEMPTS", default=5)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Staff in one council office share an address behind its NAT: locking by IP address would lock
# out everyone there after five mistakes by anyone, so accounts, not addresses, are locked.
# SQLite (the embedded demo) ignores the covering columns of the audit subject index; the
# index still works there, only PostgreSQL reads the report from the index alone.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
# Locked until an administrator unlocks, unless a cool-off is configured.
_cooloff = env.int("CAREFILE_LOCKOUT_COOLOFF_MINUTES", default=0)
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff) if _cooloff else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 403
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_PROXY_COUNT = env.int("CAREFILE_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

# Sessions: an absolute cap, plus the idle timeout enforced by accounts.middleware.
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# --- Security headers ------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe health over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    BASE_DIR / "assets" / "build",
    BASE_DIR / "assets" / "static",
]
MEDIA_ROOT = Path(env.str("CAREFILE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Nothing routes /media/: uploaded files are served only through permission-checked views.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Case documents: outside the web root, named by UUID, served by records.views only.
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Assets come from the finders in development; WhiteNoise still expects the folder.
    STATIC_ROOT.mkdir(exist_ok=True)

# --- Case records ----------------------------------------------------------------------------
CAREFILE_DOCUMENT_MAX_BYTES = env.int("CAREFILE_DOCUMENT_MAX_MB", default=20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CAREFILE_BREAK_GLASS_HOURS = env.int("CAREFILE_BREAK_GLASS_HOURS", default=24)
CAREFILE_CHRONOLOGY_PAGE_SIZE = env.int("CAREFILE_CHRONOLOGY_PAGE_SIZE", default=25)

# --- Audit trail -----------------------------------------------------------------------------
# Events younger than this are not sealed yet: a transaction still running may hold a lower id.
CAREFILE_AUDIT_SEAL_LAG_SECONDS = env.int("CAREFILE_AUDIT_SEAL_LAG_SECONDS", default=120)
CAREFILE_AUDIT_SEAL_MAX_EVENTS = env.int("CAREFILE_AUDIT_SEAL_MAX_EVENTS", default=50000)
CAREFILE_AUDIT_SEAL_MINUTES = env.int("CAREFILE_AUDIT_SEAL_MINUTES", default=5)
CAREFILE_PRIVACY_ALERT_MINUTES = env.int("CAREFILE_PRIVACY_ALERT_MINUTES", default=15)

# --- Rights requests -------------------------------------------------------------------------
# Records stay held this long after a request closes: the window for a complaint about it.
CAREFILE_REQUEST_HOLD_MONTHS = env.int("CAREFILE_REQUEST_HOLD_MONTHS", default=6)
# Records destroyed per disposal transaction: small enough that a hold placed meanwhile waits
# only briefly for the locks, large enough that a county's batch runs at hundreds a second.
CAREFILE_DISPOSAL_CHUNK = env.int("CAREFILE_DISPOSAL_CHUNK", default=200)
# Run tasks queued per approved batch: that many workers may carry it out side by side.
CAREFILE_DISPOSAL_WORKERS = env.int("CAREFILE_DISPOSAL_WORKERS", default=2)
CAREFILE_DOWNLOAD_LINK_DAYS = env.int("CAREFILE_DOWNLOAD_LINK_DAYS", default=14)
CAREFILE_BUNDLE_SECTION_ITEMS = env.int("CAREFILE_BUNDLE_SECTION_ITEMS", default=200)
# The public request and complaint forms: submissions per address per hour.
CAREFILE_PUBLIC_FORM_PER_HOUR = env.int("CAREFILE_PUBLIC_FORM_PER_HOUR", default=5)

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
if EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _email = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="carefile@localhost")

# --- Locale ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_IS_FILESYSTEM = CELERY_BROKER_URL.startswith("filesystem://")
if PRODUCTION and not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("Production needs Redis: set CELERY_BROKER_URL=redis://…")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CELERY_BROKER_IS_FILESYSTEM:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast (remote control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No result backend: task results are never stored, so they never hold personal data.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# How often the heartbeat runs, and how old it may be before /healthz reports it stale.
CAREFILE_HEARTBEAT_SECONDS = env.int("CAREFILE_HEARTBEAT_SECONDS", default=60)
CAREFILE_HEARTBEAT_STALE_SECONDS = env.int(
    "CAREFILE_HEARTBEAT_STALE_SECONDS", default=CAREFILE_HEARTBEAT_SECONDS * 5
)

# --- Cache ------------------------------------------------------------------------------------
# Throttle counts and lockout state must be shared by every web process: Redis in production.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=CELERY_BROKER_URL),
            "KEY_PREFIX": "carefile",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "accounts.api.authentication.VerifiedSessionAuthentication",
    ],
    # Forgetting to set permissions on a view denies; it never opens the door.
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.DenyAll"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("CAREFILE_TOKEN_THROTTLE", default="20/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles count by client address: trust X-Forwarded-For only through known proxies.
    "NUM_PROXIES": env.int("CAREFILE_PROXY_COUNT", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Carefile API",
    "DESCRIPTION": (
        "Case records, rights requests, sharing, retention and audit for council social care. "
        "Every call needs a signed-in session or a bearer token from POST /api/v1/auth/token/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets that share a field name with another app's: named for what they are.
    "ENUM_NAME_OVERRIDES": {
        "RequestChannelEnum": [
            ("letter", "Letter"),
            ("email", "Email"),
            ("in_person", "In person"),
            ("phone", "Phone (confirmed in writing)"),
        ],
        "RequestStateEnum": "access_requests.models.State",
        "RequestOutcomeEnum": "access_requests.models.Outcome",
        "ComplaintOutcomeEnum": "access_requests.models.ComplaintOutcome",
        "VerificationMethodEnum": "access_requests.models.VerificationMethod",
        "ReviewDecisionEnum": [
            ("disclose", "Disclose"),
            ("redact", "Disclose with redactions"),
            ("withhold", "Withhold"),
        ],
        "ItemDecisionEnum": "access_requests.models.Decision",
        "AgencyKindEnum": "sharing.models.AgencyKind",
        "SharingMethodEnum": "sharing.models.Method",
        "SharingPurposeEnum": "sharing.models.Purpose",
        "LawfulBasisEnum": "sharing.models.LawfulBasis",
        "DataCategoryEnum": "sharing.models.DataCategory",
        "Schedule1ConditionEnum": "sharing.models.Schedule1Condition",
    },
}

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("CAREFILE_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # The PDF engine reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
