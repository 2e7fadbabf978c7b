"""Orderline settings: one module driven by environment variables.

`test.py` and `production.py` hold the small overrides for those settings.
"""

import os
import re
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    # Written by scripts/services.py when it had to start a private PostgreSQL.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="orderline-dev-only-not-secret")
DEBUG = env.bool("DEBUG", default=False)

# <slug>.<BASE_DOMAIN> is a tenant; BASE_DOMAIN and www.<BASE_DOMAIN> the public site.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost").lower()
# Suppliers' custom domains (operators add them on the console) are only known to the
# database, so the host check is the tenant middleware's: BASE_DOMAIN, its subdomains
# and the domain rows are served, any other host gets the "no such site" page (404)
# before anything reads it. It is the first middleware after static files.
ALLOWED_HOSTS = ["*"]
# Never trust a proxy's X-Forwarded-Host to pick the tenant unless told to.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/orderline"),
}
# django-tenants' backend with a Citus-safe schema editor (core/db/backend/schema.py).
DATABASES["default"]["ENGINE"] = "core.db.backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection is checked before a request uses it: after a PostgreSQL restart
# only the requests in flight fail, the next ones reconnect.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- tenancy -----------------------------------------------------------------
TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
# The template schema that new tenants are cloned from (see tenants/schemas.py).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_POOL_SIZE = env.int("TENANT_POOL_SIZE", default=3)
# migrate_all migrates the schemas that lag in parallel, one forked worker per core
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATE_PROCESSES",
                                               default=os.cpu_count() or 2)
# Called inside a new tenant's schema by tenants.services.tenant_provision, whichever
# path made the schema (pool, clone, migrate): the business defaults a new site starts
# with (keyword arguments: tenant, language, currency).
TENANT_PROVISION_DEFAULTS = ["ordering.orders.services.defaults.order_defaults_create"]
# Set the search_path once per schema switch instead of before every query.
# Safe since django-tenants 4.0.1 forgets it on (savepoint) rollback:
# tests/tenants/test_search_path.py proves it (django-tenants issue 1262).
TENANT_LIMIT_SET_CALLS = True

SHARED_APPS = [
    "django_tenants",
    "core",
    "tenants",
    "shared",
    "billing",  # plans, subscriptions, Stripe events (public schema)
    # contenttypes lives in the public schema only, so a content type has the
    # same id in every tenant schema (the ContentType cache is process-global).
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "guardian",
    # operators' two-factor sign-in (authenticator apps and backup codes): public only
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "roles",  # the user model: operators in public, staff and dealers per tenant
    "frontend",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
]
TENANT_APPS = [
    "django.contrib.auth",
    "django.contrib.sessions",
    "guardian",  # also in SHARED_APPS: public users cascade into its (empty) tables
    "axes",
    "roles",
    "ordering.customers",
    "ordering.catalog",
    "ordering.orders",
    "ordering.notifications",
    "ordering.settings",  # the business settings: one row per tenant schema
    "ordering.spreadsheets",  # import jobs and their row errors
    "ordering.finance",  # ledger, credit, payments
    "ordering.quotes",  # inquiries and quotations (询价 / 报价)
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "frontend.common.middleware.RejectNulBytesMiddleware",
    "frontend.common.middleware.StripControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shared.middleware.OperatorOTPMiddleware",
    "frontend.common.middleware.UserLanguageMiddleware",
    "frontend.common.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shared.middleware.ImpersonationMiddleware",  # an operator's support session
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "billing.middleware.EntitlementMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.common.context_processors.site",
            ],
            "builtins": ["frontend.common.templatetags.money"],
            # the template tags live with the surfaces' shared code, not in an app folder
            "libraries": {name: f"frontend.common.templatetags.{name}"
                          for name in ("money", "notifications", "shop_cart", "ui")},
        },
    }
]
WSGI_APPLICATION = "config.wsgi.application"

