"""Fixtures for the quotation tests: the order tests' world (``tests.orders.conftest``:
acme, Gold Trading with Dana (orders) and Vic (view only), Other Stores with Olga,
staff in each built-in role, juice OJ-1 at 10.00 list / 8.00 for Gold, sold by the
bottle and by the case of 12), helpers that take an inquiry through its rounds, and
``run`` / ``mailbox`` for the notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ordering.catalog.enums import MovementKind
from ordering.catalog.services.stock import stock_move
from ordering.customers.services import customers as customer_services
from ordering.orders.enums import PaymentMethod
from ordering.quotes import services
from tests.orders.conftest import build_shop


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after its commit (the test itself runs
    in a transaction that never commits): the notifications' tasks, inline."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def mailbox(settings):
    """E-mails kept in ``django.core.mail.outbox``, empty at the start."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def shop(in_acme, acme):
    world = build_shop(acme)
    stock_move(actor=None, variant=world.juice, kind=MovementKind.RECEIPT, quantity=1000)
    # the sales rep works with Gold Trading only
    customer_services.customer_update(actor=None, customer=world.customer,
                                      sales_rep=world.staff.sales)
    return world


def soon(days=10):
    return timezone.localdate() + timedelta(days=days)


def ask(shop, *, actor=None, lines=None, **values):
    """Dana asks for 120 bottles of juice and 50 "blue crates" (free text)."""
    return services.inquiry_create(
        actor=actor or shop.dana.user,
        lines=lines or [{"variant": shop.juice.pk, "quantity": 120},
                        {"description": "Blue crates", "quantity": 50, "unit_text": "pcs",
                         "target_price": "3.00"}], **values)


def answer(shop, inquiry, *, actor=None, prices=("7.50", "4.00"), tiers=None, map_crate=True,
           decline_crate=False, valid_until=None, **values):
    """A quotation for the two lines of ``ask``: juice at prices[0] (with ``tiers``), the
    crates mapped to cola at prices[1] (or left unmapped, or declined)."""
    juice_line, crate_line = list(inquiry.lines.all())
    crate = {"inquiry_line": crate_line.pk, "unit_price": prices[1], "quantity": 60}
    if map_crate:
        crate["variant"] = shop.cola.pk
    if decline_crate:
        crate = {"inquiry_line": crate_line.pk, "declined": True}
    return services.quotation_send(
        actor=actor or shop.staff.admin, inquiry=inquiry,
        lines=[{"inquiry_line": juice_line.pk, "unit_price": prices[0], "tiers": tiers or []},
               crate],
        valid_until=valid_until or soon(), shipping_fee="20.00", payment_terms="30 days",
        **values)


def accept(shop, inquiry, *, actor=None, key=None, **values):
    values.setdefault("address_id", shop.address.pk)
    values.setdefault("payment_method", PaymentMethod.TRANSFER)
    values.setdefault("shipping_method_id", shop.truck.pk)
    return services.quotation_accept(actor=actor or shop.dana.user, inquiry=inquiry,
                                     idempotency_key=key, **values)
