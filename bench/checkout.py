"""Checkout throughput: orders per second sustained by the checkout service with
``--dealers`` dealers ordering at once (issue 6).

    .venv/bin/python -m bench.checkout --dealers 16 --seconds 20

Provisions a throwaway tenant with a 200-product catalog (level prices, quantity
breaks, plenty of stock) and one customer per dealer, each with an address. Every
dealer is a process of its own (as gunicorn's workers are; threads in one process would
measure Python's GIL), on its own database connection, and places orders of 5 random lines through
``order_place`` (the same service the checkout page and the API call: lines checked and
priced, stock reserved, the workflow's first transition, the order number) for the
given time, on credit (so that finance's credit check runs: the customer's accounts
locked, the charge posted). A second phase makes every dealer order the *same* five
variants, the worst case for row locks. ``--finance both`` runs each phase twice,
without finance's order hook (checkout before the ledger) and with it, and prints the
ratio. Prints orders per second and p50 / p99 latency; the tenant is
deleted afterwards. Notifications are not queued (the tenant is gone before a worker
would deliver them; queueing costs about a millisecond). Nothing is asserted: this is
the measurement.
"""

import os
import random
import statistics
import sys
import time

from bench._common import main, throwaway_tenant


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _dealer(tenant_pk, user_pk, address_id, variant_ids, hot, seconds, start_at, seed, queue):
    """One dealer in its own process (as behind gunicorn's workers), own connection."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django_tenants.utils import tenant_context

    from ordering.notifications.services import muted
    from ordering.orders.models import ShippingMethod
    from ordering.orders.services.checkout import order_place
    from tenants.models import Tenant

    connections.close_all()
    rng = random.Random(seed)
    latencies, failed = [], []
    tenant = Tenant.objects.get(pk=tenant_pk)
    with tenant_context(tenant), muted():  # the tenant is deleted afterwards: queue nothing
        user = get_user_model().objects.get(pk=user_pk)
        # a new site starts with its default shipping method, which checkout asks for
        method = ShippingMethod.objects.filter(is_active=True).order_by("position", "pk").first()
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while time.time() < deadline:
            chosen = variant_ids[:5] if hot else rng.sample(variant_ids, 5)
            lines = [{"variant": v, "quantity": rng.randint(1, 4)} for v in chosen]
            started = time.perf_counter()
            try:
                order_place(actor=user, lines=lines, address_id=address_id,
                            payment_method="credit",
                            shipping_method_id=method.pk if method else None)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failed.append(repr(exc)[:120])
                continue
            latencies.append(time.perf_counter() - started)
    connections.close_all()
    queue.put((latencies, failed))


def _phase(label, tenant, dealers, variant_ids, seconds, hot, out, finance=True):
    """Returns orders per second."""
    import multiprocessing

    from django.db import connections

    from ordering.orders import hooks

    saved = hooks._HOOKS["order_submitted"][:]
    if not finance:  # the children fork without finance's order hook
        hooks._HOOKS["order_submitted"].clear()
    label = f"{label} [{'with' if finance else 'without'} finance]"
    connections.close_all()  # never share a connection with the children
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 2
    processes = [context.Process(target=_dealer, args=(
        tenant.pk, user.pk, address_id, variant_ids, hot, seconds, start_at, n, queue))
        for n, (user, address_id) in enumerate(dealers)]
    for process in processes:
        process.start()
    latencies, errors = [], []
    for _ in processes:
        mine, failed = queue.get()
        latencies.extend(mine)
        errors.extend(failed)
    for process in processes:
        process.join()
    hooks._HOOKS["order_submitted"][:] = saved
    if not latencies:
        out.write(f"{label}: no order placed; errors: {errors[:3]}\n")
        return 0
    out.write(f"{label:56s} {len(latencies):6d} orders in {seconds:3d} s = "
              f"{len(latencies) / seconds:6.1f} orders/s   "
              f"p50 {statistics.median(latencies) * 1000:6.1f} ms   "
              f"p99 {_percentile(latencies, 0.99) * 1000:7.1f} ms   errors {len(errors)}\n")
    if errors:
        out.write(f"    first errors: {errors[:3]}\n")
    return len(latencies) / seconds


def run(*, dealers=16, seconds=20, finance="on", out=sys.stdout):
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    with throwaway_tenant("Bench checkout", "bench-co") as provisioned:
        tenant = provisioned.tenant
        slug = tenant.slug
        with tenant_context(tenant):
            from ordering.catalog.enums import MovementKind
            from ordering.catalog.models import QuantityBreak
            from ordering.catalog.services import products as catalog
            from ordering.catalog.services.stock import stock_move
            from ordering.customers.services import contacts, customers, logins

            gold = customers.level_create(actor=None, name="Gold", price_percent=90)
            unit = catalog.unit_get_or_create("piece")
            variant_ids = []
            for n in range(200):
                product = catalog.product_create(actor=None, name=f"Bench product {n}",
                                                 code=f"B{n:04d}", unit=unit, on_shelf=True)
                variant = catalog.variant_save(actor=None, product=product, code=f"B{n:04d}-1",
                                               list_price=f"{10 + n % 50}.00")
                stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT,
                           quantity=1_000_000)
                if n % 4 == 0:
                    QuantityBreak.objects.create(product=product, min_quantity=3,
                                                 discount_percent=5)
                variant_ids.append(variant.pk)
            people = []
            for n in range(dealers):
                customer = customers.customer_create(actor=None, name=f"Dealer {n}", level=gold,
                                                     credit_limit="1000000000")
                login = logins.login_create(actor=None, customer=customer,
                                            email=f"dealer{n}@{slug}.example",
                                            password="Bench-pass-2026!",
                                            site_url="http://bench.localhost")
                address = contacts.address_save(actor=None, customer=customer, recipient="R",
                                                phone="1", address="Road 1")
                people.append((login.user, address.pk))
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        out.write(f"checkout: {dealers} dealers at once, 5 lines per order, {seconds} s per "
                  f"phase; load average {load}\n")
        modes = {"on": (True,), "off": (False,), "both": (False, True)}[finance]
        for label, hot in (("random variants (200-product catalog)", False),
                           ("all dealers on the same 5 variants", True)):
            rates = [_phase(label, tenant, people, variant_ids, seconds, hot, out, finance=mode)
                     for mode in modes]
            if len(rates) == 2 and rates[0]:
                out.write(f"    with finance / without: {rates[1] / rates[0]:.3f}\n")


if __name__ == "__main__":
    main(__doc__, run,
         ("--dealers", {"type": int, "default": 16}),
         ("--seconds", {"type": int, "default": 20}),
         ("--finance", {"choices": ("on", "off", "both"), "default": "on"}))
