"""Online payments through Stripe Connect: the supplier connects its own Stripe account;
dealers pay orders, what they owe or a top-up as direct charges on it; Stripe's signed
events confirm the payment once, through finance's confirmation. The real ``stripe``
library talks to an HTTP client that answers from memory (no network)."""

import json
import re
import time
from decimal import Decimal

import pytest

from billing.models import ConnectedAccount, ConnectEvent
from core.exceptions import ApplicationError
from ordering.finance import selectors
from ordering.finance.enums import EntryKind, PaymentMethodKind, PaymentPurpose, PaymentStatus
from ordering.finance.models import Allocation, Entry, Payment
from ordering.finance.services import online, payments
from ordering.orders.enums import PaymentMethod
from ordering.orders.enums import PaymentStatus as OrderPaymentStatus
from ordering.orders.models import Order
from ordering.orders.selectors import offered_payment_methods
from ordering.orders.services import cart as cart_services
from ordering.orders.services.settings import payment_methods_update
from roles.models import AuditLog
from tests.conftest import TenantClient, host_of
from tests.finance.conftest import place
from tests.finance.stripe_connect import (WEBHOOK_URL, connect_event, connect_tenant, deliver,
                                          fake_connect, sign)  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(acme, login_as):
    def sign_in(user):
        return login_as(TenantClient(host_of(acme)), acme, user)

    return sign_in


@pytest.fixture
def connected(shop, acme, fake_connect):
    """acme's Stripe account is connected and accepts payments."""
    return connect_tenant(fake_connect, acme)


@pytest.fixture
def public():
    return TenantClient("localhost")


def _start(shop, *, purpose=PaymentPurpose.ORDERS, order_ids=(), amount=None, key="form-1"):
    return online.online_payment_start(actor=shop.dana.user, purpose=purpose,
                                       order_ids=order_ids, amount=amount, key=key)


def _succeeded(fake, payment, event_id="evt_ok"):
    return connect_event(event_id, "payment_intent.succeeded",
                         fake.succeed(payment.stripe_payment_intent), account="acct_acme")


# --- connecting the supplier's Stripe account -------------------------------------------


def test_connecting_creates_the_account_and_sends_the_admin_to_stripe_onboarding(
        shop, acme, fake_connect, client_for):
    admin = client_for(shop.staff.admin)
    page = admin.get("/dashboard/settings/online-payments/").content.decode()
    assert 'data-status="not_connected"' in page and 'data-testid="connect-start"' in page
    response = admin.post("/dashboard/settings/online-payments/connect/")
    connected = ConnectedAccount.objects.get(tenant=acme)
    assert response.status_code == 302
    assert response.url == f"https://connect.stripe.com/setup/s/{connected.account_id}/x"
    (_m, _p, headers, created), = fake_connect.calls("post", "/v1/accounts")
    assert "Stripe-Account" not in headers  # made by the platform, on its own account
    assert created["metadata"] == {"tenant_id": str(acme.pk), "tenant_schema": acme.schema_name}
    assert created["controller"]["stripe_dashboard"] == {"type": "full"}
    (_m, _p, _h, link), = fake_connect.calls("post", "/v1/account_links")
    page_url = "http://acme.localhost/dashboard/settings/online-payments/"
    assert link == {"account": connected.account_id, "type": "account_onboarding",
                    "return_url": f"{page_url}return/", "refresh_url": f"{page_url}connect/",
                    "collection_options": {"fields": "eventually_due"}}
    assert (connected.charges_enabled, connected.details_submitted) == (False, False)
    # a second click continues with the same account
    assert admin.post("/dashboard/settings/online-payments/connect/").status_code == 302
    assert len(fake_connect.calls("post", "/v1/accounts")) == 1
    assert AuditLog.objects.filter(action="billing.connect_account").count() == 1


