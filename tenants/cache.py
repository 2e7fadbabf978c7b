"""Cached tenant resolution: zero queries per warm request.

Entries are keyed by host name in the public key space. ``Tenant.save`` and
``Domain.save``/``delete`` drop them at once *and* again after the surrounding
transaction commits, so a request that read the old row in between cannot keep
a stale entry alive. Production runs a shared cache (Redis), so every process
sees the invalidation.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_tenants.utils import schema_context

# Bump when the cached Tenant's pickled shape changes.
_VERSION = 3
_MISSING = "__unknown_host__"
NEGATIVE_SECONDS = 60


def _key(host):
    return f"tenant-host:v{_VERSION}:{host}"


def get(host):
    with schema_context("public"):
        return cache.get(_key(host))


def put(host, tenant):
    with schema_context("public"):
        if tenant is None:
            cache.set(_key(host), _MISSING, NEGATIVE_SECONDS)
        else:
            cache.set(_key(host), tenant, settings.TENANT_CACHE_SECONDS)


def is_unknown_marker(value):
    return value == _MISSING


def _delete(hosts):
    with schema_context("public"):
        cache.delete_many([_key(host) for host in hosts])


def forget_hosts(hosts):
    hosts = {h for h in hosts if h}
    if not hosts:
        return
    _delete(hosts)
    transaction.on_commit(lambda: _delete(hosts), robust=True)


def forget_host(host):
    forget_hosts({host})


def forget_tenant(tenant):
    hosts = {tenant.host} if tenant.slug else set()
    if tenant.pk:
        hosts.update(tenant.domains.values_list("domain", flat=True))
    if tenant.schema_name == "public":
        hosts.update({settings.BASE_DOMAIN, f"www.{settings.BASE_DOMAIN}"})
    forget_hosts(hosts)


def forget_schema(schema_name):
    """Drop every cache entry in a schema's key space (``django_tenants.cache.make_key``
    puts the schema name first: ``<schema>:<prefix>:<version>:<key>``), for a tenant
    that is deleted. Works on Redis (SCAN, then DELETE) and the local-memory cache;
    returns how many entries went. A cache outage is logged, never raised: the entries
    expire by themselves and the schema name is never reused."""
    import logging

    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself, not the proxy
    prefix = f"{schema_name}:"
    if not schema_name or any(c in schema_name for c in "*?[]\\:"):
        raise ValueError(f"refusing unexpected schema name {schema_name!r}")
    if isinstance(cache, LocMemCache):
        with cache._lock:
            keys = [key for key in cache._cache if key.startswith(prefix)]
            for key in keys:
                cache._cache.pop(key, None)
                cache._expire_info.pop(key, None)
        return len(keys)
    if isinstance(cache, RedisCache):
        try:
            client = cache._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start:start + 500])
            return len(keys)
        except Exception:  # noqa: BLE001 - see the docstring
            logging.getLogger(__name__).warning("could not purge the cache of %s", schema_name,
                                                exc_info=True)
            return 0
    return 0
