"""Operator console benchmark: the platform metrics task at many tenants.

    .venv/bin/python -m bench.ops_metrics --tenants 200
    .venv/bin/python -m bench.ops_metrics --cleanup

Grows the database to ``--tenants`` bench tenants (``bench-met-<n>``, cloned from the
template; kept between runs so the database only grows): one in four is on a paid plan
(CNY or USD, monthly or yearly), one in ten was suspended after its trial, and every
fifth one has ``--orders`` orders spread over the last 60 days. Then prints, each the
median of ``--rounds`` runs:

- the metrics task (``shared.services.platform_metrics_refresh``: every figure and the
  day's row);
- its one read of every tenant schema's orders (``shared.metrics.order_counts``);
- the metrics page as an operator gets it, with its number of queries (which must not
  grow with the tenants).

``--cleanup`` deletes the bench tenants (and today's snapshot) instead.
"""

import datetime
import statistics
import sys
import time

from bench._common import PASSWORD, main

PREFIX = "bench-met-"


def _bench_tenants():
    from tenants.models import Tenant

    return Tenant.objects.filter(slug__startswith=PREFIX)


def _dress(tenant, n, orders):
    """Plan, status and orders for the n-th bench tenant."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from billing import lifecycle
    from billing.enums import EventSource
    from billing.services import plan_assign, subscription_ensure
    from tenants.models import Tenant

    if n % 4 == 0:
        currency = "USD" if n % 8 == 0 else "CNY"
        Tenant.objects.filter(pk=tenant.pk).update(currency=currency)
        tenant.currency = currency
        plan_assign(tenant=tenant, plan_code=("basic", "pro")[n % 3 == 0], status="active",
                    interval="year" if n % 12 == 0 else "month", reason="bench")
    elif n % 10 == 1:
        lifecycle.transition(subscription=subscription_ensure(tenant=tenant), to="suspended",
                             source=EventSource.SYSTEM, reason="bench: trial ended")
    if n % 5 == 0 and orders:
        from ordering.customers.services import customers
        from ordering.orders.models import Order

        now = timezone.now()
        with tenant_context(tenant):
            customer = customers.customer_create(actor=None, name="Bench buyer")
            Order.objects.bulk_create([
                Order(customer=customer, payment_method="transfer", recipient="R", phone="1",
                      address="A", currency=tenant.currency,
                      created_at=now - datetime.timedelta(minutes=(i * 86400) // orders))
                for i in range(orders)], batch_size=1000)


def _grow(target, orders, out):
    from django.db import connection

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    have = _bench_tenants().count()
    started = time.monotonic()
    for n in range(have, target):
        slug = f"{PREFIX}{n:04d}"
        tenant = tenant_provision(name=f"Bench {slug}", slug=slug,
                                  owner_email=f"owner@{slug}.example", owner_password=PASSWORD,
                                  path="clone").tenant
        connection.set_schema_to_public()
        _dress(Tenant.objects.get(pk=tenant.pk), n, orders)
        connection.set_schema_to_public()
    if target > have:
        print(f"created {target - have} bench tenants in {time.monotonic() - started:.1f} s",
              file=out)


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _page(rounds):
    """Median time of the metrics page for an operator, and its number of queries."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    email = "bench-metrics@orderline.example"
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        user = get_user_model().objects.create_user(email=email, password=PASSWORD,
                                                    kind="operator")
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    client.force_login(user, backend="roles.backends.EmailBackend")
    timings, queries = [], 0
    try:
        for _ in range(rounds):
            reset_queries()  # the debug log keeps 9,000 queries: count from empty
            with CaptureQueriesContext(connection) as captured:
                elapsed, response = _timed(client.get, "/ops/metrics/")
            assert response.status_code == 200, response.status_code
            timings.append(elapsed)
            queries = len(captured)
    finally:
        connection.set_schema_to_public()
        user.delete()
    return statistics.median(timings), queries


def run(*, tenants=200, orders=200, rounds=3, cleanup=False, out=sys.stdout):
    from django.db import connection
    from django.utils import timezone

    from shared import metrics
    from shared.models import PlatformMetric
    from shared.services import platform_metrics_refresh
    from tenants import schemas
    from tenants.models import Tenant
    from tenants.services import tenant_delete

    connection.set_schema_to_public()
    if cleanup:
        for tenant in list(_bench_tenants()):
            tenant_delete(tenant=Tenant.objects.get(pk=tenant.pk))
        PlatformMetric.objects.filter(day=timezone.localdate()).delete()
        print("bench tenants deleted", file=out)
        return
    schemas.template_ensure()
    _grow(tenants, orders, out)
    connection.set_schema_to_public()
    names = list(Tenant.objects.exclude(schema_name="public")
                 .values_list("schema_name", flat=True))
    since = timezone.now() - datetime.timedelta(days=metrics.ORDER_DAYS)
    task = statistics.median(_timed(platform_metrics_refresh)[0] for _ in range(rounds))
    read = statistics.median(
        _timed(metrics.order_counts, names, since=since,
               tz_name=timezone.get_current_timezone_name())[0] for _ in range(rounds))
    row = metrics.metrics_latest()
    page, queries = _page(rounds)
    figures = row.payload
    print(f"tenant schemas: {len(names)} ({_bench_tenants().count()} bench tenants, "
          f"{figures['orders_recent']} orders in the last {metrics.ORDER_DAYS} days, "
          f"{figures['active']} active tenants)", file=out)
    print(f"metrics task (platform_metrics_refresh): {task * 1000:.0f} ms, "
          f"{task / len(names) * 1000:.2f} ms per tenant", file=out)
    print(f"  of which the one read of every schema's orders (order_counts): "
          f"{read * 1000:.0f} ms", file=out)
    print(f"metrics page: {page * 1000:.0f} ms, {queries} queries (independent of tenants)",
          file=out)


if __name__ == "__main__":
    main(__doc__, run,
         ("--tenants", {"type": int, "default": 200}),
         ("--orders", {"type": int, "default": 200}),
         ("--rounds", {"type": int, "default": 3}),
         ("--cleanup", {"action": "store_true"}))