def test_coming_back_from_onboarding_re_reads_the_account(shop, acme, fake_connect, client_for):
    admin = client_for(shop.staff.admin)
    admin.post("/dashboard/settings/online-payments/connect/")
    account_id = ConnectedAccount.objects.get(tenant=acme).account_id
    fake_connect.account(account_id)  # onboarding finished: Stripe lets it take payments
    response = admin.get("/dashboard/settings/online-payments/return/")
    assert response.status_code == 302 and response.url == "/dashboard/settings/online-payments/"
    connected = ConnectedAccount.objects.get(tenant=acme)
    assert (connected.charges_enabled, connected.details_submitted) == (True, True)
    assert connected.capabilities == {"card_payments": "active", "alipay_payments": "active",
                                      "wechat_pay_payments": "pending"}
    page = admin.get("/dashboard/settings/online-payments/").content.decode()
    assert 'data-status="active"' in page and 'data-testid="connect-offered"' in page
    assert 'data-testid="connect-start"' not in page


def test_a_role_without_the_settings_permission_cannot_open_or_use_the_connect_page(
        shop, acme, fake_connect, client_for):
    for user in (shop.staff.finance, shop.staff.reviewer, shop.staff.sales):
        staff = client_for(user)
        assert staff.get("/dashboard/settings/online-payments/").status_code == 403
        assert staff.post("/dashboard/settings/online-payments/connect/").status_code == 403
        assert staff.post("/dashboard/settings/online-payments/return/").status_code == 403
    dealer = client_for(shop.dana.user)
    assert dealer.get("/dashboard/settings/online-payments/").status_code == 403
    assert not ConnectedAccount.objects.exists() and fake_connect.requests == []
    nav = client_for(shop.staff.finance).get("/dashboard/").content.decode()
    assert 'data-testid="nav-online-payments"' not in nav
    nav = client_for(shop.staff.admin).get("/dashboard/").content.decode()
    assert 'data-testid="nav-online-payments"' in nav


def test_without_platform_keys_the_page_says_so_and_nothing_is_called(shop, client_for,
                                                                         settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    admin = client_for(shop.staff.admin)
    page = admin.get("/dashboard/settings/online-payments/").content.decode()
    assert 'data-testid="connect-unavailable"' in page
    response = admin.post("/dashboard/settings/online-payments/connect/", follow=True)
    assert "Online payments are not available on this platform yet." in \
        response.content.decode()
    assert not ConnectedAccount.objects.exists()


# --- the option at checkout ----------------------------------------------------------------


def test_online_payment_is_hidden_without_keys_and_before_the_account_accepts_payments(
        shop, acme, settings, fake_connect, client_for):
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 10}])
    dana, admin = client_for(shop.dana.user), client_for(shop.staff.admin)

    def shown():
        checkout = dana.get("/shop/checkout/").content.decode()
        form = admin.get("/dashboard/orders/settings/").context["payments"]
        in_form = "online" in [value for value, _label in form.fields["methods"].choices]
        in_checkout = 'name="payment_method" value="online"' in checkout
        assert in_form == in_checkout == ("online" in offered_payment_methods())
        return in_checkout

    assert not shown()  # keys, but no account
    connected = connect_tenant(fake_connect, acme, charges_enabled=False,
                               details_submitted=True)
    assert not shown()  # connected, Stripe still verifying
    assert 'data-testid="payment-online-connect"' in admin.get(
        "/dashboard/orders/settings/").content.decode()
    ConnectedAccount.objects.filter(pk=connected.pk).update(charges_enabled=True)
    assert shown()
    assert place(shop, payment_method=PaymentMethod.ONLINE).payment_method == "online"
    settings.STRIPE_SECRET_KEY = ""
    assert not shown()  # the platform without keys: hidden again, and refused
    with pytest.raises(ApplicationError) as refused:
        place(shop, payment_method=PaymentMethod.ONLINE)
    assert "payment_method" in refused.value.fields


def test_a_supplier_who_switched_online_off_keeps_it_off(shop, connected):
    assert offered_payment_methods() == ["transfer", "prepaid", "credit", "online"]
    payment_methods_update(actor=None, methods=["transfer"])
    assert offered_payment_methods() == ["transfer"]
    payment_methods_update(actor=None, methods=["transfer", "online"])
    assert offered_payment_methods() == ["transfer", "online"]


