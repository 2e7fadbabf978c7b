"""List pages at a real supplier's volume: every staff and dealer list (page and API) on a
tenant with ``--orders`` orders (issue 10, item 19).

    .venv/bin/python -m bench.order_lists --orders 100000

Provisions a throwaway tenant and bulk-loads it in SQL (``INSERT … SELECT`` over
``generate_series``, each table cloned from one row made through the ORM so that every
column has its real default): 2,000 customers (one big dealer with a tenth of the
orders, a sales rep owning a tenth of the customers), 2,000 products with three variants
each, ``--orders`` orders over a year with one to five lines each, a message on every
fifth order, a shipment with a line on every shipped order, a return on every hundredth,
notifications, stock movements (a fifth on one variant's ledger), audit and login log
rows. Then, for each list page and API list, prints the median over ``--rounds`` runs
of the time spent in the database (the sum of the request's queries) and end to end
through the Django test client, the number of queries, and the query plan of the
page's slowest query (``EXPLAIN ANALYZE``). Deletes the tenant at the end. Nothing is
asserted: this is the measurement (the budget is 100 ms at the database per page).
"""

import os
import statistics
import sys
import time

from bench._common import main, throwaway_tenant

CUSTOMERS = 2000
PRODUCTS = 2000
VARIANTS_PER_PRODUCT = 3


