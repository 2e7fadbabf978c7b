"""Customer benchmark: list, detail, export and import on a tenant with many customers.

    .venv/bin/python -m bench.customers --customers 2000

Provisions a throwaway tenant, loads ``--customers`` customers (three levels, two
provinces with cities, a sales rep owning a fifth of them, a regional manager of one
province), then prints median milliseconds and query counts of the customer list
(page and API) for an administrator, a sales rep and a regional manager, of a
customer's detail, of a full CSV export, and the import check's rows per second.
Deletes the tenant afterwards.
"""

import statistics
import sys
import time

from django.db import connection

from bench._common import main, throwaway_tenant


def _load(count):
    from guardian.shortcuts import assign_perm

    from ordering.customers.services import customers as services
    from roles.models import Role
    from roles.services import user_create
    from roles.services.regions import region_create

    provinces = [region_create(actor=None, name=name) for name in ("Guangdong", "Zhejiang")]
    cities = [region_create(actor=None, name=f"{p.name} City {i}", parent=p)
              for p in provinces for i in range(4)]
    levels = [services.level_create(actor=None, name=name, price_percent=percent)
              for name, percent in (("L1", 82), ("L2", 90), ("Retail", 100))]
    rep = user_create(email="rep@bench.example", password="Bench-pass-2026!", name="Rep")
    rep.groups.add(Role.objects.get(key="sales_rep").group)
    manager = user_create(email="manager@bench.example", password="Bench-pass-2026!",
                          name="Manager")
    manager.groups.add(Role.objects.get(key="regional_manager").group)
    assign_perm("roles.work_in_region", manager, provinces[0])
    started = time.perf_counter()
    for n in range(count):
        services.customer_create(actor=None, name=f"Bench Dealer {n:05d}",
                                 region=cities[n % len(cities)], level=levels[n % 3],
                                 sales_rep=rep if n % 5 == 0 else None,
                                 tags=["vip"] if n % 7 == 0 else [],
                                 contact={"name": f"Contact {n}", "phone": f"139{n:08d}"})
    per_customer = (time.perf_counter() - started) * 1000 / max(count, 1)
    return rep, manager, per_customer


def _measure(client, path, rounds):
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm
    times, queries = [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def run(*, customers=2000, rounds=5, out=sys.stdout):
    from django.test import Client
    from django_tenants.utils import tenant_context


    with throwaway_tenant("Bench customers", "bench-c") as provisioned:
        tenant = provisioned.tenant
        slug = tenant.slug
        with tenant_context(tenant):
            rep, manager, per_customer = _load(customers)
            owner = provisioned.owner
            detail_pk = __import__("ordering.customers.models", fromlist=["Customer"]) \
                .Customer.objects.order_by("pk").values_list("pk", flat=True).first()
        out.write(f"{customers} customers loaded through the service: "
                  f"{per_customer:.1f} ms each\n")
        host = f"{slug}.{__import__('django.conf').conf.settings.BASE_DOMAIN}"
        for label, user in (("administrator", owner), ("sales rep", rep),
                            ("regional manager", manager)):
            client = Client(HTTP_HOST=host)
            with tenant_context(tenant):
                client.force_login(user, backend="roles.backends.EmailBackend")
            for surface, path in (("page", "/dashboard/customers/"),
                                  ("API ", "/api/v1/customers/")):
                ms, queries = _measure(client, path, rounds)
                out.write(f"list {surface} {label:17s} {ms:7.1f} ms  {queries:2d} queries\n")
            connection.set_schema_to_public()
        client = Client(HTTP_HOST=host)
        with tenant_context(tenant):
            client.force_login(owner, backend="roles.backends.EmailBackend")
        ms, queries = _measure(client, f"/dashboard/customers/{detail_pk}/", rounds)
        out.write(f"detail page               {ms:7.1f} ms  {queries:2d} queries\n")
        ms, queries = _measure(client, "/dashboard/customers/export/?kind=customers&format=csv",
                               max(1, rounds // 2))
        out.write(f"export CSV ({customers} rows)  {ms:7.1f} ms  {queries:2d} queries "
                  f"({customers / ms * 1000:.0f} rows/s)\n")
        with tenant_context(tenant):
            from ordering.customers.services.imports import import_file

            rows = min(500, customers)
            lines = ["Customer code,Company name,Phone"] + [
                f"NEW{n:05d},Imported Dealer {n},0{n:09d}" for n in range(rows)]
            started = time.perf_counter()
            result = import_file(actor=owner, kind="customers",
                                 content="\n".join(lines).encode(), extension="csv",
                                 dry_run=True)
            elapsed = time.perf_counter() - started
            assert result.ok, result.errors[:3]
        out.write(f"import check ({rows} new rows)  {elapsed * 1000:7.1f} ms "
                  f"({rows / elapsed:.0f} rows/s)\n")

if __name__ == "__main__":
    main(__doc__, run,
         ("--customers", {"type": int, "default": 2000}),
         ("--rounds", {"type": int, "default": 5}))
