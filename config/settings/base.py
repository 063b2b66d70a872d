"""Settings shared by every mode. Values come from the environment through `config.env` only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env
from config.huey import build_huey

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Where the embedded database, the task queue, uploaded files and the generated secret live.
CANHGAC_HOME: Path = env.path("CANHGAC_HOME", Path.cwd() / "var")

# Where tests and the demo read the shared public samples (NVD, KEV, scans, ...).
CANHGAC_SAMPLES_DIR: Path = env.path("CANHGAC_SAMPLES_DIR", BASE_DIR.parent / "shared" / "data")

DEBUG = False
ALLOWED_HOSTS: list[str] = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.string_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the real client.
TRUSTED_PROXIES: list[str] = env.string_list("TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
    "canhgac.core",
    "canhgac.accounts",
    "canhgac.audit",
    "canhgac.inventory",
    "canhgac.advisories",
    "canhgac.exposure",
    "canhgac.duty",
    "canhgac.remediation",
    "canhgac.reports",
    "canhgac.web",
    "canhgac.api",
]

MIDDLEWARE = [
    "canhgac.web.proxies.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "canhgac.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "canhgac.web.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "canhgac.web.middleware.AccessDeniedMiddleware",
    # Must stay last (django-axes documentation).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "canhgac.web.context_processors.navigation",
            ],
        },
    },
]


def database_settings(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL; SQLite gets WAL, a busy timeout and IMMEDIATE transactions."""
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # Take the write lock when a transaction starts: no "database is locked" upgrades.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env.secret("DATABASE_URL", f"sqlite:///{CANHGAC_HOME / 'canhgac.sqlite3'}")
DATABASES = {"default": database_settings(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "canhgac.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

# django-axes: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.integer("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address comes from REMOTE_ADDR, which ClientAddressMiddleware has already corrected.
AXES_CLIENT_IP_CALLABLE = "canhgac.web.proxies.request_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "canhgac" / "locale"]
USE_I18N = True
TIME_ZONE = env.string("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["canhgac.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = CANHGAC_HOME / "static"
MEDIA_ROOT = CANHGAC_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.integer("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# Email (notifications). Console backend unless an SMTP host is configured.
EMAIL_HOST = env.string("EMAIL_HOST", "")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "canhgac@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Notifications (docs/notifications.md): the address of the web UI that links in emails start
# with, and how many times a failed delivery is tried before it is given up.
CANHGAC_BASE_URL = env.string("CANHGAC_BASE_URL", "http://127.0.0.1:8000")
NOTIFY_MAX_ATTEMPTS = env.integer("NOTIFY_MAX_ATTEMPTS", 10)

# Background work: SQLite-backed Huey by default, Redis when REDIS_URL is set.
REDIS_URL = env.secret("REDIS_URL", "")
HUEY_IMMEDIATE = env.boolean("HUEY_IMMEDIATE", False)


HUEY = build_huey(
    redis_url=REDIS_URL, sqlite_path=CANHGAC_HOME / "huey.sqlite3", immediate=HUEY_IMMEDIATE
)

# Advisory knowledge base: online sync, archive, offline bundles (docs/advisories-sync.md).
ADVISORY_ARCHIVE = env.boolean("ADVISORY_ARCHIVE", True)
# Sources `advisories sync` fetches by default, and the schedule of the periodic sync
# (cron "minute hour day month weekday" in TIME_ZONE; empty: no periodic sync).
ADVISORY_SYNC_SOURCES = env.string_list("ADVISORY_SYNC_SOURCES", ["kev", "epss", "nvd", "msrc"])
ADVISORY_SYNC_SCHEDULE = env.string("ADVISORY_SYNC_SCHEDULE", "30 1 * * *")
NVD_API_URL = env.string("NVD_API_URL", "https://services.nvd.nist.gov/rest/json/cves/2.0")
NVD_CPE_API_URL = env.string("NVD_CPE_API_URL", "https://services.nvd.nist.gov/rest/json/cpes/2.0")
NVD_API_KEY = env.secret("NVD_API_KEY", "")
NVD_PAGE_SIZE = env.integer("NVD_PAGE_SIZE", 2000)
# Seconds between NVD requests: 30 s / 5 requests without a key, 30 s / 50 with one.
NVD_REQUEST_INTERVAL = env.number("NVD_REQUEST_INTERVAL", None)
KEV_URL = env.string(
    "KEV_URL",
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
)
EPSS_URL = env.string("EPSS_URL", "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz")
MSRC_API_URL = env.string("MSRC_API_URL", "https://api.msrc.microsoft.com/cvrf/v3.0")
MSRC_FIRST_MONTH = env.string("MSRC_FIRST_MONTH", "2022-Jan")  # older documents are skipped
OSV_URL = env.string("OSV_URL", "https://osv-vulnerabilities.storage.googleapis.com")
OSV_ECOSYSTEMS = env.string_list("OSV_ECOSYSTEMS", ["PyPI", "Go", "npm", "Maven"])
CSAF_PROVIDERS = env.string_list("CSAF_PROVIDERS", [])  # provider-metadata.json URLs
# HTTP: timeout (s), attempts per request, first backoff (s, doubled each retry, capped 300).
FEED_HTTP_TIMEOUT = env.integer("FEED_HTTP_TIMEOUT", 60)
FEED_HTTP_ATTEMPTS = env.integer("FEED_HTTP_ATTEMPTS", 5)
FEED_HTTP_BACKOFF = env.number("FEED_HTTP_BACKOFF", 5.0) or 0.0
FEED_HTTP_PROXY = env.string("FEED_HTTP_PROXY", "")
# Shared secret that signs offline bundles (HMAC-SHA256); without it bundles carry hashes only.
ADVISORY_BUNDLE_KEY = env.secret("ADVISORY_BUNDLE_KEY", "")

# Exposure (docs/exposure.md): days to fix per priority when a unit has no policy of its own,
# and when the worker matches what changed since its last run (cron in TIME_ZONE; empty: never).
EXPOSURE_SLA_DAYS = {
    "P1": env.integer("EXPOSURE_SLA_P1_DAYS", 7),
    "P2": env.integer("EXPOSURE_SLA_P2_DAYS", 15),
    "P3": env.integer("EXPOSURE_SLA_P3_DAYS", 30),
    "P4": env.integer("EXPOSURE_SLA_P4_DAYS", 90),
}
EXPOSURE_MATCH_SCHEDULE = env.string("EXPOSURE_MATCH_SCHEDULE", "*/10 * * * *")

# Remediation (docs/remediation.md): hours a unit has to acknowledge a provincial letter; days
# after the due date before an overdue task goes from the unit's manager to the province; how
# long a forwarded letter's tasks keep following the findings once all are done; evidence files.
REMEDIATION_ACK_HOURS = env.integer("REMEDIATION_ACK_HOURS", 24)
REMEDIATION_ESCALATE_PROVINCE_DAYS = env.integer("REMEDIATION_ESCALATE_PROVINCE_DAYS", 2)
REMEDIATION_ACTIVE_DAYS = env.integer("REMEDIATION_ACTIVE_DAYS", 180)
REMEDIATION_EVIDENCE_MAX_BYTES = env.integer("REMEDIATION_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
REMEDIATION_ESCALATION_SCHEDULE = env.string("REMEDIATION_ESCALATION_SCHEDULE", "0 8 * * *")

# Reports (docs/reports.md): how a register number is written ({sequence}, {series}, {year}),
# the province's series, and the letterhead and signature of the documents it issues.
REPORT_NUMBER_FORMAT = env.string("REPORT_NUMBER_FORMAT", "{sequence}/{series}")
REPORT_SERIES = env.string("REPORT_SERIES", "STTTT-ATTT")
REPORT_AUTHORITY = env.string("REPORT_AUTHORITY", "UBND TỈNH THANH VÂN")
REPORT_ISSUER = env.string("REPORT_ISSUER", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
REPORT_PLACE = env.string("REPORT_PLACE", "Thanh Vân")
# Lines of the signer's title ("\n" between lines), and the signer's name (empty: signed by hand).
REPORT_SIGNER_TITLE = env.string("REPORT_SIGNER_TITLE", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC").replace(
    "\\n", "\n"
)
REPORT_SIGNER_NAME = env.string("REPORT_SIGNER_NAME", "")

# API lists: limit/offset pagination, 100 items by default, at most 500 per page.
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500

# API tokens: how long a new token lives unless its creator says otherwise.
API_TOKEN_DEFAULT_DAYS = env.integer("API_TOKEN_DEFAULT_DAYS", 90)
# Longest lifetime a token may be given (days); tokens always expire.
API_TOKEN_MAX_DAYS = env.integer("API_TOKEN_MAX_DAYS", 365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        # The consumer (`canhgac worker`) sets up its own handler for "huey".
        "huey": {"level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # one line per request otherwise
    },
}
