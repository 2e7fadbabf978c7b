"""Test overrides: real PostgreSQL, eager Celery unless a test starts a worker."""

from .base import *  # noqa: F401,F403
from .base import env

# The demo data app: development and tests only, never in production.
SHARED_APPS = [*SHARED_APPS, "demo"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    }
}
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
TENANT_POOL_SIZE = 1
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"  # noqa: F405
TENANT_EXPORT_ROOT = BASE_DIR / ".data" / "test-exports"  # noqa: F405
# Separate names let two suites run side by side (e.g. a CI run and a local run).
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_orderline")}  # noqa: F405
