"""Settings for evalsheets, read from environment variables.

SQLite is the embedded default for one machine; PostgreSQL (psycopg 3) is used
when DATABASE_URL is set, e.g. ``postgres://postgres@127.0.0.1:5432/evalsheets``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("EVALSHEETS_INSECURE_DEV_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(or set DEBUG=1 / EVALSHEETS_INSECURE_DEV_KEY=1 for local use)."
        )
    SECRET_KEY = "django-insecure-evalsheets-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "import_export",
    "django_filters",
    "django_tasks",
    "evalsheets.site.axes_app.AxesConfig",  # django-axes (docs/security.md)
    "dbbackup",
    "municipalities",
    "regions",
    "evalsheets",
    # After evalsheets: its ``db_worker`` command (a worker that survives a locked
    # database, evalsheets/management/commands/db_worker.py) takes the place of this one.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT in the Django process (docs/deploy.md): no separate web
    # server is needed for /static/; right after SecurityMiddleware, as WhiteNoise asks.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (site/security.py).
    "csp.middleware.CSPMiddleware",
    "evalsheets.site.security.SecurityHeadersMiddleware",
    # Form data that is not UTF-8 is refused, not stored as U+FFFD (site/request_checks.py).
    "evalsheets.site.request_checks.Utf8FormMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and maximum age of a login (evalsheets/site/sessions.py, docs/security.md).
    "evalsheets.site.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out login into the lockout page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "evalsheets.urls"

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
                "evalsheets.site.sessions.session_timeout",
            ],
        },
    },
]

# Widgets rendered through TEMPLATES, so that templates/ can override a widget's template
# (templates/admin/widgets/split_datetime.html labels the admin's date and time inputs).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "evalsheets.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # Seconds a connection waits for another's write (SQLite's busy timeout).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters at least (docs/security.md); the demo password has 15.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Django's finders, except that /static/../… is "not found" (404), not a 500.
STATICFILES_FINDERS = [
    "evalsheets.site.staticfinders.FileSystemFinder",
    "evalsheets.site.staticfinders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Stored files (sheet PDFs under pdf/, export results under exports/) go through Django's
# storage API: on this machine's disk under MEDIA_ROOT by default; with STORAGE_BACKEND=s3
# in an S3-compatible bucket shared by every web and worker machine (docs/deploy.md,
# "Several machines: shared storage"). The bucket stays private: files are only ever
# served through the application's views, which check who may see them.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem").strip().lower()


def s3_options(bucket: str) -> dict:
    """django-storages' S3Storage options for ``bucket`` from the AWS_* environment."""
    return {
        "bucket_name": bucket,
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        # "path" for most on-premises servers (MinIO, Ceph), "virtual" for AWS.
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
        # Unset: boto3's own chain (instance role, ~/.aws/credentials).
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        "location": env_str("AWS_LOCATION"),
        "default_acl": None,  # no public-read ACL on any object
        "querystring_auth": True,  # never an unsigned public URL
        # Two workers storing the same name keep two objects, as on disk (pdf.storage._store
        # deletes only its own copy when it loses the race).
        "file_overwrite": False,
    }


if STORAGE_BACKEND == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(env_str("AWS_STORAGE_BUCKET_NAME")),
    }
elif STORAGE_BACKEND in ("", "filesystem"):
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND is filesystem or s3, not {STORAGE_BACKEND!r}.")

