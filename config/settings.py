"""Stage settings. Every value that differs between deployments comes from the environment (config/env.py).

With no environment at all Stage runs embedded: SQLite, Celery tasks in-process, local-memory cache.
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to a real Celery broker and a shared cache.
"""

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

from config.env import BASE_DIR, development_secret_key, env

# --- Core ----------------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development gets a random key kept in var/ (per checkout); a deployment with DEBUG off must supply its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or development_secret_key() if DEBUG else env("DJANGO_SECRET_KEY")
# Rotation: move the old key here; sessions, signatures and encrypted secrets made with it stay valid.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
# The platform's own host names. `localhost` is only a default in development: it is the parent of the default
# apps domain, which a deployment must keep apart from the platform (see "Origins" below).
PLATFORM_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"] if DEBUG else ["127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_config.StageAdminConfig",  # django.contrib.admin, its default site asking for a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc, pinned and served from here: no CDN
    "axes",  # failed sign-ins counted per user and per address, with a lockout staff can see and lift
    "django_otp",  # two-factor sign-in to the admin (see STAGE_ADMIN_REQUIRE_2FA)
    "core.admin_config.TwoFactorConfig",  # django_otp.plugins.otp_totp, titled "Two-factor sign-in"
    "core",
    "stage",
    "published_api",
    "published_api.compute",
    "published_api.inference",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /static/ (the admin's and the API docs' assets) from the platform itself, compressed and cached for good
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Tenant traffic (app origins, the gateway) is answered here, before sessions, CSRF or auth can see it.
    "stage.origins.middleware.TenantRoutesMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with a second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in
]

# Sign-in that resists guessing (django-axes): after AXES_FAILURE_LIMIT wrong passwords for a user, or from an
# address, that user or address is locked out for AXES_COOLOFF_TIME hours, even with the right password; staff see
# the lockouts in the admin (Axes > Access attempts) and lift one by deleting it (or `manage.py axes_reset`).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("STAGE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("STAGE_LOGIN_LOCKOUT_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks it
AXES_RESET_ON_SUCCESS = True

# Two-factor sign-in (django-otp, TOTP): a user with a confirmed authenticator (`manage.py totp_add <username>`)
# gives its 6-digit code with the password, and a wrong code counts as a failed sign-in for the lockout above.
# With STAGE_ADMIN_REQUIRE_2FA on, staff without an authenticator are refused the admin.
STAGE_ADMIN_REQUIRE_2FA = env.bool("STAGE_ADMIN_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "Stage"  # the name authenticator apps show
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

# --- Origins (issue 13) ---------------------------------------------------------------------------------

# Tenant HTML and scripts (app UIs, backends on their own origin, preview frames) are served only on hosts
# under this domain: <label>.<domain>, one per app, version, preview channel and session preview. In
# production a registrable domain of its own (as githubusercontent.com is for GitHub); `localhost` works
# with no DNS set-up, since browsers resolve *.localhost to loopback.
STAGE_APPS_DOMAIN = env("STAGE_APPS_DOMAIN", default="localhost").strip().strip(".").lower()
STAGE_APPS_SCHEME = env("STAGE_APPS_SCHEME", default="http" if DEBUG else "https")
# The port apps are reached on; unset means the scheme's default. `make run` and `make serve` pass $PORT.
STAGE_APPS_PORT = env.int("STAGE_APPS_PORT", default=None)
ALLOWED_HOSTS = [*PLATFORM_HOSTS, f".{STAGE_APPS_DOMAIN}"]
STAGE_APP_URLCONF = "config.urls_apps"
STAGE_SESSION_URLCONF = "config.urls_previews"
STAGE_GATEWAY_URLCONF = "config.urls_gateway"  # /stage/<appSid>/api[/...] on the platform's hosts
# A signed preview link opens an app's preview (and its never-promoted versions) for this long by default.
STAGE_PREVIEW_LINK_SECONDS = env.int("STAGE_PREVIEW_LINK_SECONDS", default=24 * 3600)
STAGE_PREVIEW_LINK_MAX_SECONDS = 30 * 24 * 3600
# The platform's cookies are host-only (no Domain attribute), so they never reach an app's origin.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None

# Platform HTML pages get a Content-Security-Policy; Swagger UI (/api/docs/) loads its assets from this origin.

ROOT_URLCONF = "config.urls"
# Under the ASGI server (make serve), the platform's own pages run on this many threads per process.
STAGE_WEB_THREADS = env.int("STAGE_WEB_THREADS", default=8)
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False  # API paths are exact; a redirect would drop a POST body.

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
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
else:
    # PostgreSQL through psycopg_pool (Django's own pooling): each process holds at most STAGE_DB_POOL_SIZE
    # connections, whatever its threads do; a request that finds none free (or the database down) waits up to
    # STAGE_DB_POOL_TIMEOUT seconds, then answers 503 UNAVAILABLE. Connections go back to the pool at the end of
    # each request, so a server with a thread per request (the development server, ASGI's sync views) keeps no
    # connection per thread.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # required by pooling: "closing" returns to the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 0,
        # the threads that may hold one at once: STAGE_WEB_THREADS + STAGE_GATEWAY_THREADS + 4 backend starts
        "max_size": env.int("STAGE_DB_POOL_SIZE", default=16),
        "timeout": env.float("STAGE_DB_POOL_TIMEOUT", default=3.0),
        "max_idle": 60,
    }  # CONN_HEALTH_CHECKS (above) makes Django check each connection as it leaves the pool
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery --------------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Embedded mode: no broker, so tasks run in the process that enqueues them.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# A task whose worker died is handed to another worker after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300)}
# A worker rides out a broker outage of any length: it keeps reconnecting, then sends what was left queued.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# How often each worker sends the tasks a web process could not send (core.outbox.send_unsent).
STAGE_UNSENT_SWEEP_SECONDS = env.float("STAGE_UNSENT_SWEEP_SECONDS", default=30)

