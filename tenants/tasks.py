"""Platform background jobs. Periodic jobs fan out one task per tenant."""

from celery import shared_task
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from tenants import schemas

REFILL_ROUNDS = 5  # fills per run while signups keep taking schemas

@shared_task(name="tenants.tasks.pool_refill_task")
def pool_refill_task():
    """Keep the warm pool at TENANT_POOL_SIZE ready schemas (runs in public).

    One refiller at a time across all workers (an advisory lock); a signup whose refill
    finds the lock taken leaves its schema to the refiller that holds it, so the holder
    looks again after its fill and goes on while schemas were taken meanwhile: a burst
    of signups does not wait for beat's next run. The outcome is recorded for the health
    page (``tenants.selectors.pool_health``).
    """
    connection.set_schema_to_public()
    added = 0
    for _round in range(REFILL_ROUNDS):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext('orderline.pool_refill'))")
            if not cursor.fetchone()[0]:
                return added
        try:
            added += schemas.pool_refill(settings.TENANT_POOL_SIZE)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext('orderline.pool_refill'))")
        if schemas.pool_ready_count() >= settings.TENANT_POOL_SIZE:
            return added
    return added


def active_tenants():
    from tenants.enums import TenantStatus
    from tenants.models import Tenant

    return Tenant.objects.exclude(schema_name="public").filter(
        status__in=[TenantStatus.TRIAL, TenantStatus.ACTIVE, TenantStatus.PAST_DUE]
    )


def fan_out(task, *args, **kwargs):
    """Send ``task`` once per active tenant, each running in that tenant's schema."""
    sent = 0
    for tenant in active_tenants():
        with tenant_context(tenant):
            task.delay(*args, **kwargs)
        sent += 1
    connection.set_schema_to_public()
    return sent


@shared_task(name="tenants.tasks.fan_out_task")
def fan_out_task(task_name, *args, **kwargs):
    """Beat entry point: ``fan_out_task.delay("app.tasks.x_task")`` runs x in every tenant."""
    from celery import current_app

    return fan_out(current_app.tasks[task_name], *args, **kwargs)


@shared_task(name="tenants.tasks.schema_probe_task")
def schema_probe_task():
    """Report the schema a task runs in (used by health checks and tests)."""
    return connection.schema_name
