"""The demo's loaders, one module per domain, and the registry that runs them.

``tenants`` works in the public schema: the platform operator and one tenant per demo
supplier. Every module named in ``LOADERS`` has ``load(supplier)`` (``supplier`` is one
of ``demo.suppliers.SUPPLIERS``), is called inside that supplier's schema in the order
listed (later loaders use what earlier ones made) and is idempotent. A new feature adds
its own ``demo/loaders/<domain>.py`` and its name here; ``tests/demo`` fails on a loader
file that is not listed.
"""

from importlib import import_module

from django.db import connection
from django_tenants.utils import tenant_context

LOADERS = ("regions", "staff", "customers", "catalog", "orders", "returns", "finance",
           "quotes", "billing")


def supplier_load(supplier, *, only=None):
    """Run the loaders (or the ones named in ``only``) for ``supplier`` in the current
    schema."""
    for name in LOADERS:
        if only is None or name in only:
            import_module(f"{__name__}.{name}").load(supplier)


def load_all():
    """The whole demo: the operator, then each supplier's tenant and its data."""
    from demo import suppliers
    from demo.loaders import tenants

    connection.set_schema_to_public()
    tenants.operator_load()
    for supplier in suppliers.SUPPLIERS:
        tenant = tenants.load(supplier)
        with tenant_context(tenant):
            supplier_load(supplier)
    from demo.loaders import billing

    billing.past_due_load()
    connection.set_schema_to_public()
    # the console's usage columns, last activity and metrics, counted now rather than at
    # the periodic tasks' first run
    from billing.services import usage_refresh
    from shared.services import platform_metrics_refresh
    from tenants.models import Tenant

    for tenant in Tenant.objects.exclude(schema_name="public").filter(
            slug__in=[supplier["slug"] for supplier in suppliers.SUPPLIERS]
            + [billing.PAST_DUE["slug"]]):
        usage_refresh(tenant=tenant)
    connection.set_schema_to_public()
    platform_metrics_refresh()
