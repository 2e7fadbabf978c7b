"""Fixtures for the order tests: one supplier (acme) with a customer, its dealer logins and
address, staff in each built-in role, shipping methods, a carrier and stocked products."""

from types import SimpleNamespace

import pytest
from django_tenants.utils import tenant_context

from ordering.catalog.enums import MovementKind
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.enums import BuyerRole
from ordering.customers.selectors import login_for_dealer
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from ordering.orders.enums import PaymentMethod, ReserveAt
from ordering.orders.models import Carrier, ShippingMethod
from tests.factories.roles import staff_with_roles

PASSWORD = "Correct-Horse-42"
SITE = "http://acme.localhost"


def dealer_login(customer, email, **values):
    login = login_services.login_create(actor=None, customer=customer, email=email,
                                        password=PASSWORD, site_url=SITE, **values)
    login.user.must_change_password = False
    login.user.save(update_fields=["must_change_password"])
    return login_for_dealer(login.user)


def set_workflow(tenant, *, off=(), reserve_at=ReserveAt.SUBMIT, auto_receipt_days=7,
                 min_order_amount=0, credit_over_limit="allow", finance_rule="manual"):
    """Set the order settings of ``tenant`` directly (no checks, no background move).
    The order tests' world leaves money to finance by hand (accept any order, finance
    review decides); the finance tests set the strict rules they test."""
    from ordering.settings.services import settings_update

    with tenant_context(tenant):
        settings_update(actor=None, workflow_off=list(off), reserve_stock_at=reserve_at,
                        auto_receipt_days=auto_receipt_days, min_order_amount=min_order_amount,
                        credit_over_limit=credit_over_limit, finance_rule=finance_rule)


def build_shop(tenant):
    """Create the order-test world in the current schema (acme) and return it."""
    set_workflow(tenant)
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=80)
    customer = customer_services.customer_create(actor=None, name="Gold Trading", level=gold)
    other = customer_services.customer_create(actor=None, name="Other Stores", level=gold)
    dana = dealer_login(customer, "dana@gold.example", name="Dana")
    viewer = dealer_login(customer, "vic@gold.example", name="Vic",
                          buyer_role=BuyerRole.VIEW_ONLY)
    olga = dealer_login(other, "olga@other.example", name="Olga")
    address = contact_services.address_save(actor=None, customer=customer, recipient="Dana Li",
                                            phone="13800000000", address="1 Harbour Road")
    other_address = contact_services.address_save(actor=None, customer=other, recipient="Olga",
                                                  phone="13900000000", address="2 Hill St")
    bottle = catalog.unit_get_or_create("bottle")
    case = catalog.unit_get_or_create("case")
    product = catalog.product_create(actor=None, name="Orange juice", code="OJ", unit=bottle,
                                     on_shelf=True)
    juice = catalog.variant_save(actor=None, product=product, code="OJ-1", list_price="10.00",
                                 units=[(case, 12)])
    cola_p = catalog.product_create(actor=None, name="Cola", code="CO", unit=bottle, on_shelf=True)
    cola = catalog.variant_save(actor=None, product=cola_p, code="CO-1", list_price="5.00",
                                min_quantity=6, order_multiple=6)
    for variant, quantity in ((juice, 100), (cola, 60)):
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=quantity)
    truck = ShippingMethod.objects.create(name="Truck", fee="15.00")
    carrier = Carrier.objects.create(name="SF Express", tracking_url="https://sf.example/{number}")
    staff = SimpleNamespace(
        admin=staff_with_roles("system_administrator", email="admin@acme.example"),
        reviewer=staff_with_roles("order_reviewer", email="rev@acme.example"),
        finance=staff_with_roles("finance_reviewer", email="fin@acme.example"),
        warehouse=staff_with_roles("warehouse_manager", email="wh@acme.example"),
        shipper=staff_with_roles("shipping_clerk", email="ship@acme.example"),
        sales=staff_with_roles("sales_rep", email="rep@acme.example"),
    )
    return SimpleNamespace(tenant=tenant, customer=customer, other=other, dana=dana,
                           viewer=viewer, olga=olga, address=address,
                           other_address=other_address, juice=juice, cola=cola, case=case,
                           case_unit=juice.units.get(), truck=truck, carrier=carrier,
                           staff=staff, level=gold)


@pytest.fixture
def shop(in_acme, acme):
    return build_shop(acme)


def place(shop, *, actor=None, lines=None, key=None, **values):
    from ordering.orders.services.checkout import order_place

    actor = actor or shop.dana.user
    values.setdefault("address_id", shop.address.pk if actor != shop.olga.user
                      else shop.other_address.pk)
    values.setdefault("payment_method", PaymentMethod.TRANSFER)
    values.setdefault("shipping_method_id", shop.truck.pk)
    customer = values.pop("customer", None)
    return order_place(actor=actor, customer=customer,
                       lines=lines or [{"variant": shop.juice.pk, "quantity": 10}],
                       idempotency_key=key, **values).order
