"""Soglasie settings: one module, every value from the environment with a safe default.

Development needs no variables at all (SQLite next to the code, console email). Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and HTTPS=1; `manage.py check --deploy` is clean
then (see docs/deploy.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", "0")

# The development key is public; the deploy check `soglasie.E001` refuses it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "simple_history",
    "axes",
    "agreements",
    "members",
    "occasions",
    "news",
    "spreading",
    "search",
    "api",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the database (the session first): it decides where reads go.
    "config.middleware.ReplicaMiddleware",
    # Before the session: a kept anonymous page costs one cache round trip (config/pagecache.py).
    "config.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.RejectNulMiddleware",
    "agreements.middleware.FoundingMiddleware",
    "members.middleware.FollowingMiddleware",
    # Last, as django-axes asks: it turns a lockout into the explanatory page.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself (gunicorn + WhiteNoise, docs/deploy.md).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

# Only this site's own files run, style or show on its pages: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Acts per member (or, for sign-ups, per client address): (how many, per how many seconds).
RATE_LIMITS = {
    "propose": (int(os.environ.get("RATE_LIMIT_PROPOSALS_PER_DAY", "5")), 24 * 3600),
    "comment": (int(os.environ.get("RATE_LIMIT_COMMENTS_PER_HOUR", "30")), 3600),
    "post": (int(os.environ.get("RATE_LIMIT_POSTS_PER_DAY", "10")), 24 * 3600),
    "report": (int(os.environ.get("RATE_LIMIT_REPORTS_PER_HOUR", "10")), 3600),
    "appeal": (int(os.environ.get("RATE_LIMIT_APPEALS_PER_HOUR", "20")), 3600),
    "signup": (int(os.environ.get("RATE_LIMIT_SIGNUPS_PER_HOUR", "5")), 3600),
}
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
                "django.template.context_processors.i18n",
                "agreements.context_processors.community",
                "members.context_processors.membership",
                "news.context_processors.notifications",
                "moderation.context_processors.moderation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must not hold a visitor (or a worker) forever: connecting
    # gives up after DATABASE_CONNECT_TIMEOUT seconds and any statement after
    # DATABASE_STATEMENT_TIMEOUT_MS; the visitor then sees the truthful 503 page (config/views.py).
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
        "options": "-c statement_timeout="
        + str(int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server and the `advance` loop side by side on one file: WAL lets
    # readers proceed during a write, IMMEDIATE takes the write lock up front instead of failing
    # half-way through a transaction, and the timeout waits for the other writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: the browser tests' live server answers from other threads, which an
    # in-memory database can only share unsafely.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Read replicas (config/db_router.py): DATABASE_REPLICA_URLS, comma-separated, become the aliases
# replica1, replica2… Reads of safe requests go to a replica that answers and is at most
# DATABASE_REPLICA_MAX_LAG_SECONDS behind (probed every DATABASE_REPLICA_CHECK_SECONDS per
# process); a browser that wrote reads from the primary for READ_YOUR_WRITES_SECONDS after.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = dj_database_url.parse(
        url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if DATABASES[alias]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer is given up quickly: the primary can answer instead.
        DATABASES[alias]["OPTIONS"] = {
            "connect_timeout": int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2")),
            "options": "-c statement_timeout="
            + str(int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))),
        }
    # Tests read the test database through every alias.
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(alias)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", "10"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "5"))
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Reverse proxies in front of the site that append the client's address to X-Forwarded-For
# (docs/deploy.md). 0: the header is never read, REMOTE_ADDR is the client.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# Login throttling, counted separately for a username (from every address together) and for a
# client address (over every username): after LOGIN_FAILURE_LIMIT failures within the cool-off
# time, either one waits LOGIN_COOLOFF_MINUTES; a successful login clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.ratelimit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "members.throttling.locked_out"
AXES_USERNAME_CALLABLE = "members.throttling.username_of"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "soglasie",
    }
}
if os.environ.get("REDIS_URL"):
    # A Redis that is down or slow costs a request at most a second, once (config/cache.py).
    CACHES["default"] = {
        "BACKEND": "config.cache.TolerantRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }

# The queue (config/celery.py, config/tasks.py): without a broker every task runs inline.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # A task taken by a worker that was killed goes back to the queue after this long. Tasks
    # take seconds; retries wait at most 5 minutes, which must stay below this.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    # Look for such tasks every 10 seconds (a cheap query), not every 100.
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = os.environ.get("TIME_ZONE", "UTC")
CELERY_BEAT_SCHEDULE = {
    # What cron did: `advance` every minute (a run not started within the minute is dropped, the
    # next one does its work), the digests daily at 06:15.
    "advance": {
        "task": "agreements.tasks.advance",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "send-digests": {
        "task": "news.tasks.send_digests",
        "schedule": crontab(hour=6, minute=15),
    },
}
# How long an anonymous visitor's page is kept at most: every public write makes it stale at
# once, so this bounds only what changes with time alone (config/pagecache.py). 0: pages are
# never kept, and not answered with 304. On by default only with Redis: the local-memory cache is
# one process's own, so a write by another worker or by `advance` would not reach it.
PAGE_CACHE_SECONDS = int(
    os.environ.get("PAGE_CACHE_SECONDS", "30" if os.environ.get("REDIS_URL") else "0")
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", "1")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "soglasie@localhost")

# Behind TLS in production: HTTPS=1 turns on every transport protection `check --deploy` asks for.
HTTPS = env_bool("HTTPS", "0")
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", "1")
    # Load balancers ask each app server directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", "0")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Where the site is reachable from outside; used in feeds, exports, leaflets and emails when
# there is no request to ask (management commands).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SIMPLE_HISTORY_REVERT_DISABLED = True

# The first decision procedure, used when the community is founded. After founding it changes
# only through an adopted amendment to the agreement "How amendments are decided".
PROCEDURE_DEFAULTS = {
    "discussion_days": int(os.environ.get("PROCEDURE_DISCUSSION_DAYS", "7")),
    "voting_days": int(os.environ.get("PROCEDURE_VOTING_DAYS", "7")),
    "quorum_percent": os.environ.get("PROCEDURE_QUORUM_PERCENT", "5"),
    "quorum_minimum": int(os.environ.get("PROCEDURE_QUORUM_MINIMUM", "3")),
    "threshold_percent": os.environ.get("PROCEDURE_THRESHOLD_PERCENT", "50"),
    "effect_delay_days": int(os.environ.get("PROCEDURE_EFFECT_DELAY_DAYS", "3")),
    "moderator_term_days": int(os.environ.get("PROCEDURE_MODERATOR_TERM_DAYS", "90")),
}
# What `manage.py advance` runs every minute, in this order: each takes `now` (None for the
# present) and returns lines saying what it did.
ADVANCE_TASKS = [
    "agreements.amendments.advancing.advance_amendments",
    "moderation.services.power.end_lapsed_grants",
]

# Parts of the demo story (`manage.py seed_demo`) told by apps that news does not import.
DEMO_CHAPTERS = ["moderation.demo.tell"]

# Borrowing agreements from other communities (agreements/borrowing/): how long and how much a
# fetch of the other site may take, and how often borrowed agreements' sources are checked.
BORROW_TIMEOUT = float(os.environ.get("BORROW_TIMEOUT", "5"))
BORROW_MAX_BYTES = int(os.environ.get("BORROW_MAX_BYTES", str(2 * 1024 * 1024)))
BORROW_MAX_REDIRECTS = 3
BORROW_CHECK_HOURS = int(os.environ.get("BORROW_CHECK_HOURS", "6"))
# Fetches never reach private, loopback or link-local addresses, except in these networks
# (comma-separated CIDRs; empty in production; tests allow 127.0.0.0/8 for their local servers).
BORROW_ALLOWED_NETWORKS = env_list("BORROW_ALLOWED_NETWORKS", "")
ADVANCE_TASKS.append("agreements.borrowing.services.check_sources")
# Occasions: voting opens when nominations close, and the speaker is chosen when voting closes.
ADVANCE_TASKS.append("occasions.services.close_occasions")

# Larger than the biggest form we accept (a 200,000-character text in Cyrillic, URL-encoded), so
# an over-long text gets the form's clear error about the limit, not a bare "400 Bad Request".
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Everything goes to the console once, through the root logger. Django's own "django" logger
# has a console handler of its own while DEBUG is on; left alone, every expected 403 or 404
# printed its traceback twice (once there, once again here through propagation).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
