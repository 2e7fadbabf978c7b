"""Cached tenant resolution: zero queries per warm request.

Entries are keyed by host name in the public key space and dropped whenever a
domain or a tenant changes (``Tenant.save`` / ``Domain.save`` call ``forget_*``).
"""

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

_MISSING = "__none__"


def _key(host):
    return f"tenant-host:{host}"


def get(host):
    """The cached tenant for host, ``None`` when unknown, or ``_MISSING``-free miss marker."""
    with schema_context("public"):
        return cache.get(_key(host))


def put(host, tenant):
    with schema_context("public"):
        cache.set(_key(host), tenant if tenant is not None else _MISSING,
                  settings.TENANT_CACHE_SECONDS)


def is_unknown_marker(value):
    return value == _MISSING


def forget_host(host):
    with schema_context("public"):
        cache.delete(_key(host))


def forget_tenant(tenant):
    hosts = {tenant.host} if tenant.slug else set()
    if tenant.pk:
        hosts.update(tenant.domains.values_list("domain", flat=True))
    if tenant.schema_name == "public":
        hosts.update({settings.BASE_DOMAIN, f"www.{settings.BASE_DOMAIN}"})
    for host in hosts:
        forget_host(host)
