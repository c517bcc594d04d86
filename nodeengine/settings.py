"""Django settings for Node Engine, read from the environment (or a `.env` file) by django-environ.

Embedded mode is the default: no DATABASE_URL means a SQLite file, no REDIS_URL means the
in-memory channel layer with the sandbox pool inside the web process.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from nodeengine.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent

_env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file), overwrite=False)
config = Config(_env)

DEBUG = config.bool("DEBUG", default=False)
SECRET_KEY = config.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off: set SECRET_KEY to a long random string "
            "(or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = config.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = config.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"]
)

# Served to browsers over HTTPS: TLS ends at a reverse proxy in front of daphne, which passes the
# scheme on in X-Forwarded-Proto (daphne --proxy-headers, docker-compose.yml). Then the session and
# CSRF cookies go only over HTTPS and browsers are told to use nothing else for a year (HSTS).
# Off by default: `make run`, the tests and docker-compose's own port serve plain HTTP.
HTTPS = config.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SILENCED_SYSTEM_CHECKS = [
    # SECURE_SSL_REDIRECT: the proxy redirects plain HTTP; daphne's own port is also asked in plain
    # HTTP by the health checks and /metrics scrapes from inside the deployment, which a redirect
    # would break.
    "security.W008",
    # HSTS for subdomains and the browsers' preload list: those pin the whole domain's other hosts
    # to HTTPS, a decision for the domain's owner, not for this application.
    "security.W005",
    "security.W021",
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "channels",
    "accounts",
    "graphs",
    "execution",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise: /static/ and the editor's /assets/, answered before sessions, CSRF or routing.
    "nodeengine.spa.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "nodeengine.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "nodeengine.wsgi.application"
ASGI_APPLICATION = "nodeengine.asgi.application"

DATABASES = {"default": config.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)

REDIS_URL = config.redis_url("REDIS_URL")
EMBEDDED = REDIS_URL is None
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis with a one-round-trip send (execution/channel_layer.py).
            "BACKEND": "execution.channel_layer.FastRedisChannelLayer",
            # socket_timeout above channels-redis' 5 s blocking pop: redis-py >= 6 defaults it
            # to 5 s, which made every idle receive fail with "Timeout reading from ...".
            "CONFIG": {
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}
                ],
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.exists() else []
# WhiteNoise serves the static files straight from the apps' folders (the finders), as runserver
# does, so no collectstatic step is needed; a collected STATIC_ROOT is served too when present.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Bodies above this are refused by Django before any parsing (a 400 via our exception handler).
MAX_BODY_BYTES = config.int("MAX_BODY_BYTES", default=2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
GRAPH_MAX_NODES = config.int("GRAPH_MAX_NODES", default=5000, minimum=1)
GRAPH_MAX_EDGES = config.int("GRAPH_MAX_EDGES", default=20000, minimum=0)
GRAPH_MAX_DEPTH = config.int("GRAPH_MAX_DEPTH", default=32, minimum=4)
GRAPH_REVISIONS_KEPT = config.int("GRAPH_REVISIONS_KEPT", default=100, minimum=1)
# A new account gets the example graphs of graphs/examples/ (tests turn it off in conftest.py).
SEED_EXAMPLE_GRAPHS = config.bool("SEED_EXAMPLE_GRAPHS", default=True)

LOGIN_RATE_PER_USERNAME = config.rate("LOGIN_RATE_PER_USERNAME", default="5/min")
LOGIN_RATE_PER_IP = config.rate("LOGIN_RATE_PER_IP", default="20/min")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that anonymous requests get 401 with a WWW-Authenticate header, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with size, depth and storability guards; forms with the storability guard (for
    # `curl -d` clients such as the token endpoint's), see nodeengine/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "nodeengine.parsers.SafeJSONParser",
        "nodeengine.parsers.SafeFormParser",
        "nodeengine.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "nodeengine.api.pagination.Pages",
    "PAGE_SIZE": 50,
    # drf-spectacular's, plus the error answers every operation shares (nodeengine/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "nodeengine.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "nodeengine.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "nodeengine.metadata.NodeEngineMetadata",
    "DEFAULT_FILTER_BACKENDS": [
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login_username": LOGIN_RATE_PER_USERNAME,
        "login_ip": LOGIN_RATE_PER_IP,
        # Runs submitted over REST, per user (execution/web/run_views.py): admission bounds how
        # many run at once, this how often a compile can be asked for.
        "run_submit": config.str("RUN_SUBMIT_RATE", default="120/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Node Engine API",
    "DESCRIPTION": "Saved graphs, the node catalogue, the compiler and executions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The data pin types (graph signatures) under their own name, not a generic "TypeEnum".
    "ENUM_NAME_OVERRIDES": {"DataTypeEnum": "graphs.catalogue.types.DATA_TYPES"},
}

# --- Execution limits: the sandbox enforces them, these only configure it. ---
SANDBOX_IMAGE = config.str("SANDBOX_IMAGE", default="nodeengine-sandbox:latest")
# The sandbox's OCI runtime: runsc (gVisor, a second wall: the script talks to a
# user-space kernel) or runc (the host kernel). Unset: runsc when `docker info` lists it, else runc
# with a warning in the worker's log and on the pool dashboard. scripts/ensure_docker.sh installs
# and registers runsc.
SANDBOX_RUNTIME = config.str("SANDBOX_RUNTIME", default="").strip().lower() or "auto"
if SANDBOX_RUNTIME not in ("auto", "runsc", "runc"):
    raise ImproperlyConfigured(
        f"SANDBOX_RUNTIME has an invalid value {SANDBOX_RUNTIME!r}: expected runsc, runc or auto."
    )
# Which kinds of warm sandbox a pool keeps (execution/sandbox_kind.py): auto = light ones, plot ones
# (numpy, matplotlib preloaded) and data ones (pandas too), in proportion to demand (the preloaded
# kinds only when RUN_MEMORY_MB >= 96); data = fully preloaded ones only; none = light ones only.
SANDBOX_PRELOAD = config.str("SANDBOX_PRELOAD", default="").strip().lower() or "auto"
if SANDBOX_PRELOAD not in ("auto", "data", "none"):
    raise ImproperlyConfigured(
        f"SANDBOX_PRELOAD has an invalid value {SANDBOX_PRELOAD!r}: expected auto, data or none."
    )
POOL_SIZE = config.int("POOL_SIZE", default=4, minimum=0)
POOL_WORKER_NAME = config.str("POOL_WORKER_NAME", default="")
# The largest pool an operator may resize a worker to from the admin dashboard.
POOL_MAX_SIZE = config.int("POOL_MAX_SIZE", default=32, minimum=1)
# When set, /metrics requires `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = config.str("METRICS_TOKEN", default="")
# Tests only: /debug/tasks lists the asyncio tasks of the serving process
# (nodeengine/task_census.py). It exposes the process's internals: routed only when set.
TASK_CENSUS = config.bool("TASK_CENSUS", default=False)
# The shared channel pool workers take runs from; distinct names keep test runs apart on one Redis.
POOL_REQUEST_CHANNEL = config.str("POOL_REQUEST_CHANNEL", default="pool.requests")
RUN_WALL_SECONDS = config.float("RUN_WALL_SECONDS", default=30.0, minimum=0.1)
# A warm container no script reaches in this long ends itself (a worker that died leaves none
# running); a live worker renews its warm containers before that. 0 = never.
SANDBOX_IDLE_SECONDS = config.float("SANDBOX_IDLE_SECONDS", default=3600.0, minimum=0)
# A debug run may sit paused at breakpoints this long in all; its wall clock stops meanwhile.
RUN_PAUSE_SECONDS = config.float("RUN_PAUSE_SECONDS", default=600.0, minimum=1)
RUN_CPU_SECONDS = config.int("RUN_CPU_SECONDS", default=10, minimum=1)
RUN_MEMORY_MB = config.int("RUN_MEMORY_MB", default=128, minimum=16)
RUN_PIDS = config.int("RUN_PIDS", default=64, minimum=4)
RUN_OUTPUT_BYTES = config.int("RUN_OUTPUT_BYTES", default=1024 * 1024, minimum=1024)
RUN_SCRIPT_BYTES = config.int("RUN_SCRIPT_BYTES", default=256 * 1024, minimum=1024)
RUN_STDIN_MESSAGE_BYTES = config.int("RUN_STDIN_MESSAGE_BYTES", default=64 * 1024, minimum=1)
RUN_STDIN_TOTAL_BYTES = config.int("RUN_STDIN_TOTAL_BYTES", default=1024 * 1024, minimum=1)
WS_MESSAGE_BYTES = config.int("WS_MESSAGE_BYTES", default=1024 * 1024, minimum=1024)
RUNS_PER_USER = config.int("RUNS_PER_USER", default=2, minimum=1)
RUNS_QUEUED_PER_USER = config.int("RUNS_QUEUED_PER_USER", default=8, minimum=0)

LOG_LEVEL = config.str("LOG_LEVEL", default="INFO")
# Log lines: json = one JSON object per line (nodeengine/logging.py), for log shippers.
LOG_FORMAT = config.str("LOG_FORMAT", default="plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(
        f"LOG_FORMAT has an invalid value {LOG_FORMAT!r}: expected json or plain."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "nodeengine.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
