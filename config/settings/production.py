from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
CONN_MAX_AGE = 60
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

# Tenant resolution is cached: every process must share one cache (and a broker),
# or a suspended tenant stays open in the processes that did not see the change.
if not env("REDIS_URL", default=""):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Production needs REDIS_URL (shared cache and Celery broker).")
