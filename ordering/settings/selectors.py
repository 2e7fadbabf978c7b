"""Reading the business settings: at most one query per request, none when warm.

``tenant_settings()`` answers from a memo on the request's tenant object (the
middleware hands every request its own copy), then from the Django cache (its keys
are per schema), then from the database, creating the row if a schema lacks it.
``services.settings_update`` forgets the cached row at once and again after commit;
a per-process generation number makes every memo taken before a write stale.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from ordering.settings.models import SINGLETON_ID, TenantSettings

CACHE_KEY = "tenant-settings:v2"  # per schema: the cache's key function adds it
_MEMO = "_tenant_settings_memo"
_generation = 0


def tenant_settings():
    """The current schema's business settings (read-only: change them with
    ``services.settings_update``). The public schema has none: it gets the defaults."""
    schema = connection.schema_name
    if schema == "public":
        return TenantSettings()
    tenant = getattr(connection, "tenant", None)
    memo = getattr(tenant, _MEMO, None)
    if memo is not None and memo[:2] == (schema, _generation):
        return memo[2]
    generation = _generation
    row = cache.get(CACHE_KEY)
    if row is None:
        row, _created = TenantSettings.objects.get_or_create(pk=SINGLETON_ID)
        cache.set(CACHE_KEY, row, settings.TENANT_CACHE_SECONDS)
    if tenant is not None:
        setattr(tenant, _MEMO, (schema, generation, row))
    return row


def tenant_settings_forget(schema_name=None):
    """Drop the cached row of ``schema_name`` (default: the current schema) and every
    memo in this process."""
    global _generation
    _generation += 1
    schema_name = schema_name or connection.schema_name
    if schema_name != "public":
        with schema_context(schema_name):
            cache.delete(CACHE_KEY)