# --- Auth ----------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- API -----------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.envelope.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "core.api.envelope.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stage API",
    "DESCRIPTION": "Sandbox sessions, versioned files, renders, published apps and workflows.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.envelope.envelope_schema_hook",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Stage limits --------------------------------------------------------------------------------------

STAGE_MAX_FILE_BYTES = env.int("STAGE_MAX_FILE_BYTES", default=1024 * 1024)
STAGE_MAX_PUSH_FILES = env.int("STAGE_MAX_PUSH_FILES", default=5000)
STAGE_MAX_PUSH_BYTES = env.int("STAGE_MAX_PUSH_BYTES", default=32 * 1024 * 1024)
STAGE_MAX_PATH_LENGTH = env.int("STAGE_MAX_PATH_LENGTH", default=1024)
STAGE_MAX_SESSION_NAME = 200
# Django refuses bodies above this before any view runs; leave room for JSON escaping of a full push.
DATA_UPLOAD_MAX_MEMORY_SIZE = STAGE_MAX_PUSH_BYTES * 2 + 1024 * 1024
# A session's lastAccessedAt is written at most once per this many seconds, so reads stay reads.
STAGE_SESSION_TOUCH_SECONDS = env.int("STAGE_SESSION_TOUCH_SECONDS", default=60)

# --- Renders -------------------------------------------------------------------------------------------

# The Node.js that runs the platform's esbuild drivers: renders and backend compiles (core/node.py).
STAGE_NODE = env("STAGE_NODE", default="node")
# A build running longer than this fails the render and its Node process is killed.
STAGE_RENDER_TIMEOUT_SECONDS = env.float("STAGE_RENDER_TIMEOUT_SECONDS", default=30.0)
# How often an open preview page asks whether a newer render is ready.
STAGE_PREVIEW_POLL_MS = env.int("STAGE_PREVIEW_POLL_MS", default=1000)  # only where EventSource is missing
# Open preview event streams (stage/preview/events.py) per process under the ASGI server, and per session.
STAGE_PREVIEW_MAX_STREAMS = env.int("STAGE_PREVIEW_MAX_STREAMS", default=1000)
STAGE_PREVIEW_MAX_STREAMS_PER_SESSION = env.int("STAGE_PREVIEW_MAX_STREAMS_PER_SESSION", default=20)

# --- Workflows (issue 7) -------------------------------------------------------------------------------

