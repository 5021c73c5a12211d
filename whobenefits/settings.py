"""Settings for Who Benefits, read from the environment.

The defaults let `make run` work on a fresh clone: DEBUG on, SQLite under var/.
Production (DEBUG off) needs SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", default=True)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of 50+ characters when DEBUG is off "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    "ninja",  # the API docs' assets, served from here (no CDN)
    "personas",
    "roadmap",
    "imports",
    "evidence",
    "outcomes",
    "calibration",
    "audit",
    "tokens",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # before LoginRequired, which reads request.htmx
    "whobenefits.middleware.LoginRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into the login page's error.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "whobenefits.urls"
WSGI_APPLICATION = "whobenefits.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
            "builtins": ["whobenefits.people", "whobenefits.datetimes", "whobenefits.numbers"],
        },
    },
]

# Widgets may use templates of the project's own (templates/forms/), found beside Django's.
FORM_RENDERER = "whobenefits.forms.FormRenderer"

# Unset DATABASE_URL: an embedded SQLite file under var/ (git-ignored).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'whobenefits.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Django's own backends, plus a stamp each committed write renews (whobenefits/changes.py):
# what lets the review dashboard cache its numbers and never show stale ones.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "whobenefits.backends.")
if DATABASES["default"]["ENGINE"] == "whobenefits.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a second tab write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 10,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory: tests that run a task worker in its own process share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    # A database host that does not answer fails the request in seconds (a 503 page), not
    # after the operating system's TCP timeout, long past gunicorn's worker timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long work (imports) runs in Django's tasks framework, queued in the database itself:
# `manage.py db_worker` runs the queue; any number of workers can share one PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Messages live in the session, behind its HttpOnly cookie, not in a readable cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "roadmap:item-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
# Companies' revenue is in one currency, an ISO 4217 code.
CURRENCY = os.environ.get("CURRENCY", "USD").strip().upper()
if not (len(CURRENCY) == 3 and CURRENCY.isascii() and CURRENCY.isalpha()):
    raise ImproperlyConfigured(f"CURRENCY must be a three-letter code such as USD or EUR, "
                               f"not {CURRENCY!r}.")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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

# Security headers. HTTPS-only settings switch on with DEBUG off, and can be tuned.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 12))
CSRF_COOKIE_HTTPONLY = True
# Plain HTTP is safe only where no one else can connect: production mode answering loopback
# names alone (`make serve`) keeps the HTTPS-only defaults off. A browser sends such a Host
# only to its own machine.
LOOPBACK_ONLY = bool(ALLOWED_HOSTS) and set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}
HTTPS_ONLY = not DEBUG and not LOOPBACK_ONLY
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS_ONLY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS_ONLY)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS_ONLY)
# The preload directive alone enrols nothing (that takes a submission for the apex domain),
# so it is on in production; `check --deploy` asks for it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS_ONLY)
# A load balancer probes over plain HTTP inside the network: answer it, do not redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env_bool("BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For. The client's address (for lockouts
# and the security log) is the one the outermost trusted proxy saw; 0 means REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_HTTPS_PROXY") else 0)
)

# Content security policy: no inline scripts or styles anywhere, htmx included.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# Login throttling (django-axes): 5 failures per account or per address lock for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "audit.security_log.client_address"
# A locked account gets the same page as a wrong password; the security log records it.
AXES_LOCKOUT_CALLABLE = "audit.responses.lockout_response"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "filters": {"database_unavailable": {"()": "whobenefits.errors.DatabaseUnavailableLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "whobenefits.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"filters": ["database_unavailable"]},
    },
}

# Email (a PM's challenges, the team leads' weekly digest), sent by the task worker. The
# console backend prints them in the worker's output until SMTP is set up. Django 6.1's
# MAILERS, read from the environment variables its old EMAIL_* settings had (the README's).
_email_backend = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_smtp_options = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    # No port: 25, or 587 with TLS, 465 with SSL.
    "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS"),
    "use_ssl": env_bool("EMAIL_USE_SSL"),
    "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
}
MAILERS = {"default": {
    "BACKEND": _email_backend,
    # Only the SMTP backend takes them: another refuses options it does not know.
    "OPTIONS": _smtp_options if _email_backend == "django.core.mail.backends.smtp.EmailBackend"
    else {},
}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Who Benefits <whobenefits@localhost>")
# The address people open the app at, for the links in emails (no request to read it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Requests one API token may make (django-ninja's rate format: "600/min", "10/s").
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")

# The audit trail is append-only from the app: no "revert to this version" in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True
