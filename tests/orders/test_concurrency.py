"""Races on real PostgreSQL with real threads and connections: the last units of
stock, two orders locking the same variants in opposite order, one Idempotency-Key sent
ten times at once, a cancel retried at once. These commit; every test makes its own
customers and products (unique codes) in acme and leaves them (the ledger is
append-only)."""

import threading
import uuid

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, ConflictError
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Variant
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.orders import workflow
from ordering.orders.enums import EventKind, PaymentMethod
from ordering.orders.models import Order
from ordering.orders.services.checkout import order_place
from tenants.models import Tenant
from tests.orders.conftest import dealer_login


def _run(workers):
    """Start every worker at the same moment; return [(result or exception)]."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait()
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def acme_world(committed_db):
    acme = Tenant.objects.get(slug="acme")
    tag = uuid.uuid4().hex[:8]

    def dealers(n):
        made = []
        with tenant_context(acme):
            for i in range(n):
                # on credit, so that the orders pass finance review under acme's rules
                customer = customer_services.customer_create(
                    actor=None, name=f"Order race {tag} {i}", credit_limit="1000000")
                login = dealer_login(customer, f"race-{tag}-{i}@example.com")
                address = contact_services.address_save(
                    actor=None, customer=customer, recipient="R", phone="1", address="Road")
                made.append((login, address))
        return made

    def variant(stock, suffix=""):
        with tenant_context(acme):
            unit = catalog.unit_get_or_create("piece")
            product = catalog.product_create(actor=None, name=f"Race {tag}{suffix}",
                                             code=f"R{tag}{suffix}", unit=unit, on_shelf=True)
            v = catalog.variant_save(actor=None, product=product, code=f"R{tag}{suffix}-1",
                                     list_price="3.00")
            stock_move(actor=None, variant=v, kind=MovementKind.RECEIPT, quantity=stock)
        return v

    def order(login, address, lines, key=None, placed=False):
        def work():
            with tenant_context(acme):
                result = order_place(actor=login.user, lines=lines, address_id=address.pk,
                                     payment_method=PaymentMethod.CREDIT, idempotency_key=key)
                return result if placed else result.order
        return work

    return acme, dealers, variant, order


def test_fifty_dealers_race_for_the_last_ten_units(acme_world):
    acme, dealers, variant, order = acme_world
    v = variant(10)
    logins = dealers(50)
    results = _run([order(login, address, [{"variant": v.pk, "quantity": 1}])
                    for login, address in logins])
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(placed) == 10 and len(refused) == 40, results
    assert all(r.code == "insufficient_stock" and "Not enough stock" in r.message
               for r in refused)
    with tenant_context(acme):
        v.refresh_from_db()
        assert (v.on_hand, v.reserved) == (10, 10)
        numbers = sorted(int(o.number.rsplit("-", 1)[1]) for o in placed)
        assert numbers == list(range(numbers[0], numbers[0] + 10))  # unique and gap-free


def test_opposite_line_order_does_not_deadlock(acme_world):
    acme, dealers, variant, order = acme_world
    a, b = variant(1000, "a"), variant(1000, "b")
    logins = dealers(2)
    workers = []
    for _ in range(8):
        workers.append(order(*logins[0], [{"variant": a.pk, "quantity": 1},
                                          {"variant": b.pk, "quantity": 1}]))
        workers.append(order(*logins[1], [{"variant": b.pk, "quantity": 1},
                                          {"variant": a.pk, "quantity": 1}]))
    results = _run(workers)
    assert all(isinstance(r, Order) for r in results), results
    with tenant_context(acme):
        assert Variant.objects.get(pk=a.pk).reserved == Variant.objects.get(pk=b.pk).reserved == 16


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_order(acme_world):
    acme, dealers, variant, order = acme_world
    v = variant(100)
    (login, address), = dealers(1)
    key = uuid.uuid4().hex
    results = _run([order(login, address, [{"variant": v.pk, "quantity": 2}], key=key,
                          placed=True) for _ in range(10)])
    assert all(isinstance(r.order, Order) for r in results), results
    assert len({r.order.pk for r in results}) == 1
    assert [r.created for r in results].count(True) == 1  # the others were told it existed
    with tenant_context(acme):
        assert Order.objects.filter(customer=login.customer).count() == 1
        assert Variant.objects.get(pk=v.pk).reserved == 2


def test_a_cancel_retried_at_once_releases_stock_once(acme_world):
    acme, dealers, variant, order = acme_world
    v = variant(20)
    (login, address), = dealers(1)
    placed = order(login, address, [{"variant": v.pk, "quantity": 5}])()

    def cancel():
        with tenant_context(acme):
            return workflow.transition(order=placed.pk, action=workflow.CANCEL,
                                       actor=login.user, reason="double click")

    results = _run([cancel for _ in range(6)])
    assert len([r for r in results if isinstance(r, Order)]) == 1
    assert all(isinstance(r, ConflictError) for r in results if not isinstance(r, Order))
    with tenant_context(acme):
        assert Variant.objects.get(pk=v.pk).reserved == 0
        assert Order.objects.get(pk=placed.pk).events.filter(
            kind=EventKind.STOCK_RELEASED).count() == 1




def test_two_clerks_shipping_the_rest_at_once_ship_it_once(acme_world):
    from ordering.orders.services.shipments import shipment_create
    from tests.factories.roles import staff_with_roles

    acme, dealers, variant, order = acme_world
    v = variant(50)
    (login, address), = dealers(1)
    placed = order(login, address, [{"variant": v.pk, "quantity": 8}])()
    with tenant_context(acme):
        clerk = staff_with_roles("system_administrator",
                                 email=f"clerk-{uuid.uuid4().hex[:8]}@acme.example")
        for _ in range(3):
            placed = workflow.transition(order=placed, action=workflow.APPROVE, actor=clerk)
        line = placed.lines.get()

    def ship():
        with tenant_context(acme):
            return shipment_create(actor=clerk, order=placed.pk, quantities={line.pk: 8},
                                   tracking_number="RACE")

    results = _run([ship for _ in range(4)])
    shipped = [r for r in results if not isinstance(r, Exception)]
    assert len(shipped) == 1, results
    assert all(isinstance(r, (ApplicationError, ConflictError)) for r in results
               if isinstance(r, Exception))
    with tenant_context(acme):
        v.refresh_from_db()
        assert (v.on_hand, v.reserved) == (42, 0)
        assert Order.objects.get(pk=placed.pk).status == "receipt"


def test_a_double_click_on_add_to_cart_adds_up_in_one_line(acme_world):
    from ordering.orders.models import CartLine
    from ordering.orders.services.cart import cart_add

    acme, dealers, variant, order = acme_world
    v = variant(100)
    (login, address), = dealers(1)

    def add():
        with tenant_context(acme):
            return cart_add(login=login, lines=[{"variant": v.pk, "quantity": 3}])

    results = _run([add for _ in range(6)])
    assert results == [1] * 6, results
    with tenant_context(acme):
        assert list(CartLine.objects.filter(login=login).values_list("quantity", flat=True)) \
            == [18]