# --- identity ----------------------------------------------------------------
AUTH_USER_MODEL = "roles.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "roles.backends.EmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# E-mail is unique case-insensitively per schema (a functional UniqueConstraint on
# Lower("email")), which the auth check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
PASSWORD_HASHERS = [
    "roles.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "roles.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Operators' authenticator apps show this name; a wrong code slows the next tries down.
OTP_TOTP_ISSUER = "Orderline"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Sessions and CSRF cookies are host-only: a tenant's cookie never reaches another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Signup hands the owner over to the new subdomain with a one-time link valid this long.
SIGNUP_LOGIN_LINK_MAX_AGE = 120

# django-axes: per tenant schema, since its tables live in each schema.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "auth/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "roles.backends.login_identifier"
AXES_CLIENT_IP_CALLABLE = "roles.backends.client_ip"
# How many reverse proxies (nginx, a load balancer) stand in front of the app; their
# X-Forwarded-For entries decide the client IP for lockouts and the login log.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-guardian: no anonymous user row (our user model logs in by e-mail).
ANONYMOUS_USER_NAME = None
GUARDIAN_RENDER_403 = True
# contenttypes live in the public schema only: their ids hold across tenants.
GUARDIAN_GET_CONTENT_TYPE = "roles.contenttypes.get_content_type"

# --- i18n --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package.json + package-lock.json).
STATICFILES_DIRS = [
    BASE_DIR / "frontend" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    # the loader of Stripe.js (an ES module; it adds Stripe's own script from js.stripe.com)
    ("vendor/stripe-js", NODE_MODULES / "@stripe" / "stripe-js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "tenants.storage.TenantMediaStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# --- cache: every key goes through django-tenants' make_key ---------------------
REDIS_URL = env("REDIS_URL", default="")


def _cache_db_url(broker_url):
    """The broker's Redis URL with the next database number: redis://h:6379/0 -> /1."""
    match = re.search(r"/(\d+)$", broker_url)
    if match:
        return broker_url[: match.start()] + f"/{int(match.group(1)) + 1}"
    return broker_url.rstrip("/") + "/1"


# The cache gets its own Redis database: clearing it must never drop queued tasks.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="") or (
    _cache_db_url(REDIS_URL) if REDIS_URL else "")
# A cache outage only makes pages slower: core.cache.FailSoftRedisCache logs Redis
# errors and answers as a miss (the database answers instead), gives up on a dead Redis
# within these timeouts and then skips it for DOWN_SECONDS.
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
    "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": "orderline",
            "OPTIONS": REDIS_CACHE_OPTIONS,
            "DOWN_SECONDS": 5,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
TENANT_CACHE_SECONDS = 300

# --- background work -------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without Redis, tasks run inline (eager) so the site still works.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed in the middle of a task leaves it in the queue to be run again:
# every task is idempotent (tests/faults/test_idempotent_tasks.py).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A dead broker costs a request about a second, not minutes: the task stays in the
# outbox (core.background) and the beat's outbox_dispatch_task sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5,
                                   "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0,
                                    "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "orderline"
CELERY_BEAT_SCHEDULE = {
    # tasks the broker could not take when they were queued
    "core-outbox-dispatch": {"task": "core.tasks.outbox_dispatch_task", "schedule": 60.0},
    "tenant-pool-refill": {"task": "tenants.tasks.pool_refill_task", "schedule": 60.0},
    # every hour, in every tenant: confirm receipt of orders shipped N days ago
    "orders-receipt-confirm": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                               "args": ["ordering.orders.tasks.receipt_confirm_overdue_task"]},
    # every day, in every tenant: each account's balance equals the sum of its entries
    "finance-ledger-check": {"task": "tenants.tasks.fan_out_task", "schedule": 86400.0,
                             "args": ["ordering.finance.tasks.ledger_check_task"]},
    # every hour, in every tenant that asks for it: customers owing past a due date go
    # on credit hold, and come off it when nothing is overdue
    "finance-overdue-holds": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                              "args": ["ordering.finance.tasks.overdue_holds_task"]},
    # every hour, in every tenant: quotations past their validity date expire
    "quotes-expire": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                      "args": ["ordering.quotes.tasks.quotations_expire_task"]},
    # every hour, in every tenant: dealers reminded two days before a quotation's last
    # valid day (once per quotation version)
    "quotes-remind": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                      "args": ["ordering.quotes.tasks.quotation_reminders_task"]},
    # every day, in every tenant: forget old spreadsheet import jobs and their files
    "spreadsheets-jobs-purge": {"task": "tenants.tasks.fan_out_task", "schedule": 86400.0,
                                "args": ["ordering.spreadsheets.tasks.import_jobs_purge_task"]},
    # billing, in public: subscriptions compared with Stripe; trial reminders and expiry
    "billing-reconcile": {"task": "billing.tasks.reconcile_task", "schedule": 3600.0},
    "billing-trial-reminders": {"task": "billing.tasks.trial_reminders_task",
                                "schedule": 3600.0},
    # every hour, in every tenant: usage counted for the billing page's bars
    "billing-usage-refresh": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                              "args": ["billing.tasks.usage_refresh_task"]},
    # every 10 minutes, in public: support sessions whose time ran out are closed
    "shared-impersonations-expire": {"task": "shared.tasks.impersonations_expire_task",
                                     "schedule": 600.0},
    # every hour, in public: tenant export files past their time are removed
    "shared-tenant-exports-purge": {"task": "shared.tasks.tenant_exports_purge_task",
                                    "schedule": 3600.0},
    # every hour, in public: the platform metrics' snapshot of the day for the console
    # (one read of every tenant schema's orders per run, never per page view)
    "shared-platform-metrics": {"task": "shared.tasks.platform_metrics_task",
                                "schedule": 3600.0},
}
IMPORT_JOBS_KEEP_DAYS = env.int("IMPORT_JOBS_KEEP_DAYS", default=7)

