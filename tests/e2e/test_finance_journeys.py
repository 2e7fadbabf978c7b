"""Money in the browser: a dealer pays an order by transfer with a photo of the bank slip
and finance confirms it (the dealer's outstanding drops); a dealer pays an order with
its prepaid balance plus its rebate at checkout; a dealer questions a line of a
statement of account, finance corrects it and the dealer confirms the answered
statement. Dealers on a phone, finance on a desktop."""

import io
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Finance-journey-2026"


@pytest.fixture
def money_world(committed):
    """A dealer company with an ordering login and an address, a stocked product, a
    finance reviewer (committed data in acme; acme keeps its strict finance rules)."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from roles.models import Role
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    User = get_user_model()
    with tenant_context(acme):
        finance = User.objects.create_user(email=f"money-{tag}@acme.example", password=PASSWORD,
                                           name=f"Fiona {tag}")
        finance.groups.set([Role.objects.get(key="finance_reviewer").group])
        customer = customer_services.customer_create(actor=None, name=f"Lotus Stores {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"lotus-{tag}@lotus.example",
                                            password=PASSWORD, language="en",
                                            site_url="http://acme.localhost")
        User.objects.filter(pk=login.user_id).update(must_change_password=False)
        address = contact_services.address_save(actor=None, customer=customer,
                                                recipient="Lotus Wu", phone="13700002222",
                                                address=f"{tag} Lotus Road")
        product = catalog.product_create(actor=None, name=f"Jasmine tea {tag}",
                                         code=f"JT-{tag}", on_shelf=True,
                                         unit=catalog.unit_get_or_create("box"))
        variant = catalog.variant_save(actor=None, product=product, code=f"JT-{tag}-1",
                                       list_price="25.00")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=200)
    yield {"tag": tag, "acme": acme, "finance": finance, "customer": customer, "login": login,
           "address": address, "variant": variant}
    with tenant_context(acme):
        Product.objects.filter(code=f"JT-{tag}").update(on_shelf=False)
        User.objects.filter(pk__in=[finance.pk, login.user_id]).update(is_active=False)


def _place(world, quantity=4, **values):
    from ordering.orders.services.checkout import order_place
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(pk=world["acme"].pk)):
        return order_place(actor=world["login"].user, customer=world["customer"],
                           lines=[{"variant": world["variant"].pk, "quantity": quantity}],
                           address_id=world["address"].pk,
                           payment_method=values.pop("payment_method", "transfer"),
                           **values).order


def _desktop(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    return context


def _slip():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(buffer, "PNG")
    return {"name": "bank-slip.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_dealer_pays_by_transfer_with_a_slip_and_finance_confirms(browser, phone, live,
                                                                  money_world):
    order = _place(money_world)
    sign_in(phone, live, money_world["login"].user.email, PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", "/shop/finance/"))
    expect(phone.get_by_test_id("balance-owed")).to_contain_text("100.00")
    row = phone.get_by_test_id("open-order").filter(has_text=order.number)
    row.get_by_test_id("open-order-check").check()
    phone.get_by_test_id("pay-selected").click()
    phone.wait_for_url("**/shop/finance/transfer/**")
    expect(phone.get_by_label("Amount")).to_have_value("100.00")
    phone.get_by_label("Bank reference (optional)").fill(f"ICBC {money_world['tag']}")
    phone.get_by_label("Proof of payment (image or PDF)").set_input_files(_slip())
    phone.get_by_test_id("transfer-submit").click()
    phone.wait_for_url("**/shop/finance/payments/")
    expect(phone.get_by_test_id("payment-row").first.get_by_test_id("payment-status")
           ).to_have_text("Awaiting confirmation")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    context = _desktop(browser)
    desk = context.new_page()
    try:
        sign_in(desk, live, money_world["finance"].email, PASSWORD)
        desk.wait_for_url("**/dashboard/")
        desk.get_by_test_id("nav-payments").click()
        desk.get_by_test_id("payment-row").filter(has_text=money_world["customer"].name
                                                  ).get_by_role("link").click()
        expect(desk.get_by_test_id("payment-amount")).to_contain_text("100.00")
        with desk.expect_popup() as popup:
            desk.get_by_test_id("payment-proof").click()
        assert popup.value.evaluate("document.contentType") == "image/png"
        popup.value.close()
        desk.get_by_test_id("payment-confirm").click()
        expect(desk.get_by_test_id("payment-status")).to_have_text("Confirmed")
        expect(desk.get_by_test_id("payment-allocations")).to_contain_text(order.number)
    finally:
        context.close()

    phone.goto(live.tenant("acme", "/shop/finance/"))
    expect(phone.get_by_test_id("balance-owed")).to_contain_text("0.00")
    expect(phone.get_by_test_id("nothing-to-pay")).to_be_visible()


def test_dealer_pays_with_prepaid_plus_rebate_at_checkout(phone, live, money_world):
    from ordering.finance import selectors
    from ordering.finance.enums import AccountKind
    from ordering.finance.services import ledger
    from ordering.orders.models import Order
    from ordering.settings.selectors import tenant_settings
    from tenants.models import Tenant

    acme = Tenant.objects.get(pk=money_world["acme"].pk)
    with tenant_context(acme):
        share = tenant_settings().rebate_share
        ledger.adjustment_post(actor=None, customer=money_world["customer"],
                               account_kind=AccountKind.PREPAID, amount="500",
                               reason="Top-up at the trade fair")
        ledger.rebate_grant(actor=None, customer=money_world["customer"], amount="40",
                            reason="Spring rebate")
    sign_in(phone, live, money_world["login"].user.email, PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", f"/shop/catalog/{money_world['variant'].product_id}/"))
    phone.get_by_test_id("add-to-cart").first.click()
    phone.goto(live.tenant("acme", "/shop/checkout/"))
    phone.get_by_test_id("checkout-payment").get_by_label("Prepaid balance").check()
    expect(phone.get_by_test_id("checkout-balances")).to_contain_text("500.00")
    phone.get_by_test_id("use-rebate").check()
    phone.get_by_test_id("place-order").click()
    phone.wait_for_url("**/shop/orders/*/")
    expect(phone.get_by_test_id("order-payment-method")).to_contain_text("Paid")
    expect(phone.get_by_test_id("order-payment-method")).to_contain_text("Rebate used")
    with tenant_context(acme):
        order = Order.objects.filter(customer=money_world["customer"]).latest("id")
        rebate = min(Decimal("40.00"), (order.subtotal * share / 100).quantize(Decimal("0.01")))
        assert order.rebate_used == rebate and order.amount_paid == order.total
        balances = selectors.balances(money_world["customer"])
        assert balances.rebate == Decimal("40.00") - rebate
        assert balances.prepaid == Decimal("500.00") - (order.total - rebate)
        assert balances.owed == 0


def test_dealer_questions_a_statement_line_finance_corrects_it_dealer_confirms(
        browser, phone, live, money_world):
    from django.utils import timezone

    from ordering.finance.services import reconciliation
    from tenants.models import Tenant

    first = _place(money_world, quantity=2)
    second = _place(money_world, quantity=3)
    acme = Tenant.objects.get(pk=money_world["acme"].pk)
    with tenant_context(acme):
        statement = reconciliation.reconciliation_issue(
            actor=money_world["finance"], customer=money_world["customer"],
            start=timezone.localdate().replace(day=1), end=timezone.localdate())
    sign_in(phone, live, money_world["login"].user.email, PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", "/shop/finance/"))
    phone.get_by_test_id("link-statements").click()
    phone.get_by_test_id("statement-item").filter(has_text=statement.number).click()
    expect(phone.get_by_test_id("statement-closing")).to_contain_text("125.00")
    phone.get_by_test_id("statement-line").filter(has_text=second.number
                                                  ).get_by_test_id("dispute-line").check()
    phone.get_by_label("What is wrong?").fill("We ordered two boxes, not three")
    phone.get_by_test_id("dispute-submit").click()
    expect(phone.get_by_test_id("statement-waiting")).to_be_visible()

    context = _desktop(browser)
    desk = context.new_page()
    try:
        sign_in(desk, live, money_world["finance"].email, PASSWORD)
        desk.wait_for_url("**/dashboard/")
        desk.get_by_test_id("nav-statements").click()
        desk.get_by_test_id("tab-disputed").click()
        desk.get_by_test_id("statement-row").filter(has_text=statement.number
                                                    ).get_by_role("link").click()
        dispute = desk.get_by_test_id("dispute").filter(has_text="not three")
        dispute.get_by_label("Answer to the dealer").fill("Right: one box less, credited")
        dispute.get_by_label("Correction").select_option("adjust")
        dispute.get_by_label("Adjustment (negative lowers what is owed)").fill("-25")
        dispute.get_by_test_id("answer-submit").click()
        expect(desk.get_by_test_id("statement-status")).to_have_text("Answered")
        expect(desk.get_by_test_id("statement-closing")).to_contain_text("100.00")
    finally:
        context.close()

    phone.reload()
    expect(phone.get_by_test_id("statement-answered")).to_be_visible()
    expect(phone.get_by_test_id("dispute-answer")).to_contain_text("one box less")
    phone.get_by_test_id("statement-confirm").click()
    expect(phone.get_by_test_id("statement-confirmed")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with tenant_context(acme):
        statement.refresh_from_db()
        assert statement.status == "confirmed" and statement.closing == Decimal("100.00")
        assert first.number  # the first order stays as it was