# Backup archives (manage.py backup / restore, docs/operations.md): a folder on this
# machine (BACKUP_ROOT), or a bucket of their own (BACKUP_S3_BUCKET_NAME, same endpoint
# and credentials as above). Either way, copy them off-site too.
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(BASE_DIR / "var" / "backups")))
_backup_storage = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(env_str("BACKUP_S3_BUCKET_NAME")),
    }
    if env_str("BACKUP_S3_BUCKET_NAME")
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BACKUP_ROOT)},
    }
)
STORAGES = {
    "default": _default_storage,
    # collectstatic writes each file under a name with its hash, plus gzip and Brotli
    # copies; WhiteNoise serves hashed names with a one-year, immutable cache. Pages then
    # need the manifest (collectstatic) when DEBUG is off; tests use the plain storage.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "dbbackup": _backup_storage,
}
# The IPAex fonts (14 MB) are for the PDF renderer, which reads them from static/ itself;
# no page loads them. Compressing them would cost collectstatic over a minute of CPU.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf")
# WhiteNoise's own table has no .ttf (it would say application/octet-stream).
WHITENOISE_MIMETYPES = {".ttf": "font/ttf"}
# django-dbbackup's database dumps (evalsheets/site/backups.py): SQLite through its online
# backup API in both directions, PostgreSQL through pg_dump / pg_restore.
DBBACKUP_CONNECTOR_MAPPING = {
    "django.db.backends.sqlite3": "evalsheets.site.backups.SqliteConnector",
    "django.db.backends.postgresql": "evalsheets.site.backups.PostgresConnector",
}
DBBACKUP_SEND_EMAIL = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes, evalsheets/site/lockout.py, docs/security.md): per user name and,
# with a higher limit, per client address (one address may be the whole city hall).
AUTHENTICATION_BACKENDS = [
    "evalsheets.site.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_HANDLER = "evalsheets.site.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "evalsheets.site.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "evalsheets.site.lockout.client_ip"
AXES_USERNAME_CALLABLE = "evalsheets.site.lockout.username"
# A success forgets that user's failures from that address (LockoutHandler); tries while
# locked do not push the retry time shown to the user further away.
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Masked in the logs and in the stored form data of a failed attempt (a wrong current
# password on the password change page counts too, evalsheets/site/accounts.py).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sessions on shared terminals (evalsheets/site/sessions.py): logged out after
# SESSION_IDLE_TIMEOUT minutes without activity and SESSION_MAX_AGE_HOURS after the login,
# and when the browser is closed.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30)
SESSION_MAX_AGE_HOURS = env_int("SESSION_MAX_AGE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Requests a page makes by itself: they neither count as activity nor log out.
SESSION_PASSIVE_URL_NAMES = ["export_job_status", "session_status"]

# Uploads: refuse anything large before it reaches a view (imports are small CSV/XLSX).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# A file over EVALSHEETS_IMPORT_MAX_BYTES is dropped while it arrives, and the admin's
# import refuses it or a file over EVALSHEETS_IMPORT_MAX_ROWS rows with a message
# (core/import_limits.py); a body over the limits above is a Japanese 400/413 page.
EVALSHEETS_IMPORT_MAX_BYTES = env_int("EVALSHEETS_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
EVALSHEETS_IMPORT_MAX_ROWS = env_int("EVALSHEETS_IMPORT_MAX_ROWS", 50_000)
FILE_UPLOAD_HANDLERS = [
    "core.import_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "evalsheets@localhost")
# Scheme and host of the links in notification mails (https://hyouka.city.example.lg.jp).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Background work (bulk PDF) through the Django tasks API; the database backend
# runs embedded on one machine (`manage.py db_worker`) and on several workers
# against PostgreSQL.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# HTTPS (docs/deploy.md): on when users reach the site through TLS, normally a proxy in
# front of gunicorn that terminates it and sets X-Forwarded-Proto; off for a server that
# is only ever reached over plain HTTP (an internal LGWAN server without a certificate).
# On: http:// is redirected to https://, the session and CSRF cookies are Secure, HSTS is
# sent and X-Forwarded-Proto: https from the proxy is believed. Default: on when DEBUG is
# off, so a forgotten setting fails closed (docker-compose.yml makes the operator choose).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The HSTS preload list is for public domains and hard to leave: the operator opts in.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# A load balancer probes the web machines over plain HTTP, without the proxy's headers.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# /health/ (evalsheets/site/health.py) fails when a task has waited longer than this (seconds).
HEALTH_MAX_TASK_AGE = env_int("HEALTH_MAX_TASK_AGE", 900)
SESSION_COOKIE_HTTPONLY = True

# Headers on every response, DEBUG on or off (docs/security.md): no MIME sniffing, the
# referrer only to this site, no framing; Permissions-Policy from evalsheets/site/security.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): everything from this site, nothing inline (pages
# take their CSS and JavaScript from static/), no plugins, no framing, forms post here only;
# browsers report what it blocked to /csp-report/ (logged by evalsheets.csp at WARNING).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each layout step at INFO.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs each login at INFO; failures and lockouts at WARNING.
        "axes": {"level": "WARNING"},
    },
}