def test_an_order_placed_to_pay_online_lands_on_its_pay_page(shop, connected, fake_connect,
                                                             client_for):
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 10}])
    dana = client_for(shop.dana.user)
    token = re.search(r'name="token" value="(\w+)"', dana.get("/shop/checkout/")
                      .content.decode()).group(1)
    response = dana.post("/shop/checkout/", {
        "address": shop.address.pk, "shipping_method": shop.truck.pk, "token": token,
        "payment_method": "online"})
    order = Order.objects.get(customer=shop.customer)
    assert response.status_code == 302 and response.url == f"/shop/orders/{order.pk}/pay/"
    page = dana.get(response.url).content.decode()
    assert 'data-testid="pay-amount"' in page and "95.00" in page
    assert 'data-account="acct_acme"' in page and 'data-amount="9500"' in page
    assert 'data-currency="cny"' in page and 'data-key="pk_test_platform"' in page
    assert "/static/vendor/stripe-js/index.mjs" in page and "js.stripe.com" not in page
    assert '<script type="module" src="/static/orderline/pay.js">' in page
    # looking at the pay page starts nothing
    assert not Payment.objects.filter(customer=shop.customer).exists()
    assert fake_connect.calls("post", "/v1/payment") == []


# --- paying --------------------------------------------------------------------------------


