"""Content types for django-guardian, cached for the life of the process.

django-tenants empties Django's ContentType cache on every schema switch, because in
a project that keeps contenttypes in tenant schemas the same model may have another
id per schema. Orderline keeps contenttypes in the public schema only (one table,
one id per model for every tenant: tests/tenants/test_provision.py proves it), so
the cache may live across switches. Without it every scoped request paid two
content-type queries (settings.GUARDIAN_GET_CONTENT_TYPE points here).
"""

from django.contrib.contenttypes.models import ContentType

_CACHE = {}


def get_content_type(obj):
    opts = obj._meta.concrete_model._meta
    key = (opts.app_label, opts.model_name)
    content_type = _CACHE.get(key)
    if content_type is None:
        content_type = ContentType.objects.get_for_model(obj)
        _CACHE[key] = content_type
    return content_type