# Google endpoints are settings so tests (and a proxy) can point them at a local server speaking the same wire.
STAGE_SHEETS_BASE_URL = env("STAGE_SHEETS_BASE_URL", default="https://sheets.googleapis.com")
STAGE_GOOGLE_TOKEN_URL = env("STAGE_GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token")
# Every third-party call from a step or a delivery (Google, SMTP, Slack, webhooks) gives up after this long.
STAGE_UPSTREAM_TIMEOUT_SECONDS = env.float("STAGE_UPSTREAM_TIMEOUT_SECONDS", default=10.0)
STAGE_DELIVERY_MAX_RETRIES = env.int("STAGE_DELIVERY_MAX_RETRIES", default=5)
STAGE_DELIVERY_RETRY_BACKOFF_SECONDS = env.int("STAGE_DELIVERY_RETRY_BACKOFF_SECONDS", default=5)
# A delivery claimed longer ago than this (its worker died mid-send) may be taken over by another task.
STAGE_DELIVERY_LEASE_SECONDS = env.int("STAGE_DELIVERY_LEASE_SECONDS", default=120)
# Email: SMTP in production (EMAIL_URL=smtp://user:pass@host:587/?tls=True), the console when unset.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="stage@localhost")

# --- Published API backends and egress (issue 5) -------------------------------------------------------

# host:port pairs outbound calls may reach although they resolve to loopback/private addresses (tests, operators).
STAGE_EGRESS_ALLOW = env.list("STAGE_EGRESS_ALLOW", default=[])
STAGE_EGRESS_TIMEOUT_SECONDS = env.float("STAGE_EGRESS_TIMEOUT_SECONDS", default=10.0)
STAGE_EGRESS_MAX_BYTES = env.int("STAGE_EGRESS_MAX_BYTES", default=10 * 1024 * 1024)
STAGE_EGRESS_MAX_REDIRECTS = env.int("STAGE_EGRESS_MAX_REDIRECTS", default=5)
# Compiled backends stay this long in the shared cache (Redis); a bundle asked for after that is compiled again.
STAGE_BACKEND_BUNDLE_TTL_SECONDS = env.int("STAGE_BACKEND_BUNDLE_TTL_SECONDS", default=7 * 24 * 3600)
STAGE_DENO = env("STAGE_DENO", default=str(BASE_DIR / "node_modules" / ".bin" / "deno"))
# Sockets and bundles live here, one sub-directory per backend process. Per instance (checkout and port), never a
# directory every Stage on the host shares; what dead processes left is removed when a process starts its first
# backend. Kept short: Unix socket paths are limited to 108 bytes.
_INSTANCE = hashlib.sha256(f"{BASE_DIR}:{env('PORT', default='dev')}".encode()).hexdigest()[:10]
STAGE_BACKEND_RUNTIME_DIR = env(
    "STAGE_BACKEND_RUNTIME_DIR", default=str(Path(tempfile.gettempdir()) / f"stage-{os.geteuid()}-{_INSTANCE}")
)
# A request running longer than this gets 504 and its app's Deno process is SIGKILLed (a spinning isolate ignores TERM).
STAGE_BACKEND_DEADLINE_SECONDS = env.float("STAGE_BACKEND_DEADLINE_SECONDS", default=10.0)
# Kernel limits of each backend's sandbox (its cgroup): all of its memory, its processes and threads, and a
# ceiling in cores (each sandbox also gets an equal CPU share when cores are contended). Above the memory limit
# the kernel kills it: 500 BACKEND_CRASHED.
STAGE_BACKEND_MEMORY_MB = env.int("STAGE_BACKEND_MEMORY_MB", default=128)
STAGE_BACKEND_MAX_THREADS = env.int("STAGE_BACKEND_MAX_THREADS", default=64)
STAGE_BACKEND_CPU_CORES = env.float("STAGE_BACKEND_CPU_CORES", default=1.0)
# CPU a backend may burn with no request in flight (timers, Workers): a bucket of this many ms that drains at
# STAGE_BACKEND_IDLE_CPU_PERCENT of a core; a process that overfills it is killed and logged.
STAGE_BACKEND_IDLE_CPU_MS = env.int("STAGE_BACKEND_IDLE_CPU_MS", default=1000)
STAGE_BACKEND_IDLE_CPU_PERCENT = env.float("STAGE_BACKEND_IDLE_CPU_PERCENT", default=5.0)
# Sandboxes run as this unprivileged host user when Stage runs as root, in cgroups under <controller>/<name>.
STAGE_SANDBOX_USER = env("STAGE_SANDBOX_USER", default="nobody")
STAGE_CGROUP_NAME = env("STAGE_CGROUP_NAME", default="stage")
# Where the host refuses namespaces, cgroups or seccomp, Stage logs what is missing and runs backends on Deno's
# permissions alone; with this set it refuses to run them at all (CI sets it).
STAGE_REQUIRE_SANDBOX = env.bool("STAGE_REQUIRE_SANDBOX", default=False)
STAGE_BACKEND_IDLE_SECONDS = env.float("STAGE_BACKEND_IDLE_SECONDS", default=300.0)
# The runtime that owns a host's sandboxes: "host" (one supervisor process per runtime directory, shared by every
# web process: published_api/runtime_host.py) or "process" (each web process runs its own; the tests' default).
STAGE_RUNTIME = env("STAGE_RUNTIME", default="host")
# Its caps: sandboxes alive at once and the memory they hold in all; past either, the least recently used idle
# sandbox is retired to make room.
STAGE_RUNTIME_MAX_PROCESSES = env.int("STAGE_RUNTIME_MAX_PROCESSES", default=500)
STAGE_RUNTIME_MEMORY_MB = env.int("STAGE_RUNTIME_MEMORY_MB", default=8192)
# Sandboxes started ahead of need (Deno running, no app yet): a start hands one its app's bundle instead of
# starting a process on the request's time.
STAGE_RUNTIME_WARM = env.int("STAGE_RUNTIME_WARM", default=2)
# A host runtime with no sandbox and no web process connected for this long exits (the next request starts one).
STAGE_RUNTIME_IDLE_EXIT_SECONDS = env.float("STAGE_RUNTIME_IDLE_EXIT_SECONDS", default=600.0)
# Under the ASGI server, threads per process that admit gateway requests (one SQL statement and a quota each).
STAGE_GATEWAY_THREADS = env.int("STAGE_GATEWAY_THREADS", default=4)
# Under the ASGI server, what an app serves is kept in memory while its generation counter in Redis has not moved,
# and at most this long (should a move be lost).
STAGE_GATEWAY_KEEP_SECONDS = env.float("STAGE_GATEWAY_KEEP_SECONDS", default=5.0)
# Requests one app may have in flight on a host (every web process together); beyond it 429 RATE_LIMITED at once.
STAGE_APP_MAX_CONCURRENCY = env.int("STAGE_APP_MAX_CONCURRENCY", default=32)
STAGE_BACKEND_MAX_REQUEST_BYTES = env.int("STAGE_BACKEND_MAX_REQUEST_BYTES", default=10 * 1024 * 1024)
STAGE_BACKEND_MAX_RESPONSE_BYTES = env.int("STAGE_BACKEND_MAX_RESPONSE_BYTES", default=10 * 1024 * 1024)