def test_paying_an_order_makes_a_payment_intent_on_the_connected_account(shop, acme, connected,
                                                                        fake_connect,
                                                                        client_for):
    order = place(shop)  # 95.00
    dana = client_for(shop.dana.user)
    response = dana.post("/shop/pay/intent/", {"purpose": "orders", "orders": [order.pk],
                                               "token": "t-1"})
    assert response.status_code == 200, response.content
    answer = response.json()
    payment = Payment.objects.get(customer=shop.customer)
    assert answer["client_secret"] == f"{payment.stripe_payment_intent}_secret_x"
    assert answer["return_url"] == f"http://acme.localhost/shop/pay/{payment.pk}/done/"
    assert (payment.method, payment.status, payment.amount, payment.purpose) == (
        PaymentMethodKind.ONLINE, PaymentStatus.PENDING, Decimal("95.00"), "orders")
    assert list(payment.orders.all()) == [order] and payment.recorded_by == shop.dana.user
    (_m, _p, headers, params), = fake_connect.calls("post", "/v1/payment_intents")
    assert headers["Stripe-Account"] == "acct_acme"
    assert params["amount"] == "9500" and params["currency"] == "cny"
    assert params["automatic_payment_methods"] == {"enabled": "true"}
    assert params["metadata"] == {"tenant_schema": acme.schema_name, "payment_id": str(payment.pk),
                                  "payment_number": payment.number,
                                  "customer_id": str(shop.customer.pk), "purpose": "orders",
                                  "order_ids": str(order.pk)}
    assert headers["Idempotency-Key"] == f"orderline-{acme.schema_name}-payment-{payment.pk}"
    # the same form again: the same payment and PaymentIntent
    again = dana.post("/shop/pay/intent/", {"purpose": "orders", "orders": [order.pk],
                                            "token": "t-1"})
    assert again.json()["client_secret"] == answer["client_secret"]
    assert Payment.objects.filter(customer=shop.customer).count() == 1
    assert len(fake_connect.calls("post", "/v1/payment_intents")) == 1
    # the same form with another amount is refused
    refused = dana.post("/shop/pay/intent/", {"purpose": "topup", "amount": "10",
                                              "token": "t-1"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "online_key_reused"
    assert selectors.balances(shop.customer).owed == Decimal("95.00")  # nothing paid yet
    assert list(selectors.payments_pending(actor=shop.staff.finance)) == []  # Stripe's to confirm


def test_what_may_be_paid_online(shop, connected):
    first, second = place(shop), place(shop)
    quote = online.online_quote(customer=shop.customer, purpose="orders",
                                order_ids=[first.pk, second.pk])
    assert quote.amount == Decimal("190.00") and quote.order_ids == [first.pk, second.pk]
    assert online.online_quote(customer=shop.customer, purpose="orders").amount == \
        Decimal("190.00")  # what it owes, oldest first
    assert online.online_quote(customer=shop.customer, purpose="orders",
                               amount="50").amount == Decimal("50.00")
    assert online.online_quote(customer=shop.customer, purpose="topup",
                               amount="300").amount == Decimal("300.00")
    other = place(shop, actor=shop.olga.user)
    for kwargs, field in (({"purpose": "orders", "order_ids": [other.pk]}, "orders"),
                          ({"purpose": "orders", "amount": "190.01"}, "amount"),
                          ({"purpose": "topup", "amount": "0"}, "amount"),
                          ({"purpose": "topup", "amount": "abc"}, "amount")):
        with pytest.raises(ApplicationError) as refused:
            online.online_quote(customer=shop.customer, **kwargs)
        assert field in refused.value.fields, kwargs
    with pytest.raises(ApplicationError) as refused:
        online.online_quote(customer=shop.customer, purpose="bitcoin")
    assert refused.value.code == "invalid"


def test_only_a_dealer_who_may_order_pays_online(shop, connected, client_for):
    order = place(shop)
    viewer = client_for(shop.viewer.user)
    assert viewer.post("/shop/pay/intent/", {"purpose": "orders", "orders": [order.pk],
                                             "token": "v"}).status_code == 403
    staff = client_for(shop.staff.admin)
    assert staff.get(f"/shop/orders/{order.pk}/pay/").status_code == 403
    olga = client_for(shop.olga.user)
    assert olga.get(f"/shop/orders/{order.pk}/pay/").status_code == 404
    refused = olga.post("/shop/pay/intent/", {"purpose": "orders", "orders": [order.pk],
                                              "token": "o"})
    assert refused.status_code == 400 and "orders" in refused.json()["error"]["fields"]
    assert not Payment.objects.filter(customer__in=[shop.customer, shop.other]).exists()


def test_the_pay_pages_do_not_exist_before_the_account_accepts_payments(shop, client_for):
    order = place(shop)
    dana = client_for(shop.dana.user)
    for url in ("/shop/pay/", f"/shop/orders/{order.pk}/pay/", "/shop/pay/1/done/"):
        assert dana.get(url).status_code == 404
    assert dana.post("/shop/pay/intent/", {"purpose": "topup", "amount": "5"}).status_code == 404
    assert 'data-testid="order-pay-online"' not in dana.get(
        f"/shop/orders/{order.pk}/").content.decode()
    with pytest.raises(ApplicationError) as refused:
        _start(shop, purpose="topup", amount="5")
    assert refused.value.code == "online_unavailable"


def test_the_dealer_chooses_what_to_pay(shop, connected, client_for):
    first, second = place(shop), place(shop)
    dana = client_for(shop.dana.user)
    page = dana.get("/shop/pay/").content.decode()
    assert page.count('data-testid="pay-order-option"') == 2
    assert 'data-testid="pay-outstanding-form"' in page and 'value="190.00"' in page
    chosen = dana.get(f"/shop/pay/?purpose=orders&orders={first.pk}&orders={second.pk}")
    assert 'data-amount="19000"' in chosen.content.decode()
    oldest_first = dana.get("/shop/pay/?purpose=outstanding&amount=120").content.decode()
    assert 'data-amount="12000"' in oldest_first
    assert 'name="purpose" value="outstanding"' in oldest_first
    too_much = dana.get("/shop/pay/?purpose=outstanding&amount=500")
    assert too_much.status_code == 400 and 'data-testid="pay-error"' in too_much.content.decode()
    assert 'data-testid="order-pay-online"' in dana.get(
        f"/shop/orders/{first.pk}/").content.decode()
    assert 'data-testid="account-pay-online"' in dana.get("/shop/account/").content.decode()


# --- Stripe's events ---------------------------------------------------------------------


def test_a_bad_signature_or_an_old_timestamp_is_refused_with_no_effect(shop, connected,
                                                                      fake_connect, public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    event = _succeeded(fake_connect, payment)
    assert deliver(public, event, secret="whsec_wrong").status_code == 400
    assert deliver(public, event, timestamp=time.time() - 301).status_code == 400
    payload = json.dumps(event)
    assert public.post(WEBHOOK_URL, payload, content_type="application/json").status_code == 400
    tampered = public.post(WEBHOOK_URL, payload.replace("9500", "9501"),
                           content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload))
    assert tampered.status_code == 400
    assert not ConnectEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not payment.entries.exists()


def test_without_a_connect_secret_nothing_verifies(shop, connected, fake_connect, public,
                                                   settings):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""
    assert deliver(public, _succeeded(fake_connect, payment), secret="").status_code == 400
    assert not ConnectEvent.objects.exists()


def test_succeeded_confirms_the_payment_once_through_finance(shop, connected, fake_connect,
                                                             public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    event = _succeeded(fake_connect, payment)
    assert deliver(public, event).json() == {"received": "applied"}
    assert deliver(public, event).json() == {"received": "duplicate"}
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.decided_by is None
    assert order.payment_status == OrderPaymentStatus.PAID and order.amount_paid == order.total
    entry, = Entry.objects.filter(payment=payment)
    assert (entry.kind, entry.amount, entry.order, entry.actor) == (
        EntryKind.PAYMENT, Decimal("-95.00"), order, None)
    assert Allocation.objects.get(payment=payment).amount == Decimal("95.00")
    assert selectors.balances(shop.customer).owed == 0 and selectors.ledger_mismatches() == []
    stored = ConnectEvent.objects.get(event_id="evt_ok")
    assert (stored.tenant.slug, stored.outcome, stored.account_id) == ("acme", "applied",
                                                                      "acct_acme")
    assert stored.processed_at is not None
    # another event of the same PaymentIntent (Stripe sends more than one) changes nothing
    again = connect_event("evt_ok_2", "payment_intent.succeeded",
                          fake_connect.public(fake_connect.intents[payment.stripe_payment_intent]),
                          account="acct_acme")
    assert deliver(public, again).json() == {"received": "already"}
    assert Entry.objects.filter(payment=payment).count() == 1
    # finance cannot confirm an online payment by hand
    with pytest.raises(ApplicationError) as refused:
        payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    assert refused.value.code == "payment_decided"


def test_finance_does_not_confirm_a_pending_online_payment_by_hand(shop, connected):
    payment, _secret = _start(shop, purpose="topup", amount="20")
    with pytest.raises(ApplicationError) as refused:
        payments.payment_confirm(actor=shop.staff.finance, payment=payment)
    assert refused.value.code == "online_payment"
    assert not payment.entries.exists()


def test_a_top_up_goes_to_the_prepaid_balance(shop, connected, fake_connect, public):
    payment, _secret = _start(shop, purpose="topup", amount="300")
    assert deliver(public, _succeeded(fake_connect, payment)).status_code == 200
    assert selectors.balances(shop.customer).prepaid == Decimal("300.00")
    assert payment.entries.get().kind == EntryKind.PREPAID_TOPUP


def test_paying_what_is_owed_settles_the_oldest_orders_first(shop, connected, fake_connect,
                                                             public):
    first, second = place(shop), place(shop)
    payment, _secret = _start(shop, amount="120")
    deliver(public, _succeeded(fake_connect, payment))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.payment_status, second.payment_status) == ("paid", "partial")
    assert selectors.balances(shop.customer).owed == Decimal("70.00")


def test_succeeded_before_the_payment_knows_its_intent_still_ends_paid(shop, connected,
                                                                       fake_connect, public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    intent_id = payment.stripe_payment_intent
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent=None)  # not saved yet
    fake_connect.requests.clear()
    assert deliver(public, _succeeded(fake_connect, payment)).json() == {"received": "applied"}
    (_m, path, headers, _p), = fake_connect.calls("get", "/v1/payment_intents/")
    assert path == f"/v1/payment_intents/{intent_id}" and headers["Stripe-Account"] == "acct_acme"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.stripe_payment_intent) == ("confirmed", intent_id)
    assert order.payment_status == OrderPaymentStatus.PAID
    assert Payment.objects.filter(customer=shop.customer).count() == 1
    assert Entry.objects.filter(payment=payment).count() == 1


def test_succeeded_without_the_local_payment_creates_it_from_the_metadata(shop, acme, connected,
                                                                          fake_connect, public):
    order = place(shop)
    fake_connect.intent("pi_lost", account="acct_acme", amount=9500, status="succeeded",
                        metadata={"tenant_schema": acme.schema_name, "payment_id": 999999,
                                  "customer_id": shop.customer.pk, "purpose": "orders",
                                  "order_ids": str(order.pk)})
    event = connect_event("evt_lost", "payment_intent.succeeded",
                          {"id": "pi_lost", "object": "payment_intent", "status": "succeeded"},
                          account="acct_acme")
    assert deliver(public, event).json() == {"received": "applied"}
    payment = Payment.objects.get(stripe_payment_intent="pi_lost")
    order.refresh_from_db()
    assert (payment.status, payment.method, payment.amount, payment.customer) == (
        "confirmed", "online", Decimal("95.00"), shop.customer)
    assert payment.number.startswith("PAY-") and list(payment.orders.all()) == [order]
    assert order.payment_status == OrderPaymentStatus.PAID


def test_an_event_naming_another_tenant_or_another_customer_has_no_effect(shop, acme, globex,
                                                                        connected, fake_connect,
                                                                        public):
    order = place(shop)
    other_order = place(shop, actor=shop.olga.user)
    olga_payment = online.online_payment_start(actor=shop.olga.user, purpose="orders",
                                               order_ids=[other_order.pk], key="olga")[0]
    cases = {
        # acme's account, but the metadata names globex's schema
        "pi_globex": {"tenant_schema": globex.schema_name, "payment_id": 1, "customer_id": 1,
                      "purpose": "topup"},
        # Gold Trading named as the customer of Olga's company's payment
        "pi_theirs": {"tenant_schema": acme.schema_name, "payment_id": olga_payment.pk,
                      "customer_id": shop.customer.pk, "purpose": "orders",
                      "order_ids": str(order.pk)},
        # a customer that does not exist here
        "pi_nobody": {"tenant_schema": acme.schema_name, "payment_id": 999998,
                      "customer_id": 999998,
                      "purpose": "topup"},
    }
    mine = Payment.objects.filter(customer__in=[shop.customer, shop.other])
    before = mine.count()
    for intent_id, metadata in cases.items():
        fake_connect.intent(intent_id, account="acct_acme", amount=9500, status="succeeded",
                            metadata=metadata)
        event = connect_event(f"evt_{intent_id}", "payment_intent.succeeded",
                              fake_connect.public(fake_connect.intents[intent_id]),
                              account="acct_acme")
        assert deliver(public, event).json() == {"received": "refused"}, intent_id
    # the right payment, but charged a different amount
    payment, _secret = _start(shop, order_ids=[order.pk])
    fake_connect.succeed(payment.stripe_payment_intent)
    fake_connect.intents[payment.stripe_payment_intent]["amount_received"] = 100
    cheap = connect_event("evt_cheap", "payment_intent.succeeded",
                          fake_connect.public(fake_connect.intents[payment.stripe_payment_intent]),
                          account="acct_acme")
    assert deliver(public, cheap).json() == {"received": "refused"}
    assert mine.count() == before + 1
    assert not Entry.objects.filter(kind=EntryKind.PAYMENT,
                                    account__customer__in=[shop.customer, shop.other]).exists()
    olga_payment.refresh_from_db()
    assert olga_payment.status == PaymentStatus.PENDING


def test_an_unknown_connected_account_is_recorded_with_no_effect(shop, connected, fake_connect,
                                                                 public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    event = connect_event("evt_stranger", "payment_intent.succeeded",
                          fake_connect.succeed(payment.stripe_payment_intent),
                          account="acct_stranger")
    assert deliver(public, event).json() == {"received": "unknown_account"}
    stored = ConnectEvent.objects.get(event_id="evt_stranger")
    assert (stored.tenant, stored.outcome, stored.account_id) == (None, "unknown_account",
                                                                  "acct_stranger")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not payment.entries.exists()


def test_a_failed_attempt_is_marked_and_a_later_success_still_confirms(shop, connected,
                                                                       fake_connect, public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    intent = fake_connect.public(fake_connect.intents[payment.stripe_payment_intent])
    intent["last_payment_error"] = {"message": "Your card was declined."}
    failed = connect_event("evt_failed", "payment_intent.payment_failed", intent,
                           account="acct_acme")
    assert deliver(public, failed).json() == {"received": "applied"}
    payment.refresh_from_db()
    assert (payment.status, payment.reject_reason) == ("rejected", "Your card was declined.")
    assert not payment.entries.exists()
    assert deliver(public, _succeeded(fake_connect, payment)).json() == {"received": "applied"}
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.reject_reason) == ("confirmed", "")
    assert order.payment_status == OrderPaymentStatus.PAID


def test_account_updated_re_reads_the_account(shop, acme, fake_connect, public):
    connected = connect_tenant(fake_connect, acme, charges_enabled=False,
                               details_submitted=False, capabilities={})
    fake_connect.account("acct_acme")  # Stripe's newest state: accepting payments
    stale = {"id": "acct_acme", "object": "account", "charges_enabled": False}
    event = connect_event("evt_acct", "account.updated", stale, account="acct_acme")
    assert deliver(public, event).json() == {"received": "applied"}
    connected.refresh_from_db()
    assert connected.charges_enabled and connected.details_submitted
    assert connected.capabilities["card_payments"] == "active"
    gone = connect_event("evt_gone", "account.application.deauthorized",
                         {"id": "ca_1", "object": "application"}, account="acct_acme")
    assert deliver(public, gone).json() == {"received": "applied"}
    connected.refresh_from_db()
    assert not connected.charges_enabled and connected.disabled_reason == "deauthorized"


def test_the_return_page_re_reads_the_intent_and_shows_the_result(shop, connected,
                                                                  fake_connect, client_for,
                                                                  public):
    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    dana = client_for(shop.dana.user)
    page = dana.get(f"/shop/pay/{payment.pk}/done/").content.decode()
    assert 'data-status="pending"' in page and 'data-testid="pay-retry"' in page
    fake_connect.succeed(payment.stripe_payment_intent)
    page = dana.get(f"/shop/pay/{payment.pk}/done/").content.decode()
    assert 'data-status="confirmed"' in page
    order.refresh_from_db()
    assert order.payment_status == OrderPaymentStatus.PAID
    # the event that follows finds it done
    event = connect_event("evt_after", "payment_intent.succeeded",
                          fake_connect.public(fake_connect.intents[payment.stripe_payment_intent]),
                          account="acct_acme")
    assert deliver(public, event).json() == {"received": "already"}
    assert Entry.objects.filter(payment=payment).count() == 1
    assert client_for(shop.olga.user).get(f"/shop/pay/{payment.pk}/done/").status_code == 404


# --- isolation ------------------------------------------------------------------------------


def test_one_tenants_connected_account_pays_nothing_of_another(shop, acme, globex, connected,
                                                               fake_connect, public):
    """acme's dealers pay into acme's account only; globex (not connected) offers nothing
    online, and an event of acme's account never reaches globex's schema."""
    from django_tenants.utils import tenant_context

    order = place(shop)
    payment, _secret = _start(shop, order_ids=[order.pk])
    with tenant_context(globex):
        assert "online" not in offered_payment_methods()
        assert not online.online_available()
        assert not Payment.objects.filter(stripe_payment_intent=payment.stripe_payment_intent) \
            .exists()
    assert deliver(public, _succeeded(fake_connect, payment)).json() == {"received": "applied"}
    assert ConnectEvent.objects.get(event_id="evt_ok").tenant == acme
    with tenant_context(globex):
        assert not Entry.objects.exists() and not Payment.objects.exists()
    globex_account = connect_tenant(fake_connect, globex, account_id="acct_globex")
    stray = connect_event("evt_stray", "payment_intent.succeeded",
                          fake_connect.public(fake_connect.intents[payment.stripe_payment_intent]),
                          account=globex_account.account_id)
    # globex's account does not have acme's PaymentIntent: no effect anywhere
    assert deliver(public, stray).json() == {"received": "refused"}
    with tenant_context(globex):
        assert not Payment.objects.exists()
    assert Entry.objects.filter(payment=payment).count() == 1
