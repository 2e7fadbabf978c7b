"""Acceptance races on real PostgreSQL with real threads: concurrent clicks on "accept"
and one Idempotency-Key sent at once place one order, through the services and through
the API. These commit; every test makes its
own customer, products and staff (unique names) in acme and leaves them."""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.exceptions import ConflictError
from ordering.catalog.enums import MovementKind
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.orders.enums import PaymentMethod
from ordering.orders.models import Order
from ordering.quotes import services
from ordering.quotes.enums import InquiryStatus
from tenants.models import Tenant
from tests.factories.roles import staff_with_roles
from tests.orders.conftest import dealer_login
from tests.orders.test_concurrency import _run

pytestmark = pytest.mark.xdist_group("quotes-race")


def _quoted_world():
    """A quoted inquiry of a fresh customer on credit (committed in acme): 100 at 2.50,
    2.40 from 100 on."""
    acme = Tenant.objects.get(slug="acme")
    tag = uuid.uuid4().hex[:8]
    with tenant_context(acme):
        customer = customer_services.customer_create(
            actor=None, name=f"Quote race {tag}", credit_limit="1000000")
        login = dealer_login(customer, f"quote-race-{tag}@example.com")
        address = contact_services.address_save(actor=None, customer=customer, recipient="R",
                                                phone="1", address="Road")
        unit = catalog.unit_get_or_create("piece")
        product = catalog.product_create(actor=None, name=f"Quote race {tag}", code=f"QR{tag}",
                                         unit=unit, on_shelf=True)
        variant = catalog.variant_save(actor=None, product=product, code=f"QR{tag}-1",
                                       list_price="3.00")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=1000)
        admin = staff_with_roles("system_administrator", email=f"quote-admin-{tag}@acme.example")
        inquiry = services.inquiry_create(actor=login.user, lines=[
            {"variant": variant.pk, "quantity": 100}])
        services.quotation_send(
            actor=admin, inquiry=inquiry, valid_until=timezone.localdate() + timedelta(days=5),
            lines=[{"inquiry_line": inquiry.lines.get().pk, "unit_price": "2.50",
                    "tiers": [{"min_qty": 100, "price": "2.40"}]}])
    return SimpleNamespace(acme=acme, inquiry=inquiry, login=login, address=address)


@pytest.fixture
def quoted(committed_db):
    world = _quoted_world()

    def accept(key=None):
        def work():
            with tenant_context(world.acme):
                return services.quotation_accept(
                    actor=world.login.user, inquiry=world.inquiry.pk,
                    address_id=world.address.pk, payment_method=PaymentMethod.CREDIT,
                    idempotency_key=key)
        return work

    return world.acme, world.inquiry, accept


def _orders(acme, inquiry):
    with tenant_context(acme):
        return list(Order.objects.filter(quotation__inquiry_id=inquiry.pk))


def test_concurrent_clicks_on_accept_place_one_order(quoted):
    acme, inquiry, accept = quoted
    results = _run([accept() for _ in range(6)])
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(placed) == 1 and len(refused) == 5, results
    assert all(r.code == "already_accepted" for r in refused)
    orders = _orders(acme, inquiry)
    assert [o.pk for o in orders] == [placed[0].order.pk]
    with tenant_context(acme):
        line = orders[0].lines.get()
        assert (str(line.unit_price), line.quantity) == ("2.40", 100)
        assert orders[0].quotation.inquiry.status == InquiryStatus.ACCEPTED


def test_one_idempotency_key_sent_at_once_returns_the_first_order(quoted):
    acme, inquiry, accept = quoted
    results = _run([accept("same-key") for _ in range(6)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.order.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert len(_orders(acme, inquiry)) == 1


# --- through the API: real threads, each with its own connection and session ------------


@pytest.fixture
def api_accept(committed_db, login_as):
    """``(world, post)``: ``post(key)`` is a worker that accepts the quotation over the API
    as the dealer (its own signed-in client), returning ``(status, body)``."""
    from tests.conftest import TenantClient, host_of

    world = _quoted_world()

    def post(key=None):
        client = login_as(TenantClient(host_of(world.acme)), world.acme, world.login.user)
        headers = {"Idempotency-Key": key} if key else {}

        def work():
            response = client.post(f"/api/v1/my/inquiries/{world.inquiry.pk}/accept/",
                                   {"address": world.address.pk, "payment_method": "credit"},
                                   content_type="application/json", headers=headers)
            return response.status_code, response.json()
        return work

    return world, post


def test_one_idempotency_key_sent_at_once_over_the_api_places_one_order(api_accept):
    world, post = api_accept
    results = _run([post("api-key-1") for _ in range(4)])
    assert sorted(status for status, _body in results) == [200, 200, 200, 201], results
    assert len({body["id"] for _status, body in results}) == 1
    assert [o.pk for o in _orders(world.acme, world.inquiry)] == [results[0][1]["id"]]


def test_concurrent_acceptances_over_the_api_place_one_order(api_accept):
    world, post = api_accept
    results = _run([post(f"api-click-{i}") for i in range(3)] + [post(), post()])
    assert sorted(status for status, _body in results) == [201, 409, 409, 409, 409], results
    assert {body["error"]["code"] for status, body in results if status == 409} == {
        "already_accepted"}
    (order,) = _orders(world.acme, world.inquiry)
    assert order.pk == next(body["id"] for status, body in results if status == 201)