# --- Limits and abuse (issue 9) ------------------------------------------------------------------------

# Requests per API key, counted on the shared cache across every web process ("600/min", "10/s"; "off" disables).
STAGE_RATE_LIMIT_PER_KEY = env("STAGE_RATE_LIMIT_PER_KEY", default="600/min")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["core.api.throttling.ApiKeyRateThrottle"]
# Per published app, same syntax: gateway requests, outbound fetches, inference tokens, workflow runs.
STAGE_APP_LIMITS = {
    "backend_requests": env("STAGE_APP_LIMIT_BACKEND_REQUESTS", default="6000/min"),
    "outbound_fetches": env("STAGE_APP_LIMIT_OUTBOUND_FETCHES", default="1200/min"),
    "inference_tokens": env("STAGE_APP_LIMIT_INFERENCE_TOKENS", default="200000/hour"),
    "workflow_runs": env("STAGE_APP_LIMIT_WORKFLOW_RUNS", default="600/min"),
}
# Per session, for what the public preview lets anyone holding a session id call.
STAGE_SESSION_LIMITS = {
    "preview_error_reports": env("STAGE_SESSION_LIMIT_PREVIEW_ERROR_REPORTS", default="60/min"),
    # the browser @stage/* modules: writes (kv, liveData, messages, pulse, ledger) and the preview's live polls
    "preview_live_writes": env("STAGE_SESSION_LIMIT_PREVIEW_LIVE_WRITES", default="300/min"),
    "preview_live_reads": env("STAGE_SESSION_LIMIT_PREVIEW_LIVE_READS", default="1200/min"),
}
# What a session keeps for its app (@stage/kv, @stage/convex): caps on its key-value store, live data and chat.
STAGE_KV_MAX_VALUE_BYTES = env.int("STAGE_KV_MAX_VALUE_BYTES", default=64 * 1024)
STAGE_KV_MAX_KEYS = env.int("STAGE_KV_MAX_KEYS", default=1000)
STAGE_KV_MAX_BYTES = env.int("STAGE_KV_MAX_BYTES", default=1024 * 1024)
STAGE_LIVE_DATA_MAX_BYTES = env.int("STAGE_LIVE_DATA_MAX_BYTES", default=256 * 1024)
STAGE_MESSAGE_MAX_CHARS = env.int("STAGE_MESSAGE_MAX_CHARS", default=4000)
STAGE_MESSAGE_MAX_BYTES = env.int("STAGE_MESSAGE_MAX_BYTES", default=16 * 1024)
STAGE_MESSAGES_KEPT = env.int("STAGE_MESSAGES_KEPT", default=500)
STAGE_MESSAGES_MAX_BYTES = env.int("STAGE_MESSAGES_MAX_BYTES", default=512 * 1024)  # the newest that fit are kept

