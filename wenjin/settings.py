"""Django settings for Wenjin, read from environment variables (see README, "Configuration").

Defaults are the safe production ones; ``WENJIN_DEMO=1`` (set by ``./run demo``) relaxes only
what a laptop demo over plain HTTP on 127.0.0.1 needs.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from wenjin.config import Config

CONFIG = Config()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir

DEMO = CONFIG.flag("WENJIN_DEMO")
DEBUG = CONFIG.flag("WENJIN_DEBUG")

SECRET_KEY = CONFIG.get("WENJIN_SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "WENJIN_SECRET_KEY is not set. Set it in the environment or in "
        f"{DATA_DIR / 'wenjin.env'} (./run demo generates one for the demo)."
    )
FIELD_KEY = CONFIG.get("WENJIN_FIELD_KEY") or ""
if not FIELD_KEY:
    raise ImproperlyConfigured("WENJIN_FIELD_KEY (key for encrypting personal data) is not set.")

ALLOWED_HOSTS = CONFIG.list(
    "WENJIN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if (DEMO or DEBUG) else ""
)
CSRF_TRUSTED_ORIGINS = CONFIG.list("WENJIN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "wenjin.lib",
    "wenjin.network",
    "wenjin.accounts",
    "wenjin.catalog",
    "wenjin.search",
    "wenjin.patrons",
    "wenjin.circulation",
    "wenjin.notices",
    "wenjin.events",
    "wenjin.stats",
    "wenjin.sip2",
    "wenjin.api",
    "wenjin.web",
    "wenjin.opac",
    "wenjin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wenjin.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenjin.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wenjin.api.middleware.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "wenjin.urls"
WSGI_APPLICATION = "wenjin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wenjin.opac.display.display",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default: one file in the data directory, WAL so readers never
# wait for the writer, a busy timeout so writers queue instead of failing, and
# BEGIN IMMEDIATE so a transaction takes the write lock up front (a deferred transaction
# that upgrades to a writer mid-way fails at once with "database is locked").
SQLITE_BUSY_TIMEOUT_SECONDS = 30
DATABASE_URL = CONFIG.get("WENJIN_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'wenjin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000};"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation costs 50-100 ms on every large search query and never pays back on
    # queries this short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Staff accounts ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.StaffUser"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:staff-home"
# Failed logins counted per account and per client address (database-backed, so every
# web worker and the API share them).
WENJIN_LOGIN_MAX_FAILURES = int(CONFIG.get("WENJIN_LOGIN_MAX_FAILURES", "5"))
WENJIN_LOGIN_IP_MAX_FAILURES = int(CONFIG.get("WENJIN_LOGIN_IP_MAX_FAILURES", "30"))
WENJIN_PIN_MAX_FAILURES = int(CONFIG.get("WENJIN_PIN_MAX_FAILURES", "5"))
WENJIN_LOGIN_WINDOW_MINUTES = int(CONFIG.get("WENJIN_LOGIN_WINDOW_MINUTES", "15"))
WENJIN_LOGIN_LOCKOUT_MINUTES = int(CONFIG.get("WENJIN_LOGIN_LOCKOUT_MINUTES", "15"))
# A reader's session on the public site ends after this many idle minutes (staff: 8 hours).
WENJIN_READER_SESSION_MINUTES = int(CONFIG.get("WENJIN_READER_SESSION_MINUTES", "30"))
# Remote self-registration: "instant" (resident IDs get a card at once, other documents wait
# for a desk) or "confirm" (every registration waits for a desk).
WENJIN_REMOTE_REGISTRATION = CONFIG.get("WENJIN_REMOTE_REGISTRATION", "instant")
if WENJIN_REMOTE_REGISTRATION not in ("instant", "confirm"):
    raise ImproperlyConfigured(
        f"WENJIN_REMOTE_REGISTRATION is {WENJIN_REMOTE_REGISTRATION!r}: use instant or confirm"
    )
# Real-name verification of online registrations: empty (ask nobody) or the dotted path
# of a wenjin.patrons.real_name.RealNameVerifier (the network's real-name service).
WENJIN_REAL_NAME_VERIFIER = CONFIG.get("WENJIN_REAL_NAME_VERIFIER", "")
# Per counting window (WENJIN_LOGIN_WINDOW_MINUTES), then locked for the lockout time.
WENJIN_REMOTE_CODES_PER_PHONE = int(CONFIG.get("WENJIN_REMOTE_CODES_PER_PHONE", "5"))
WENJIN_REMOTE_REQUESTS_PER_IP = int(CONFIG.get("WENJIN_REMOTE_REQUESTS_PER_IP", "30"))
WENJIN_REMOTE_ATTEMPTS_PER_IDENTITY = int(CONFIG.get("WENJIN_REMOTE_ATTEMPTS_PER_IDENTITY", "10"))
# Events: how many coming events one reader may be registered (or waiting) for at once.
WENJIN_EVENT_REGISTRATIONS_PER_READER = int(
    CONFIG.get("WENJIN_EVENT_REGISTRATIONS_PER_READER", "10")
)
WENJIN_TRUST_X_FORWARDED_FOR = CONFIG.flag("WENJIN_TRUST_X_FORWARDED_FOR")

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(CONFIG.get("WENJIN_STATIC_ROOT") or DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Not sent on requests from other sites' forms (with the CSRF token, a second guard).
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day at the desk
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if DEMO or DEBUG:
    # The demo is plain HTTP on the loopback interface.
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
else:
    SECURE_SSL_REDIRECT = CONFIG.flag("WENJIN_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(CONFIG.get("WENJIN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if CONFIG.flag("WENJIN_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": CONFIG.get("WENJIN_LOG_LEVEL", "INFO")},
}

# --- Outside world ----------------------------------------------------------------------
WENJIN_BASE_URL = CONFIG.get("WENJIN_BASE_URL", "http://127.0.0.1:8000")
WENJIN_HTTP_PORT = int(CONFIG.get("WENJIN_HTTP_PORT", "8000"))
WENJIN_SIP2_PORT = int(CONFIG.get("WENJIN_SIP2_PORT", "6001"))
WENJIN_SIP2_HOST = CONFIG.get("WENJIN_SIP2_HOST", "127.0.0.1")
# Kiosks keep their connection open between readers; one silent this long is dead.
WENJIN_SIP2_IDLE_SECONDS = float(CONFIG.get("WENJIN_SIP2_IDLE_SECONDS", "300"))
WENJIN_SIP2_MAX_FRAME = int(CONFIG.get("WENJIN_SIP2_MAX_FRAME", "65536"))
# Threads running the handlers (database work); bounds the database connections too.
WENJIN_SIP2_THREADS = int(CONFIG.get("WENJIN_SIP2_THREADS", "16"))
# Server processes sharing the port (one core each for Python); production: the cores.
WENJIN_SIP2_WORKERS = int(CONFIG.get("WENJIN_SIP2_WORKERS", "1"))
# The institution id (AO) reported in 98; requests must carry it or leave AO empty.
WENJIN_SIP2_INSTITUTION = CONFIG.get("WENJIN_SIP2_INSTITUTION", "WENJIN")
# Some kiosks poll 99 before logging in; off by default (the device is unknown then).
WENJIN_SIP2_STATUS_BEFORE_LOGIN = CONFIG.flag("WENJIN_SIP2_STATUS_BEFORE_LOGIN")
# Screen messages (AF/AG) for kiosks: their displays are set up for Chinese.
WENJIN_SIP2_LANGUAGE = CONFIG.get("WENJIN_SIP2_LANGUAGE", "zh-hans")

# --- Reader notices ---------------------------------------------------------------------
# Email: Django's backends. The demo writes messages as files in the data directory.
EMAIL_BACKEND = CONFIG.get(
    "WENJIN_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail-outbox"
EMAIL_HOST = CONFIG.get("WENJIN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(CONFIG.get("WENJIN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = CONFIG.get("WENJIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = CONFIG.get("WENJIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = CONFIG.flag("WENJIN_EMAIL_USE_TLS")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = CONFIG.get("WENJIN_EMAIL_FROM", "noreply@localhost")
# SMS: "file" (one JSON line per message in WENJIN_SMS_OUTBOX), "console" (the log) or the
# dotted path of an SmsProvider class. There is no real gateway yet.
WENJIN_SMS_BACKEND = CONFIG.get("WENJIN_SMS_BACKEND", "file")
WENJIN_SMS_OUTBOX = Path(CONFIG.get("WENJIN_SMS_OUTBOX") or DATA_DIR / "sms-outbox.jsonl")
# Days before the due date the "due soon" reminder goes out, and before a card expires.
WENJIN_NOTICE_DUE_SOON_DAYS = int(CONFIG.get("WENJIN_NOTICE_DUE_SOON_DAYS", "3"))
WENJIN_NOTICE_CARD_EXPIRY_DAYS = int(CONFIG.get("WENJIN_NOTICE_CARD_EXPIRY_DAYS", "30"))
# A notice whose day fell on a day the daily job did not run still goes out on the next
# run within this many days (1: only on the day itself).
WENJIN_NOTICE_CATCH_UP_DAYS = int(CONFIG.get("WENJIN_NOTICE_CATCH_UP_DAYS", "7"))

# --- Background tasks -------------------------------------------------------------------
# Work a request triggers but must not wait for (a notice to a reader) is queued in the
# database and run by `wenjin db_worker` (started beside the web server by ./run demo).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Payments and credit ----------------------------------------------------------------
# The class confirming WeChat Pay / Alipay references (wenjin.circulation.payments); the
# built-in demo provider calls no gateway.
WENJIN_PAYMENT_PROVIDER = CONFIG.get(
    "WENJIN_PAYMENT_PROVIDER", "wenjin.circulation.payments.DemoProvider"
)
# Scores from an outside credit platform, for the "external" credit provider.
WENJIN_CREDIT_EXTERNAL_FILE = CONFIG.get("WENJIN_CREDIT_EXTERNAL_FILE") or str(
    DATA_DIR / "credit-scores.json"
)