def _columns(model, overrides):
    """The model's concrete columns but the key, each with its SQL expression: the
    template row's value (``t.col``) unless overridden."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(f'"{field.column}"')
        values.append(overrides.get(field.column, f't."{field.column}"'))
    return ", ".join(names), ", ".join(values)


def _clone(cursor, model, template_pk, source, overrides, *, where="", params=(),
           where_params=()):
    """``INSERT INTO model SELECT …`` one row per row of ``source`` (SQL naming the rows
    it produces), copied from the template row ``t`` with ``overrides`` (SQL with
    ``%%`` for a percent sign; ``params`` fill the ``%s`` of the overrides and the
    source, ``where_params`` those of ``where``). Returns the number of rows written."""
    table = model._meta.db_table
    names, values = _columns(model, overrides)
    cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {values} FROM {source}, '
                   f'"{table}" t WHERE t.id = %s {where}', [*params, template_pk, *where_params])
    return cursor.rowcount


def _load(orders, owner, out):
    from django.db import connection
    from django.utils import timezone

    from ordering.catalog.models import Product, StockMovement, Variant
    from ordering.catalog.services.products import unit_get_or_create
    from ordering.customers.models import Customer
    from ordering.customers.services import logins
    from ordering.notifications.models import Notification
    from ordering.orders.models import (Order, OrderLine, OrderMessage, OrderThreadRead,
                                        ReturnRequest, Shipment, ShipmentLine)
    from roles.models import AuditLog, LoginLog, Role
    from roles.services import user_create

    started = time.perf_counter()
    rep = user_create(email="rep@bench.example", password="Bench-pass-2026!", name="Rep")
    rep.groups.add(Role.objects.get(key="sales_rep").group)
    unit = unit_get_or_create("piece")
    customer = Customer.objects.create(code="BIG", name="Big Dealer", status="active")
    dealer = logins.login_create(actor=None, customer=customer, email="dealer@bench.example",
                                 password="Bench-pass-2026!", site_url="http://bench.localhost")
    dealer.user.must_change_password = False  # as after the first sign-in
    dealer.user.save(update_fields=["must_change_password"])
    product = Product.objects.create(name="Bench product", code="P0", unit=unit)
    variant = Variant.objects.create(product=product, code="TEMPLATE", list_price="12.50",
                                     on_hand=1000)
    order = Order.objects.create(customer=customer, login=dealer, placed_by=dealer.user,
                                 payment_method="transfer", recipient="Receiver",
                                 phone="13800000000", address="1 Bench Road", currency="CNY",
                                 number="T0", subtotal="100.00", total="100.00")
    line = OrderLine.objects.create(order=order, variant=variant, product_name="Bench product",
                                    sku_code="P0-1", unit_name="piece", base_unit_name="piece",
                                    quantity=2, base_quantity=2, unit_price="12.50",
                                    list_price="12.50", line_total="25.00")
    message = OrderMessage.objects.create(order=order, author=dealer.user, from_dealer=True,
                                          body="When will it ship?")
    shipment = Shipment.objects.create(order=order, carrier_name="SF", tracking_number="SF1",
                                       shipped_on=timezone.localdate())
    ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=1)
    returned = ReturnRequest.objects.create(number="R0", order=order, customer=customer,
                                            reason="Broken", requested_by=dealer.user)
    note = Notification.objects.create(recipient=owner, key="t", kind="order", title="Order",
                                       body="An order", link="/dashboard/orders/",
                                       subject=f"order:{order.pk}")
    movement = StockMovement.objects.create(variant=variant, kind="receipt", on_hand_change=1,
                                            on_hand_after=1, reserved_after=0)
    audit = AuditLog.objects.create(actor=owner, actor_label=owner.email,
                                    action="customer.update", object_type="customer",
                                    object_id="1", object_repr="Big Dealer")
    login_log = LoginLog.objects.create(user=owner, identifier=owner.email, success=True,
                                        ip_address="127.0.0.1")
    with connection.cursor() as cursor:
        _clone(cursor, Customer, customer.pk, "generate_series(1, %s) g", {
            "code": "'C' || g", "name": "'Dealer ' || lpad(g::text, 5, '0')",
            "created_at": "now() - g * interval '1 hour'"}, params=[CUSTOMERS - 1])
        _clone(cursor, Product, product.pk, "generate_series(1, %s) g", {
            "code": "'P' || g", "name": "'Product ' || lpad(g::text, 5, '0')",
            "position": "g", "created_at": "now() - g * interval '1 hour'"},
            params=[PRODUCTS - 1])
        _clone(cursor, Variant, variant.pk,
               f'"{Product._meta.db_table}" p, generate_series(1, {VARIANTS_PER_PRODUCT}) g', {
                   "product_id": "p.id", "code": "p.code || '-' || g",
                   "list_price": "10 + (p.id * 7 + g) %% 90",
                   "on_hand": "(p.id * 13 + g) %% 400", "position": "g"})
        cursor.execute(f'SELECT array_agg(id ORDER BY id) FROM "{Variant._meta.db_table}" '
                       f'WHERE id <> %s', [variant.pk])
        variant_ids = cursor.fetchone()[0]
        cursor.execute(f'SELECT array_agg(id ORDER BY id) FROM "{Customer._meta.db_table}"')
        customer_ids = cursor.fetchone()[0]
        # orders over a year, every tenth the big dealer's; the newest still in review
        statuses = ("(ARRAY['completed','completed','completed','receipt','shipping',"
                    "'order_review','cancelled','completed'])[1 + g %% 8]")
        _clone(cursor, Order, order.pk, "generate_series(1, %s) g", {
            "number": "'B' || lpad(g::text, 8, '0')",
            "customer_id": f"CASE WHEN g %% 10 = 0 THEN {customer.pk} "
                           f"ELSE (%s::int[])[1 + g %% {len(customer_ids)}] END",
            "status": f"CASE WHEN g < 200 THEN 'order_review' ELSE {statuses} END",
            "fulfilment_status": "CASE WHEN g >= 200 AND g %% 8 IN (0, 1, 2, 3, 7) "
                                 "THEN 'received' ELSE 'unshipped' END",
            "subtotal": "(g * 37 %% 100000) / 10.0", "total": "(g * 37 %% 100000) / 10.0 + 8",
            "created_at": "now() - g * interval '5 minutes'",
            "updated_at": "now() - g * interval '5 minutes'"},
            params=[customer_ids, orders - 1])
        orders_table = f'"{Order._meta.db_table}"'
        lines = 1 + _clone(cursor, OrderLine, line.pk, f"{orders_table} o, generate_series(1, 5) g", {
            "order_id": "o.id", "position": "g",
            "variant_id": f"(%s::int[])[1 + (o.id * 7 + g) %% {len(variant_ids)}]",
            "sku_code": "'P' || ((o.id * 7 + g) %% 1000) || '-1'",
            "quantity": "1 + g", "base_quantity": "1 + g", "line_total": "12.50 * (1 + g)",
            "shipped_quantity": "CASE WHEN o.fulfilment_status = 'received' THEN 1 + g "
                                "ELSE 0 END"},
            where="AND o.id <> %s AND g <= 1 + o.id %% 5", params=[variant_ids],
            where_params=[order.pk])
        messages = 1 + _clone(cursor, OrderMessage, message.pk, f"{orders_table} o", {
            "order_id": "o.id", "from_dealer": "o.id %% 2 = 0",
            "created_at": "o.created_at + interval '1 hour'",
            "author_id": f"CASE WHEN o.id %% 2 = 0 THEN {dealer.user_id} ELSE {owner.pk} END"},
            where="AND o.id %% 5 = 0 AND o.id <> %s", where_params=[order.pk])
        # the owner has read a tenth of the threads
        cursor.execute(
            f'INSERT INTO "{OrderThreadRead._meta.db_table}" (order_id, user_id, read_at) '
            f"SELECT id, %s, created_at + interval '2 hours' FROM {orders_table} "
            f"WHERE id %% 10 = 0", [owner.pk])
        shipments = 1 + _clone(cursor, Shipment, shipment.pk, f"{orders_table} o", {
            "order_id": "o.id", "tracking_number": "'SF' || o.id",
            "created_at": "o.created_at + interval '1 day'"},
            where="AND o.fulfilment_status = 'received' AND o.id <> %s",
            where_params=[order.pk])
        cursor.execute(
            f'INSERT INTO "{ShipmentLine._meta.db_table}" (shipment_id, order_line_id, quantity) '
            f'SELECT s.id, l.id, l.shipped_quantity FROM "{Shipment._meta.db_table}" s '
            f'JOIN "{OrderLine._meta.db_table}" l ON l.order_id = s.order_id '
            f'WHERE s.id <> %s AND l.shipped_quantity > 0', [shipment.pk])
        returns = 1 + _clone(cursor, ReturnRequest, returned.pk, f"{orders_table} o", {
            "order_id": "o.id", "customer_id": "o.customer_id", "number": "'R' || o.id",
            "status": "(ARRAY['requested','approved','completed','rejected'])[1 + o.id %% 4]",
            "created_at": "o.created_at + interval '3 days'"},
            where="AND o.fulfilment_status = 'received' AND o.id %% 100 = 0")
        notes = 1 + _clone(cursor, Notification, note.pk, f"{orders_table} o", {
            "subject": "'order:' || o.id", "key": "'order:' || o.id",
            "read_at": "CASE WHEN o.id %% 3 = 0 THEN NULL ELSE o.created_at END",
            "created_at": "o.created_at"}, where="AND o.id %% 2 = 0 AND o.id <> %s",
            where_params=[order.pk])
        # stock movements: a fifth of them on one variant's ledger
        _clone(cursor, StockMovement, movement.pk, "generate_series(1, %s) g", {
            "variant_id": f"CASE WHEN g %% 5 = 0 THEN {variant_ids[0]} "
                          f"ELSE (%s::int[])[1 + g %% {len(variant_ids)}] END",
            "on_hand_after": "g %% 500", "created_at": "now() - g * interval '3 minutes'"},
            params=[variant_ids, orders])
        for model, template, count in ((AuditLog, audit, orders), (LoginLog, login_log,
                                                                  orders // 2)):
            overrides = {"created_at": "now() - g * interval '4 minutes'"}
            if model is AuditLog:
                overrides.update(object_id="g::text", object_repr="'Dealer ' || g")
            else:
                overrides.update(identifier="'user' || (g %% 50) || '@bench.example'",
                                 success="g %% 7 <> 0")
            _clone(cursor, model, template.pk, "generate_series(1, %s) g", overrides,
                   params=[count])
        # the templates point at the first variant, which the catalog keeps
        cursor.execute(f'UPDATE "{OrderLine._meta.db_table}" SET variant_id = %s '
                       f'WHERE variant_id = %s', [variant_ids[0], variant.pk])
        cursor.execute(f'UPDATE "{StockMovement._meta.db_table}" SET variant_id = %s '
                       f'WHERE variant_id = %s', [variant_ids[0], variant.pk])
        # as autovacuum leaves tables this size (visibility map set, statistics fresh)
        for model in (Customer, Product, Variant, Order, OrderLine, OrderMessage,
                      OrderThreadRead, Shipment, ShipmentLine, ReturnRequest, Notification,
                      StockMovement, AuditLog, LoginLog):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    # the sales rep's customers (a tenth), through guardian as the customer form does
    from guardian.shortcuts import assign_perm

    assign_perm("customers.work_with_customer", rep,
                Customer.objects.filter(pk__in=customer_ids[::10]))
    out.write(f"loaded in {time.perf_counter() - started:.0f} s: {CUSTOMERS} customers, "
              f"{PRODUCTS} products × {VARIANTS_PER_PRODUCT} variants, {orders} orders "
              f"({orders // 10} of one dealer), {lines} lines, {messages} messages, "
              f"{shipments} shipments, {returns} returns, {notes} notifications, "
              f"{orders} stock movements, {orders} audit and {orders // 2} login rows\n")
    return rep, dealer.user, variant_ids[0]


def _explain(sql, rounds=3):
    """The plan of ``sql`` as executed (``EXPLAIN ANALYZE``) and the median of its
    execution times over ``rounds`` runs, in ms."""
    from django.db import connection

    times, plan = [], []
    for _ in range(rounds):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        times.append(float(plan[-1].split(":")[1].split()[0]))  # "Execution Time: x ms"
    return statistics.median(times), plan


def _measure(client, path, rounds, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    client.get(path)  # warm
    totals, database, queries, slowest = [], [], 0, None
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            totals.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries = len(captured)
        reads = [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        if os.environ.get("BENCH_QUERIES"):  # each query's time, to see where it goes
            sys.stdout.write("".join(f"    {float(q['time']) * 1000:6.1f} {q['sql'][:150]}\n"
                                     for q in captured.captured_queries))
        slowest = max(reads, key=lambda q: float(q["time"]))["sql"]
    with tenant_context(tenant):
        main_ms, plan = _explain(slowest)
    return statistics.median(database), main_ms, statistics.median(totals), queries, plan


def run(*, orders=100000, rounds=5, plans=True, only="", out=sys.stdout):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import tenant_context


    with throwaway_tenant("Bench lists", "bench-l") as provisioned:
        tenant = provisioned.tenant
        slug = tenant.slug
        with tenant_context(tenant):
            rep, dealer, variant_id = _load(orders, provisioned.owner, out)
        host = f"{slug}.{settings.BASE_DOMAIN}"
        pages = {
            "owner": (provisioned.owner, [
                "/dashboard/orders/", "/dashboard/orders/?status=open",
                "/dashboard/orders/?sort=total", "/dashboard/orders/?status=completed&page=20",
                "/dashboard/orders/?q=Big+Dealer", "/api/v1/orders/",
                "/api/v1/orders/?sort=old", "/dashboard/customers/", "/api/v1/customers/",
                "/dashboard/catalog/products/", "/api/v1/products/", "/dashboard/catalog/stock/",
                f"/dashboard/catalog/stock/{variant_id}/",
                f"/api/v1/variants/{variant_id}/stock-movements/", "/dashboard/returns/",
                "/api/v1/returns/", "/dashboard/audit/", "/api/v1/audit-log/",
                "/dashboard/audit/logins/", "/api/v1/login-log/", "/dashboard/notifications/"]),
            "sales rep": (rep, ["/dashboard/orders/", "/api/v1/orders/",
                                "/dashboard/customers/"]),
            "dealer": (dealer, ["/shop/orders/", "/api/v1/my/orders/", "/shop/returns/",
                                "/api/v1/my/returns/"]),
        }
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        out.write(f"median of {rounds} runs; db ms: the request's queries as Django timed them; "
                  f"main ms: EXPLAIN ANALYZE of its slowest query; load average {load}\n")
        out.write(f"{'who':9s} {'page':50s} {'db ms':>7s} {'main ms':>8s} {'total ms':>9s} "
                  f"{'queries':>7s}\n")
        worst = 0.0
        for label, (user, paths) in pages.items():
            client = Client(HTTP_HOST=host)
            with tenant_context(tenant):
                client.force_login(user, backend="roles.backends.EmailBackend")
            for path in paths:
                if only not in path:
                    continue
                db_ms, main_ms, total_ms, queries, plan = _measure(client, path, rounds, tenant)
                worst = max(worst, db_ms)
                out.write(f"{label:9s} {path:50s} {db_ms:7.1f} {main_ms:8.1f} {total_ms:9.1f} "
                          f"{queries:7d}\n")
                if plans:
                    out.write("".join(f"      {row}\n" for row in plan))
                connection.set_schema_to_public()
        out.write(f"slowest list at the database: {worst:.1f} ms (budget 100 ms)\n")


if __name__ == "__main__":
    main(__doc__, run,
         ("--orders", {"type": int, "default": 100000}),
         ("--rounds", {"type": int, "default": 5}),
         ("--no-plans", {"dest": "plans", "action": "store_false", "help": "print the times only"}),
         ("--only", {"default": "", "help": "only the pages whose path contains this"}))