# --- Production profile (issue 9) ----------------------------------------------------------------------

# Request ids, JSON logs and Prometheus metrics (core/observability.py); the middleware runs first to time everything.
MIDDLEWARE.insert(0, "core.observability.ObservabilityMiddleware")
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto; plain-HTTP loopback setups turn the redirect off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/health(/live|/ready)?$", r"^metrics$"]  # probes and scrapers speak plain HTTP inside
# Start small, raise to a year once HTTPS is known good everywhere (HSTS cannot be taken back quickly).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
if SESSION_COOKIE_SECURE:
    # __Host- cookies are host-only, secure and path / by the browser's own rule: nothing on another host, even one
    # on the same site, can set or shadow them.
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []  # preload is an opt-in
# Several models have a `status`; name each enum so the schema (and `check --deploy`) has no collisions.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "AppStatusEnum": ["active", "archived"],
    "RunStatusEnum": ["queued", "running", "succeeded", "failed"],
    "RenderStatusEnum": ["queued", "building", "ready", "failed"],
    "DeliveryStatusEnum": ["queued", "sending", "delivered", "failed"],
}
# "json": one JSON object per line with the request id (the default with DEBUG off); "text" for humans.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")

# --- Static files, i18n --------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True  # also what collectstatic has not gathered (make run, tests): no step to forget
# Before the first collectstatic there is no STATIC_ROOT yet: the finders serve everything then, so say nothing.
warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")  # raised where Django builds the middleware
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # compressed copies next to each file, made by collectstatic (make serve runs it)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging -------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}


# --- @stage/compute and @stage/inference (issue 6) ---
# PostgreSQL connections per web process for compute transactions; each app may hold at most
# STAGE_COMPUTE_APP_MAX_TRANSACTIONS of them on a host at once, each for at most STAGE_COMPUTE_TRANSACTION_SECONDS
# from its start (504 TIMEOUT past it, for that app only).
STAGE_COMPUTE_POOL_SIZE = env.int("STAGE_COMPUTE_POOL_SIZE", default=8)
STAGE_COMPUTE_APP_MAX_TRANSACTIONS = env.int("STAGE_COMPUTE_APP_MAX_TRANSACTIONS", default=3)
STAGE_COMPUTE_TRANSACTION_SECONDS = env.float("STAGE_COMPUTE_TRANSACTION_SECONDS", default=5.0)
STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS = env.float("STAGE_COMPUTE_LOCK_TIMEOUT_SECONDS", default=10.0)
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_DEFAULT_MODEL = env.str("OPENAI_DEFAULT_MODEL", default="gpt-4o-mini")
STAGE_INFERENCE_TIMEOUT_SECONDS = env.float("STAGE_INFERENCE_TIMEOUT_SECONDS", default=60.0)
# Issue 9: every line carries the request id; JSON lines in production (LOG_FORMAT).
LOGGING["filters"] = {"request_id": {"()": "core.observability.RequestIdFilter"}}
LOGGING["formatters"] = {
    "json": {"()": "core.observability.JsonFormatter"},
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
}
LOGGING["handlers"]["console"].update({"filters": ["request_id"], "formatter": LOG_FORMAT})