# --- e-mail ------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Orderline <no-reply@orderline.local>")

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "roles.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view declares `permission`; roles.has_perm decides (undeclared: denied).
    "DEFAULT_PERMISSION_CLASSES": ["roles.api.permissions.HasPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Orderline API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "core.api_schema.add_error_responses"],
    # a choice set whose field name another app uses for different choices
    "ENUM_NAME_OVERRIDES": {
        "RecordedPaymentMethodEnum": "ordering.finance.api.serializers.RECORDED_METHODS",
    },
}

# --- payments (the billing issue builds on these) ------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Dealers' online payments go to the suppliers' own Stripe accounts (Stripe Connect, with
# the keys above); the Connect endpoint has its own signing secret.
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")

TRIAL_DAYS = env.int("TRIAL_DAYS", default=14)
# Support sessions: the console's link to a tenant works once within this many seconds;
# the session it opens ends by itself after this many minutes.
IMPERSONATION_LINK_SECONDS = env.int("IMPERSONATION_LINK_SECONDS", default=60)
IMPERSONATION_MINUTES = env.int("IMPERSONATION_MINUTES", default=30)
# A canceled tenant's data is kept this long; then operators may delete it.
TENANT_RETENTION_DAYS = env.int("TENANT_RETENTION_DAYS", default=90)
# Tenant exports (shared.exports): a private directory, never under MEDIA_ROOT or
# STATIC_ROOT; a download link is valid this long; the file is removed after this long.
TENANT_EXPORT_ROOT = Path(env("TENANT_EXPORT_ROOT", default=str(BASE_DIR / ".data" / "exports")))
TENANT_EXPORT_LINK_SECONDS = env.int("TENANT_EXPORT_LINK_SECONDS", default=24 * 60 * 60)
TENANT_EXPORT_KEEP_HOURS = env.int("TENANT_EXPORT_KEEP_HOURS", default=72)
SIGNUPS_PER_IP_PER_HOUR = env.int("SIGNUPS_PER_IP_PER_HOUR", default=10)
# "E-mail me my sites" on the signup page: per address and hour (per client: 3×).
SITES_REMINDERS_PER_HOUR = env.int("SITES_REMINDERS_PER_HOUR", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
