"""An order through the supplier's workflow in a real browser.

A dealer's order (placed through the checkout service) is approved by the order
reviewer, then by the finance reviewer, then by the warehouse (outbound review); the
shipping clerk ships part of it with a tracking number, then the rest; the dealer
confirms receipt on a phone in the shop. A second run switches finance review off: the
step never appears and nobody approves it. Another run has the dealer ask a question on
an order: the reviewer sees the bell and the unread badge, reads the thread and answers.
The tenant's workflow settings are put back afterwards (the data is committed).
"""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Journey-pass-2026"


def _context(browser, **extra):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900},
                                  **extra)
    context.set_default_timeout(15000)
    return context


@pytest.fixture
def world(committed):
    """Staff in the four workflow roles, a dealer with a login and address, a stocked
    product, a carrier; the tenant's order settings are restored afterwards."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from ordering.orders.models import Carrier, ShippingMethod
    from ordering.settings.selectors import tenant_settings
    from ordering.settings.services import settings_update
    from roles.models import Role
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        current = tenant_settings()
        saved = {"workflow_off": list(current.workflow_off),
                 "reserve_stock_at": current.reserve_stock_at,
                 "auto_receipt_days": current.auto_receipt_days,
                 "min_order_amount": current.min_order_amount}
    User = get_user_model()
    with tenant_context(acme):
        staff = {}
        for key, role in (("reviewer", "order_reviewer"), ("finance", "finance_reviewer"),
                          ("warehouse", "warehouse_manager"), ("shipper", "shipping_clerk")):
            user = User.objects.create_user(email=f"{key}-{tag}@acme.example", password=PASSWORD,
                                            name=f"{key.title()} {tag}")
            user.groups.set([Role.objects.get(key=role).group])
            staff[key] = user
        customer = customer_services.customer_create(actor=None, name=f"Harbour Shop {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"dealer-{tag}@harbour.example",
                                            password=PASSWORD, site_url="http://acme.localhost")
        User.objects.filter(pk=login.user_id).update(must_change_password=False)
        address = contact_services.address_save(actor=None, customer=customer,
                                                recipient="Mei Chen", phone="13800001111",
                                                address="8 Quay Street")
        product = catalog.product_create(actor=None, name=f"Sparkling water {tag}",
                                         code=f"SW-{tag}", on_shelf=True,
                                         unit=catalog.unit_get_or_create("bottle"))
        variant = catalog.variant_save(actor=None, product=product, code=f"SW-{tag}-1",
                                       list_price="3.00")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=100)
        carrier = Carrier.objects.create(name=f"Quay Express {tag}",
                                         tracking_url="https://track.example/{number}")
        method = ShippingMethod.objects.filter(is_active=True).order_by("position", "id").first()
    yield {"tag": tag, "acme": acme, "staff": staff, "customer": customer, "login": login,
           "address": address, "variant": variant, "carrier": carrier, "method": method}
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        settings_update(actor=None, **saved)  # forgets the cached settings
    with tenant_context(acme):
        Product.objects.filter(code=f"SW-{tag}").update(on_shelf=False)
        Carrier.objects.filter(pk=carrier.pk).delete()
        User.objects.filter(email__endswith=f"-{tag}@acme.example").update(is_active=False)


def _set_workflow(acme, off):
    from ordering.settings.services import settings_update
    from tenants.models import Tenant

    tenant = Tenant.objects.get(pk=acme.pk)
    with tenant_context(tenant):
        settings_update(actor=None, workflow_off=list(off), min_order_amount=0)
    return tenant


def _place(world):
    from ordering.orders.enums import PaymentMethod
    from ordering.orders.services.checkout import order_place
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(pk=world["acme"].pk)):
        return order_place(actor=world["login"].user, customer=world["customer"],
                           lines=[{"variant": world["variant"].pk, "quantity": 10}],
                           address_id=world["address"].pk, payment_method=PaymentMethod.TRANSFER,
                           shipping_method_id=world["method"].pk if world["method"] else None,
                           remark="Ring the bell").order


def _pay(world, order):
    from django.utils import timezone

    from ordering.finance.services import payments
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(pk=world["acme"].pk)):
        payment = payments.payment_record(actor=world["login"].user, amount=order.total,
                                          paid_on=timezone.localdate(), order_ids=[order.pk])
        payments.payment_confirm(actor=world["staff"]["finance"], payment=payment)


def _open_order(page, live, number):
    page.goto(live.tenant("acme", "/dashboard/orders/"))
    page.get_by_test_id("order-filters").get_by_role("searchbox").fill(number)
    page.get_by_test_id("order-filters").get_by_role("button", name="Filter").click()
    page.get_by_test_id("order-row").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("order-number")).to_have_text(number)


def _approve_as(browser, live, user, number, status_after):
    context = _context(browser)
    page = context.new_page()
    try:
        sign_in(page, live, user.email, PASSWORD)
        page.wait_for_url("**/dashboard/")
        page.get_by_test_id("nav-orders").click()
        _open_order(page, live, number)
        page.get_by_test_id("action-approve").click()
        expect(page.locator(".alert-success")).to_contain_text("Order approved.")
        expect(page.get_by_test_id("order-status")).to_have_text(status_after)
        expect(page.get_by_test_id("action-approve")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("finance_on", [True, False], ids=["all-steps", "finance-off"])
def test_order_goes_through_review_shipping_and_receipt(browser, live, world, finance_on):
    from ordering.orders.enums import EventKind, OrderStatus
    from ordering.orders.models import Order
    from ordering.orders.services.shipments import receipt_confirm

    acme = _set_workflow(world["acme"], [] if finance_on else ["finance_review"])
    order = _place(world)
    number, tag, staff = order.number, world["tag"], world["staff"]
    assert order.status == OrderStatus.ORDER_REVIEW

    # the order reviewer approves; the finance step follows only when it is on
    _approve_as(browser, live, staff["reviewer"], number,
                "Awaiting finance review" if finance_on else "Awaiting outbound review")
    if finance_on:  # finance review passes a paid order: the dealer's transfer arrived
        _pay(world, order)
        _approve_as(browser, live, staff["finance"], number, "Awaiting outbound review")
    else:  # the finance reviewer has nothing to approve, and the step is not shown
        context = _context(browser)
        page = context.new_page()
        sign_in(page, live, staff["finance"].email, PASSWORD)
        page.wait_for_url("**/dashboard/")
        _open_order(page, live, number)
        expect(page.get_by_test_id("action-approve")).to_have_count(0)
        progress = page.get_by_test_id("order-progress")
        expect(progress).not_to_contain_text("Finance review")
        expect(progress).to_contain_text("Outbound review")
        context.close()
    _approve_as(browser, live, staff["warehouse"], number, "Awaiting shipment")

    # the shipping clerk ships 4 of 10 with a tracking number, then the rest
    context = _context(browser)
    page = context.new_page()
    sign_in(page, live, staff["shipper"].email, PASSWORD)
    page.wait_for_url("**/dashboard/")
    _open_order(page, live, number)
    form = page.get_by_test_id("ship-form")
    quantity = form.get_by_test_id("ship-line").get_by_role("spinbutton")
    expect(quantity).to_have_value("10")
    quantity.fill("4")
    form.get_by_label("Carrier").select_option(label=f"Quay Express {tag}")
    form.get_by_label("Tracking number").fill(f"QE-{tag}-1")
    form.get_by_test_id("ship-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("Shipment recorded.")
    expect(page.get_by_test_id("order-status")).to_have_text("Awaiting shipment")
    expect(page.get_by_test_id("fulfilment-status")).to_have_text("Partly shipped")
    link = page.get_by_test_id("tracking-link")
    expect(link).to_have_text(f"QE-{tag}-1")
    expect(link).to_have_attribute("href", f"https://track.example/QE-{tag}-1")
    quantity = page.get_by_test_id("ship-form").get_by_test_id("ship-line") \
        .get_by_role("spinbutton")
    expect(quantity).to_have_value("6")  # what is left
    page.get_by_test_id("ship-form").get_by_label("Carrier").select_option(
        label=f"Quay Express {tag}")
    page.get_by_test_id("ship-form").get_by_label("Tracking number").fill(f"QE-{tag}-2")
    page.get_by_test_id("ship-submit").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Awaiting receipt")
    expect(page.get_by_test_id("shipment")).to_have_count(2)
    expect(page.get_by_test_id("ship-form")).to_have_count(0)
    # the delivery note prints what was shipped
    page.get_by_test_id("print-order").click()
    expect(page.get_by_test_id("delivery-note")).to_contain_text(f"SW-{tag}-1")
    context.close()

    # the dealer confirms receipt on a phone in the shop (or, without that page, the
    # service does it as the dealer)
    phone_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844},
                                        is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(15000)
    phone = phone_context.new_page()
    phone.on("dialog", lambda dialog: dialog.accept())
    sign_in(phone, live, world["login"].user.email, PASSWORD)
    phone.wait_for_url("**/shop/**")
    response = phone.goto(live.tenant("acme", f"/shop/orders/{order.pk}/"))
    if response is not None and response.status == 200:
        phone.get_by_test_id("order-receive").click()
        expect(phone.get_by_test_id("order-receive")).to_have_count(0)
    else:
        with tenant_context(acme):
            receipt_confirm(actor=world["login"].user, order=order)
    phone_context.close()

    with tenant_context(acme):
        order = Order.objects.get(pk=order.pk)
        assert order.status == OrderStatus.COMPLETED
        assert order.shipments.count() == 2
        line = order.lines.get()
        assert line.shipped_quantity == 10
        events = list(order.events.values_list("kind", "step", "actor__email"))
        approvals = [(step, email) for kind, step, email in events
                     if kind == EventKind.APPROVED]
        expected = [(OrderStatus.ORDER_REVIEW, staff["reviewer"].email)]
        if finance_on:
            expected.append((OrderStatus.FINANCE_REVIEW, staff["finance"].email))
        expected.append((OrderStatus.OUTBOUND_REVIEW, staff["warehouse"].email))
        assert approvals == expected
        skipped = [step for kind, step, _email in events if kind == EventKind.SKIPPED]
        assert skipped == ([] if finance_on else [OrderStatus.FINANCE_REVIEW])
        received = [email for kind, _step, email in events if kind == EventKind.RECEIVED]
        assert received == [world["login"].user.email]


def test_staff_answers_a_dealers_message(browser, live, world):
    from ordering.notifications.models import Notification
    from ordering.orders.models import OrderMessage
    from ordering.orders.services.messages import message_post
    from tenants.models import Tenant

    acme = _set_workflow(world["acme"], [])
    order = _place(world)
    number, tag, reviewer = order.number, world["tag"], world["staff"]["reviewer"]
    dealer = world["login"].user
    with tenant_context(acme):
        message_post(actor=dealer, order=order, body=f"Can you deliver before noon? {tag}")

    context = _context(browser)
    page = context.new_page()
    try:
        sign_in(page, live, reviewer.email, PASSWORD)
        page.wait_for_url("**/dashboard/")
        # the bell counts the reviewer's notifications and leads to the message centre
        expect(page.get_by_test_id("bell-count")).to_be_visible()
        page.get_by_test_id("nav-orders").click()
        page.get_by_test_id("order-filters").get_by_role("searchbox").fill(number)
        page.get_by_test_id("order-filters").get_by_role("button", name="Filter").click()
        row = page.get_by_test_id("order-row")
        expect(row.get_by_test_id("unread-messages")).to_have_text("1")
        row.get_by_role("link", name=number).click()
        expect(page.get_by_test_id("order-number")).to_have_text(number)
        thread = page.get_by_test_id("order-messages")
        expect(thread.get_by_test_id("message")).to_have_count(1)
        expect(thread).to_contain_text(f"Can you deliver before noon? {tag}")
        thread.get_by_test_id("message-input").fill("Yes: the truck leaves at seven.")
        thread.get_by_test_id("message-submit").click()
        expect(page.locator(".alert-success")).to_contain_text("Message sent.")
        messages = page.get_by_test_id("order-messages").get_by_test_id("message")
        expect(messages).to_have_count(2)
        expect(messages.last).to_have_attribute("data-side", "staff")
        expect(messages.last).to_contain_text("Yes: the truck leaves at seven.")
        # read: no badge on the list any more
        page.get_by_test_id("nav-orders").click()
        page.get_by_test_id("order-filters").get_by_role("searchbox").fill(number)
        page.get_by_test_id("order-filters").get_by_role("button", name="Filter").click()
        expect(page.get_by_test_id("order-row")).to_have_count(1)
        expect(page.get_by_test_id("unread-messages")).to_have_count(0)
        page.get_by_test_id("bell").click()
        page.wait_for_url("**/dashboard/notifications/")
    finally:
        context.close()

    with tenant_context(Tenant.objects.get(pk=acme.pk)):
        answer = OrderMessage.objects.filter(order=order).order_by("created_at", "id").last()
        assert (answer.author_id, answer.from_dealer) == (reviewer.pk, False)
        assert Notification.objects.filter(recipient=dealer, kind="message",
                                           subject=f"order:{order.pk}").exists()
