"""Launch Control settings: one file, read from the environment (healthchecks' hc/settings.py style).

No DATABASE_URL  -> a SQLite file under .var/ (the embedded default of `make run`).
DATABASE_URL=postgres://user:pass@host:port/name -> PostgreSQL through psycopg 3.
No REDIS_URL     -> a Celery broker on the local filesystem and an in-process cache: no server needed.
REDIS_URL=redis://host:port/db -> Redis as the Celery broker and the shared cache.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
# pytest-xdist runs the suite in several processes (PYTEST_XDIST_WORKER=gw0, gw1, ...). Each gets a var dir
# and a Redis key prefix of its own (cache keys and Celery queues), and so does every process a test starts
# (it inherits the variable): two test processes never share a broker queue, a cache key or a file.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
VAR_DIR = Path(os.environ.get("LC_VAR_DIR", BASE_DIR / ".var"))
if TEST_WORKER:
    VAR_DIR = VAR_DIR / f"xdist-{TEST_WORKER}"
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, the embedded broker, beat's schedule


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        max_age, pool_size = envint("DB_CONN_MAX_AGE", "0"), envint("DB_POOL_SIZE", "10")
        # psycopg's pool (Django's OPTIONS["pool"]): a request takes an open connection and gives it back,
        # instead of opening one (a new PostgreSQL server process, a few ms of CPU on both sides) and closing
        # it at the end. ASGI runs each request's sync code in a thread of its own, so persistent connections
        # (DB_CONN_MAX_AGE) would be per request there too; Django allows one or the other.
        pool = (
            {"pool": {"min_size": 0, "max_size": pool_size, "max_idle": 60, "timeout": 10}}
            if pool_size > 0 and max_age == 0
            else {}
        )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "launchcontrol",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": max_age,
            "CONN_HEALTH_CHECKS": True,
            "ATOMIC_REQUESTS": False,
            "OPTIONS": pool,
        }
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)) if parsed.path else VAR_DIR / "db.sqlite3")
    raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgres:// or sqlite://)")


def sqlite_database(path: Path) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # Web, worker and beat share the file: wait for locks instead of failing, and take the
            # write lock at BEGIN so two writers never deadlock on a lock upgrade.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": None},
    }


DEBUG = envbool("DEBUG", "True" if not os.environ.get("SECRET_KEY") else "False")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",  # django-ninja's bundled Swagger UI assets (static/ninja/), served by us: no CDN
    "plans",
    "roles",
    "readiness",  # training tracks and readiness items (readiness/, issue 13): below checklists
    "checklists",
    "issues",
    "communications",
    "warroom",
    "statuspage",
    "api",
    "review",  # the launch review and go-live report (review/)
    "live",  # the push channel: server-sent events to every open page (live/, docs/architecture.md)
    "launch",  # last of ours: it replaces the Plan admin (launch/admin.py)
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.JsonErrorsMiddleware",  # 404 and 405 under /api/v1/ in JSON, like the API's own errors
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "launchcontrol.signedout.SignedOutWriteMiddleware",  # a form sent after signing out loses nothing
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "plans.middleware.DatesOutOfRangeMiddleware",  # a plan with out-of-range dates: 409, not 500
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the "locked" page
]

#: Largest plan file the importer reads (bytes); see docs/plan-format.md, "Limits".
PLAN_FILE_MAX_BYTES = envint("PLAN_FILE_MAX_BYTES", str(2 * 1024 * 1024))

ROOT_URLCONF = "launchcontrol.urls"
WSGI_APPLICATION = "launchcontrol.wsgi.application"
ASGI_APPLICATION = "launchcontrol.asgi.application"

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
                "launchcontrol.kept.kept_typed",  # a refused form's text, back in the form (launchcontrol.kept)
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_database(VAR_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lc") + (f"-{TEST_WORKER}" if TEST_WORKER else ""),
            "TIMEOUT": 3600,
            # A stopped Redis must cost a war-room poll milliseconds, not the OS's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 3600}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, launchcontrol/throttle.py): AxesStandaloneBackend refuses a locked sign-in
# before the password is checked; the site login and the admin login both go through it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "launchcontrol.throttle.ThrottleHandler"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "10")  # per account, from any address
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "30")  # per address, over every account
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # what a successful sign-in forgets
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "launchcontrol.throttle.lockout_response"
# Behind N proxies, the client is N X-Forwarded-For entries from the right; 0 trusts none (clientip.py).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "launchcontrol.clientip.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "launch:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security: the production defaults turn on whenever DEBUG is off -------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <meta> tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "True")
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "True")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Trust X-Forwarded-Proto only behind a TLS-terminating proxy that sets it (overwriting what a client sent).
if envbool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): no inline script or style anywhere, no eval (htmx runs with
# allowEval off, see templates/base.html), nothing from another origin. The admin passes it too.
CONTENT_SECURITY_POLICY: dict[str, object] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the app needs none of these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
        "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# --- Email -----------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Launch Control <launchcontrol@localhost>")

# --- Celery ------------------------------------------------------------------------------------------
# Due things are rows (communications.Delivery); beat only ticks the outbox, never long ETAs. The tick has
# its own queue and worker (`outbox`), so slow sends on the default queue never delay it.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        # A stopped or hung Redis fails a publish or a poll in seconds instead of hanging the caller.
        "socket_timeout": envint("REDIS_SOCKET_TIMEOUT", "5"),
        "socket_connect_timeout": envint("REDIS_SOCKET_TIMEOUT", "5"),
        "socket_keepalive": True,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
    if TEST_WORKER:
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{TEST_WORKER}:"
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker never gives up on the broker: it waits for Redis
CELERY_BROKER_CONNECTION_TIMEOUT = envint("REDIS_SOCKET_TIMEOUT", "5")
# On a lost broker connection, running acks_late tasks are cancelled and redelivered (Celery 6's default);
# a send that had begun is then recorded as unknown, never blindly repeated.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "communications.tasks.outbox_tick": {"queue": "outbox"},
    "issues.tasks.escalate_open_issues": {"queue": "outbox"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
OUTBOX_TICK_SECONDS = float(os.environ.get("OUTBOX_TICK_SECONDS", "15"))
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # A tick not started by the next one is dropped (expires): ticks never pile up behind an outage.
    "outbox-tick": {
        "task": "communications.tasks.outbox_tick",
        "schedule": OUTBOX_TICK_SECONDS,
        "options": {"queue": "outbox", "expires": OUTBOX_TICK_SECONDS},
    },
    "escalate-issues": {
        "task": "issues.tasks.escalate_open_issues",
        "schedule": 60.0,
        "options": {"queue": "outbox", "expires": 60.0},
    },
}

# --- Launch Control ------------------------------------------------------------------------------------
WARROOM_POLL_SECONDS = envint("WARROOM_POLL_SECONDS", "2")
# The push channel (live/): one server-sent-events stream per open page, served by the ASGI server.
LIVE_STREAMS = envbool("LIVE_STREAMS", "True")
LIVE_HEARTBEAT_SECONDS = envint("LIVE_HEARTBEAT_SECONDS", "15")
LIVE_STREAM_MAX_SECONDS = envint("LIVE_STREAM_MAX_SECONDS", "900")
LIVE_POLL_SECONDS = envint("LIVE_POLL_SECONDS", "1")
# Kiosk links and calendar feed links: lifetime in days, chosen when a link is made (plans.models.link_days).
LINK_DEFAULT_DAYS = envint("LINK_DEFAULT_DAYS", "30")
LINK_MAX_DAYS = envint("LINK_MAX_DAYS", "365")
# The JSON API (api/): calls per token per minute, counted in the cache (api.throttle); past it, 429.
API_RATE_LIMIT = envint("API_RATE_LIMIT", "120")
REMINDER_LEAD_MINUTES = envint("REMINDER_LEAD_MINUTES", "15")
# Webhooks: one wall-clock deadline for a whole call (not per read); public targets only unless ALLOW_PRIVATE.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", "False")
# The outbox (communications.outbox): how far back a tick looks for what came due, when a due thing is
# too late to matter, when a claim is presumed lost (killed worker), how many tries a send gets.
OUTBOX_LOOKBACK_HOURS = float(os.environ.get("OUTBOX_LOOKBACK_HOURS", "24"))
OUTBOX_LATE_AFTER_MINUTES = float(os.environ.get("OUTBOX_LATE_AFTER_MINUTES", "30"))
# A send that began and recorded nothing is presumed lost (outcome unknown) after OUTBOX_CLAIM_TIMEOUT_SECONDS,
# never before the send task's hard time limit + 5 s; a claim whose send never began (its task lost with the
# broker) is handed out again after OUTBOX_UNSTARTED_RECLAIM_SECONDS.
OUTBOX_CLAIM_TIMEOUT_SECONDS = float(os.environ.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", "60"))
OUTBOX_UNSTARTED_RECLAIM_SECONDS = float(os.environ.get("OUTBOX_UNSTARTED_RECLAIM_SECONDS", "30"))
OUTBOX_SEND_SOFT_TIME_LIMIT_SECONDS = float(os.environ.get("OUTBOX_SEND_SOFT_TIME_LIMIT_SECONDS", "30"))
OUTBOX_SEND_TIME_LIMIT_SECONDS = float(os.environ.get("OUTBOX_SEND_TIME_LIMIT_SECONDS", "40"))
OUTBOX_TICK_TIME_LIMIT_SECONDS = float(os.environ.get("OUTBOX_TICK_TIME_LIMIT_SECONDS", "120"))
OUTBOX_ON_TIME_SECONDS = float(os.environ.get("OUTBOX_ON_TIME_SECONDS", "60"))  # later is shown "sent late"
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", "4")
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
REMINDER_OVERDUE_GRACE_MINUTES = float(os.environ.get("REMINDER_OVERDUE_GRACE_MINUTES", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Kiosk, calendar and screen tokens never reach a log line (launchcontrol/logs.py).
    "filters": {"redact_tokens": {"()": "launchcontrol.logs.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own handlers (its DEBUG console, runserver's, mail_admins) would print request paths
        # unredacted: drop them, so django.request, django.security and django.server reach the console above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},  # failures and lockouts, not every successful sign-in
    },
}
