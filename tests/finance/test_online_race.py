"""The same Stripe Connect event delivered twice at the same moment, by two real threads
on two connections, confirms the online payment once. This commits in acme (the ledger
is append-only) with its own customer; the connected account and the events are removed
afterwards."""

import json
import uuid

import pytest
from django.conf import settings as django_settings
from django_tenants.utils import tenant_context

from billing.models import ConnectedAccount, ConnectEvent
from ordering.finance import selectors
from ordering.finance.enums import PaymentStatus
from ordering.finance.models import Entry, Payment
from ordering.finance.services import online
from ordering.orders.enums import PaymentStatus as OrderPaymentStatus
from ordering.orders.models import Order
from tests.conftest import TenantClient
from tests.finance.stripe_connect import (WEBHOOK_URL, connect_event, connect_tenant,  # noqa: F401
                                          fake_connect, sign)
from tests.orders.test_concurrency import _run, acme_world  # noqa: F401


@pytest.mark.xdist_group("finance-online-race")
def test_the_same_event_delivered_twice_at_once_posts_one_set_of_entries(acme_world,
                                                                        fake_connect):
    acme, dealers, variant, order = acme_world
    tag = uuid.uuid4().hex[:8]
    (login, address), = dealers(1)
    placed = order(login, address, [{"variant": variant(100).pk, "quantity": 4}])()
    connected = connect_tenant(fake_connect, acme, account_id=f"acct_race_{tag}")
    try:
        with tenant_context(acme):
            payment, _secret = online.online_payment_start(
                actor=login.user, purpose="orders", order_ids=[placed.pk], key=tag)
        event = connect_event(f"evt_race_{tag}", "payment_intent.succeeded",
                              fake_connect.succeed(payment.stripe_payment_intent),
                              account=connected.account_id)
        payload = json.dumps(event)
        assert django_settings.STRIPE_CONNECT_WEBHOOK_SECRET  # both threads verify

        def deliver():
            response = TenantClient("localhost").post(
                WEBHOOK_URL, payload, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(payload))
            return response.status_code, response.json()["received"]

        results = _run([deliver, deliver])
        assert sorted(results) == [(200, "applied"), (200, "duplicate")], results
        assert ConnectEvent.objects.filter(event_id=event["id"]).count() == 1
        with tenant_context(acme):
            assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CONFIRMED
            assert Entry.objects.filter(payment=payment).count() == 1
            assert Order.objects.get(pk=placed.pk).payment_status == OrderPaymentStatus.PAID
            assert selectors.balances(login.customer).owed == 0
            assert selectors.ledger_mismatches() == []
    finally:
        ConnectEvent.objects.filter(account_id=connected.account_id).delete()
        ConnectedAccount.objects.filter(pk=connected.pk).delete()
