"""Settings, read from the environment.

KOHOSHI_DATA_DIR   where the SQLite file, uploads and the secret key live (default ./var)
DATABASE_URL       PostgreSQL (postgres://...) instead of the SQLite file
DATABASE_REPLICA_URL  streaming replicas of DATABASE_URL (comma-separated) for anonymous reads
REDIS_QUEUE_URL    the RQ queue and buffered view counts, if not in REDIS_URL's Redis
REDIS_URL          shared cache (rate limits, view counts, cached pages) and, with KOHOSHI_TASKS=rq, the task queue
KOHOSHI_PAGE_CACHE 0 to render every public page (default 1: cached, kohoshi.reading.pagecache)
KOHOSHI_MICROCACHE_SECONDS  how long nginx may keep a public page before revalidating it (default 1)
KOHOSHI_WEB_WORKERS  processes `kohoshi serve` runs (default: one per CPU)
KOHOSHI_LOG_FORMAT json (default) or text; KOHOSHI_LOG_LEVEL (INFO)
KOHOSHI_TASKS      db (default: django-tasks-db worker, `kohoshi worker`), rq, or immediate
KOHOSHI_DEBUG      1 for development pages
KOHOSHI_ALLOWED_HOSTS  comma-separated host names
KOHOSHI_SITE_URL   absolute base URL used in feeds, OGP and e-mails (unset: taken from each request)
KOHOSHI_HTTPS      1 behind a TLS-terminating proxy: secure cookies, redirect to https, HSTS
KOHOSHI_TRUSTED_PROXY  that proxy's address as `kohoshi serve` sees it (needed with KOHOSHI_HTTPS)
KOHOSHI_HSTS_SUBDOMAINS, KOHOSHI_HSTS_PRELOAD  1: HSTS includeSubDomains / preload (docs/serving.md)
KOHOSHI_TRANSLATION_BACKEND  libretranslate, deepl or ctranslate2: machine translation of articles (docs/translation.md)
"""
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KOHOSHI_DATA_DIR", "var")).resolve()
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _private_file(path: Path) -> None:
    """Create `path` readable and writable by its owner only, or make it so (0600)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o600)
        except PermissionError:  # another user's file: leave it, `check --deploy` is not ours to fail
            pass


def _secret_key() -> str:
    if key := os.environ.get("KOHOSHI_SECRET_KEY"):
        return key
    # A key made once per data directory keeps sessions and signed cookies valid across restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        _private_file(path)  # created 0600 before the key is written: never readable by others
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KOHOSHI_DEBUG")
ALLOWED_HOSTS = os.environ.get("KOHOSHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KOHOSHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Empty: absolute URLs are built from the request (kohoshi.newsletters.links.site_url).
SITE_URL = os.environ.get("KOHOSHI_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "ninja",  # serves the API docs' Swagger UI from /static/, not a CDN the CSP would block
    "django_tasks",
    "django_tasks_db",
    "kohoshi.core",
    "kohoshi.places",
    "kohoshi.accounts",
    "kohoshi.newsletters",
    "kohoshi.ingest",
    "kohoshi.search",
    "kohoshi.engagement",
    "kohoshi.subscriptions",
    "kohoshi.reading_aids",
    "kohoshi.reading",
    "kohoshi.staff",
    "kohoshi.api",
]

MIDDLEWARE = [
    "kohoshi.core.logs.AccessLogMiddleware",
    "kohoshi.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kohoshi.core.dbrouter.ReplicaReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kohoshi.core.middleware.SecretFreeGZipMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kohoshi.core.middleware.RequestBodyLimitMiddleware",
    "kohoshi.core.middleware.NulRejectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kohoshi.urls"
WSGI_APPLICATION = "kohoshi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, folding what depends only on the language (kohoshi/core/templating.py)
            "loaders": [("kohoshi.core.templating.Loader", [
                "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"])],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kohoshi.reading.context_processors.reader_settings",
            ],
            # {% url %} with remembered answers (kohoshi/core/reversing.py)
            "builtins": ["kohoshi.core.templatetags.kohoshi_urls"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'kohoshi.sqlite3'}",
        # Kept between requests, on SQLite too: opening one (with its PRAGMAs) and closing it cost
        # 1.5-3 ms of an uncached article page's 4-7 ms (docs/benchmarks.md, issue 13).
        conn_max_age=int(os.environ.get("KOHOSHI_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, converting each statement's placeholders once (kohoshi/core/sqlite3)
    DATABASES["default"]["ENGINE"] = "kohoshi.core.sqlite3"
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        # A writer waits up to 30 s for the lock: an import's issue transaction (with a search index
        # merge on a busy machine) can hold it for over 10 s, and a reader's survey answer should
        # wait its turn rather than be refused.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
    }
    # The file holds staff password hashes and survey answers. SQLite gives its -wal and -shm
    # files the database file's mode, so 0600 here covers them too.
    if DATABASES["default"]["NAME"] not in ("", ":memory:") and Path(DATABASES["default"]["NAME"]).parent.is_dir():
        _private_file(Path(DATABASES["default"]["NAME"]))

# A connection the database dropped (restart, outage, idle timeout) is noticed and replaced at the
# start of the next request instead of failing it with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# PostgreSQL streaming replicas (hot standbys of DATABASE_URL): anonymous GET requests read from
# one of them, everything else (staff, writes, tasks, migrations) uses the primary
# (kohoshi.core.dbrouter; docs/deployment.md).
KOHOSHI_DB_REPLICAS = []
for _number, _url in enumerate((u.strip() for u in os.environ.get("DATABASE_REPLICA_URL", "").split(",")), 1):
    if not _url:
        continue
    _alias = "replica" if _number == 1 else f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    if DATABASES[_alias]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL entry {_number} ({DATABASES[_alias]['ENGINE']}) is not the same kind of "
            f"database as DATABASE_URL ({DATABASES['default']['ENGINE']}): a replica is a copy of the primary."
        )
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}  # tests never create a database on a replica
    KOHOSHI_DB_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["kohoshi.core.dbrouter.PrimaryReplicaRouter"]
# After a request that wrote, the same browser reads the primary for this many seconds (a cookie).
KOHOSHI_REPLICA_PIN_SECONDS = int(os.environ.get("KOHOSHI_REPLICA_PIN_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# What must never be evicted — the RQ queue and the buffered view counts — may live in a second
# Redis (maxmemory-policy noeviction) while REDIS_URL is a cache-only one (allkeys-lru).
REDIS_QUEUE_URL = os.environ.get("REDIS_QUEUE_URL", "") or REDIS_URL
if KOHOSHI_DB_REPLICAS and not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    # The WAL fence that keeps readers off a lagging replica (kohoshi.core.dbrouter) must be seen by
    # every app server: one process's local memory only knows its own writes.
    raise ImproperlyConfigured("DATABASE_REPLICA_URL needs REDIS_URL (the cache every app server shares)")
# "views" buffers article view counts until they are written in batches (engagement.viewbuffer):
# its own alias so that culling the default cache never drops a count.
# "pages" holds whole public pages and their versions (kohoshi.reading.pagecache). Its versions
# must be the same for every process that serves or writes (`kohoshi serve` runs one process per
# CPU, the task worker publishes scheduled imports): without Redis they live in files under the
# data directory, not in one process's memory.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "views": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_QUEUE_URL},
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                  "KEY_PREFIX": "pages"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kohoshi"},
        "views": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kohoshi-views",
            "OPTIONS": {"MAX_ENTRIES": 10_000_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }
KOHOSHI_PAGE_CACHE = _env_bool("KOHOSHI_PAGE_CACHE", True)
# A cached page is dropped after a day unused (memory), never kept past a change (versions).
KOHOSHI_PAGE_CACHE_SECONDS = 24 * 3600
KOHOSHI_MICROCACHE_SECONDS = int(os.environ.get("KOHOSHI_MICROCACHE_SECONDS", "1"))
# Seconds between writes of buffered article views from each web server process (0: only the
# worker's upkeep and shutdown write them).
KOHOSHI_VIEWS_FLUSH_SECONDS = float(os.environ.get("KOHOSHI_VIEWS_FLUSH_SECONDS", "10"))

_TASKS_BACKEND = os.environ.get("KOHOSHI_TASKS", "db")
TASKS = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[_TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
if _TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A job runs at most DEFAULT_TIMEOUT seconds (RQ's own default, 180, would kill a long PDF
    # ingest run, which has KOHOSHI_INGEST_SECONDS of its own).
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_QUEUE_URL or "redis://127.0.0.1:6379/0",
            "DEFAULT_TIMEOUT": int(float(os.environ.get("KOHOSHI_INGEST_SECONDS", "1800"))) + 300,
        }
    }
    # Workers must run django-tasks' job class (so plain `kohoshi rqworker default` works).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

LANGUAGE_CODE = "ja"
# The interface languages, each named in its own language (the switch in base.html's menu).
# Django codes are lower case (zh-hans → locale/zh_Hans); <html lang> takes the BCP 47 form
# (zh-Hans), see kohoshi.reading.context_processors.bcp47. Adding one: docs/i18n.md.
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
    ("vi", "Tiếng Việt"),
    ("pt", "Português"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (site.3f2a….css) let whitenoise send them with a ten-year immutable lifetime.
    # (its URLs remembered per process: kohoshi/core/storage.py)
    "staticfiles": {"BACKEND": "kohoshi.core.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = True

# Outgoing mail (subscription confirmations and digests): Django's own names, read from the
# environment; the older KOHOSHI_EMAIL_HOST / _PORT / KOHOSHI_FROM_EMAIL still work.
EMAIL_HOST = os.environ.get("EMAIL_HOST") or os.environ.get("KOHOSHI_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or os.environ.get("KOHOSHI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or os.environ.get("KOHOSHI_FROM_EMAIL", "kohoshi@localhost")
# A mailbox that handles "unsubscribe" mails, offered beside the https one-click link (optional).
KOHOSHI_UNSUBSCRIBE_MAILTO = os.environ.get("KOHOSHI_UNSUBSCRIBE_MAILTO", "")
# Web Push: the VAPID private key (PEM or raw base64url); unset, `kohoshi push_keys` writes one
# into the data directory. The subject is a mailto: or https: contact for push services.
KOHOSHI_VAPID_PRIVATE_KEY = os.environ.get("KOHOSHI_VAPID_PRIVATE_KEY", "")
KOHOSHI_VAPID_SUBJECT = os.environ.get("KOHOSHI_VAPID_SUBJECT", "")
# The LINE Messaging API (a local fake in tests); channels are configured per municipality in the admin.
KOHOSHI_LINE_API_BASE = os.environ.get("KOHOSHI_LINE_API_BASE", "https://api.line.me")

# Set when a proxy in front of kohoshi passes the client address in a header (e.g. HTTP_X_REAL_IP):
# rate limits and login lockouts count per client, not per proxy.
KOHOSHI_CLIENT_IP_HEADER = os.environ.get("KOHOSHI_CLIENT_IP_HEADER", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The TLS-terminating proxy in front of `kohoshi serve`, as the server sees it (e.g. 127.0.0.1), or
# "*" for any. kohoshi.core.proxy.TrustedProxy (what `serve` runs, whatever the server) takes the
# scheme and the client address only from this proxy's headers (KOHOSHI_TRUSTED_PROXY_HEADERS) and
# drops them from anyone else: without it, KOHOSHI_HTTPS=1
# would see every request as http and redirect it forever (`serve` refuses to start so).
KOHOSHI_TRUSTED_PROXY = os.environ.get("KOHOSHI_TRUSTED_PROXY", "")
KOHOSHI_TRUSTED_PROXY_HEADERS = os.environ.get("KOHOSHI_TRUSTED_PROXY_HEADERS", "x-forwarded-proto x-forwarded-for").split()
if _env_bool("KOHOSHI_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    # Only when every subdomain is https too (and the domain is to go on browsers' preload list).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KOHOSHI_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = _env_bool("KOHOSHI_HSTS_PRELOAD")
    # Under `kohoshi serve` (kohoshi.core.served) TrustedProxy has already removed this header
    # unless it came from KOHOSHI_TRUSTED_PROXY; other set-ups must strip it in their proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Machine translation of articles (kohoshi/reading_aids/translation/, docs/translation.md): off
# unless a backend is named; then article pages offer the languages listed.
KOHOSHI_TRANSLATION_BACKEND = os.environ.get("KOHOSHI_TRANSLATION_BACKEND", "").strip().lower()
KOHOSHI_TRANSLATION_URL = os.environ.get("KOHOSHI_TRANSLATION_URL", "").strip()
KOHOSHI_TRANSLATION_KEY = os.environ.get("KOHOSHI_TRANSLATION_KEY", "").strip()
KOHOSHI_TRANSLATION_MODEL_DIR = os.environ.get("KOHOSHI_TRANSLATION_MODEL_DIR", "").strip()
# Per-language codes where the backend's differ from the defaults (languages.py), e.g.
# "zh-hans=zh-Hans,pt=pt-BR" for a newer LibreTranslate, or a multilingual CTranslate2 model's
# target tokens "en=eng_Latn,ko=kor_Hang".
KOHOSHI_TRANSLATION_CODES = os.environ.get("KOHOSHI_TRANSLATION_CODES", "").strip()
KOHOSHI_TRANSLATION_TIMEOUT = float(os.environ.get("KOHOSHI_TRANSLATION_TIMEOUT", "30"))
# New translations one client may start per window (seconds); reading finished ones is not counted.
KOHOSHI_TRANSLATION_RATE_LIMIT = (int(os.environ.get("KOHOSHI_TRANSLATION_RATE_LIMIT", "20")), 3600)
KOHOSHI_TRANSLATION_LANGUAGES = [
    c.strip().lower() for c in os.environ.get("KOHOSHI_TRANSLATION_LANGUAGES", "en,zh-hans,ko,vi,pt").split(",") if c.strip()
]
if KOHOSHI_TRANSLATION_BACKEND not in ("", "libretranslate", "deepl", "ctranslate2"):
    raise ImproperlyConfigured(
        f"KOHOSHI_TRANSLATION_BACKEND={KOHOSHI_TRANSLATION_BACKEND!r}: use libretranslate, deepl or ctranslate2, or leave it unset"
    )
_unknown = set(KOHOSHI_TRANSLATION_LANGUAGES) - {"en", "zh-hans", "ko", "vi", "pt"}
if _unknown:
    raise ImproperlyConfigured(
        f"KOHOSHI_TRANSLATION_LANGUAGES: {', '.join(sorted(_unknown))} unknown; choose from en, zh-hans, ko, vi, pt"
    )

# Reading an uploaded PDF (and rendering its pages) happens in a child process with these limits:
# a PDF that inflates past them fails its ingest run instead of exhausting the machine.
KOHOSHI_INGEST_MEMORY_MB = int(os.environ.get("KOHOSHI_INGEST_MEMORY_MB", "2048"))
KOHOSHI_INGEST_SECONDS = float(os.environ.get("KOHOSHI_INGEST_SECONDS", "1800"))
KOHOSHI_INGEST_PAGE_SECONDS = float(os.environ.get("KOHOSHI_INGEST_PAGE_SECONDS", "180"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request bodies (kohoshi.core.middleware.RequestBodyLimitMiddleware; `kohoshi serve --server waitress`
# gives waitress the larger one too): readers send survey answers of a few KB, staff upload PDFs of up to 50 MB.
KOHOSHI_ANONYMOUS_BODY_MAX = 1024 * 1024
KOHOSHI_STAFF_BODY_MAX = 51 * 1024 * 1024

# Every script and stylesheet is a file under /static/: no inline <script>, <style> or style=.
KOHOSHI_CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
KOHOSHI_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")
)

# One JSON object per line on stderr (kohoshi.core.logs): errors with their traceback, and one
# access record per request ("kohoshi.access"; KOHOSHI_ACCESS_LOG=0 turns it off).
_LOG_FORMAT = os.environ.get("KOHOSHI_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "kohoshi.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if _LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KOHOSHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        "kohoshi.access": {"level": "INFO" if _env_bool("KOHOSHI_ACCESS_LOG", True) else "WARNING"},
    },
}
