"""First run in a real browser (issue 10): a new supplier signs up and walks the
first-run checklist to the end; a product with its price and opening stock is created on
a phone; a dealer adds an address from checkout and comes back with it selected."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
OWNER_PASSWORD = "Harbour-pass-2026"


def _step(page, key):
    return page.get_by_test_id(f"checklist-step-{key}")


def _home_shows_done(page, live, slug, key, count):
    page.goto(live.tenant(slug, "/dashboard/"))
    expect(_step(page, key)).to_have_attribute("data-done", "yes")
    expect(page.get_by_test_id("checklist-count")).to_have_text(f"{count} of 6 done")


def test_a_new_supplier_walks_the_first_run_checklist_to_the_end(page, live):
    slug = f"fr-{uuid.uuid4().hex[:6]}"
    page.goto(live.url(path="/signup/"))
    page.get_by_label("Company name").fill("Harbour Foods")
    page.locator("input[name=slug]").fill(slug)
    page.get_by_label("Your name").fill("Harbour Owner")
    page.get_by_label("Work e-mail").fill(f"owner@{slug}.example")
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_label("Default language of your site").select_option("en")
    page.get_by_role("button", name="Create my site").click()
    page.wait_for_url(live.tenant(slug, "/dashboard/"))

    expect(page.get_by_test_id("checklist-count")).to_have_text("0 of 6 done")
    for key in ("company-profile", "products", "customers", "payments", "workflow",
                "shipping"):
        expect(_step(page, key)).to_have_attribute("data-done", "no")

    # 1. Company profile
    page.get_by_test_id("checklist-link-company-profile").click()
    page.wait_for_url("**/dashboard/settings/company/")
    page.get_by_test_id("company-profile-form").get_by_role("button", name="Save").click()
    _home_shows_done(page, live, slug, "company-profile", 1)

    # 2. First product: price, unit and opening stock on one form
    page.get_by_test_id("checklist-link-products").click()
    page.wait_for_url("**/dashboard/catalog/products/new/")
    page.get_by_label("Name", exact=True).fill("Oolong tea")
    page.get_by_label("Product code").fill("OOLONG")
    page.get_by_label("Base unit").fill("tin")
    page.get_by_label("Price").fill("48.00")
    page.get_by_label("Opening stock").fill("60")
    page.get_by_test_id("product-save").click()
    page.wait_for_url("**/dashboard/catalog/products/*/")
    _home_shows_done(page, live, slug, "products", 2)

    # 3. First customer, with a login
    page.get_by_test_id("checklist-link-customers").click()
    page.wait_for_url("**/dashboard/customers/new/")
    page.get_by_label("Company name").fill("Quay Traders")
    page.get_by_test_id("customer-save").click()
    page.get_by_test_id("add-login").click()
    page.get_by_label("E-mail").fill(f"buyer@{slug}.example")
    page.get_by_label("Initial password").fill("Quay-start-2026")
    page.get_by_test_id("subform-save").click()
    expect(page.get_by_test_id("customer-logins")).to_contain_text(f"buyer@{slug}.example")
    _home_shows_done(page, live, slug, "customers", 3)

    # 4. Payment methods
    page.get_by_test_id("checklist-link-payments").click()
    page.wait_for_url("**/dashboard/orders/settings/#payment-methods")
    page.get_by_test_id("payment-prepaid").uncheck()
    page.get_by_test_id("payment-methods-save").click()
    _home_shows_done(page, live, slug, "payments", 4)

    # 5. Workflow steps
    page.get_by_test_id("checklist-link-workflow").click()
    page.wait_for_url("**/dashboard/orders/settings/")
    page.get_by_test_id("step-finance_review").uncheck()
    page.get_by_test_id("order-settings-save").click()
    _home_shows_done(page, live, slug, "workflow", 5)

    # 6. Shipping: the site started with a standard delivery and the common carriers
    page.get_by_test_id("checklist-link-shipping").click()
    page.wait_for_url("**/dashboard/orders/settings/#shipping-methods")
    method = page.get_by_test_id("method-row").first
    expect(method.locator("input[name$=name]")).to_have_value("Standard delivery")
    carriers = page.get_by_test_id("carriers").locator("input[name$=name]")
    expect(carriers.first).to_have_value("顺丰速运")  # a CNY site: the domestic carriers
    method.locator("input[name$=fee]").fill("10")
    method.get_by_test_id("method-save").click()
    page.wait_for_url("**/dashboard/orders/settings/#shipping-methods")

    # The end: the checklist gives way to what comes next
    page.goto(live.tenant(slug, "/dashboard/"))
    expect(page.get_by_test_id("checklist")).to_have_count(0)
    nxt = page.get_by_test_id("next-steps")
    expect(nxt).to_be_visible()
    expect(nxt.get_by_test_id("shop-link")).to_have_value(f"https://{slug}.localhost/")
    nxt.get_by_test_id("next-invite").click()
    page.wait_for_url("**/dashboard/customers/new/")


def _phone_fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_a_product_with_price_and_opening_stock_is_created_on_a_phone(phone, live):
    from ordering.catalog.models import Product
    from tenants.services import tenant_provision

    slug = f"fp-{uuid.uuid4().hex[:6]}"
    tenant = tenant_provision(name="Phone Foods", slug=slug, owner_email=f"o@{slug}.example",
                              owner_password=OWNER_PASSWORD, language="en").tenant
    sign_in(phone, live, f"o@{slug}.example", OWNER_PASSWORD, slug=slug)
    phone.wait_for_url("**/dashboard/")
    phone.goto(live.tenant(slug, "/dashboard/catalog/products/new/"))
    _phone_fits(phone)
    phone.get_by_label("Name", exact=True).fill("Jasmine tea")
    phone.get_by_label("Product code").fill("JAS-1")
    phone.get_by_label("Base unit").fill("tin")
    phone.get_by_label("Price").fill("35.00")
    phone.get_by_label("Opening stock").fill("1.5")  # refused on the same form
    phone.get_by_test_id("product-save").click()
    expect(phone.get_by_test_id("product-form")).to_contain_text("Whole numbers only.")
    _phone_fits(phone)
    with tenant_context(tenant):
        assert not Product.objects.exists()
    phone.get_by_label("Opening stock").fill("120")
    box = phone.get_by_label("Opening stock").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone.get_by_test_id("product-save").click()
    phone.wait_for_url("**/dashboard/catalog/products/*/")
    with tenant_context(tenant):
        variant = Product.objects.get(code="JAS-1").variants.get()
        assert (str(variant.list_price), variant.on_hand) == ("35.00", 120)


def test_a_dealer_adds_an_address_from_checkout_and_comes_back_to_it(phone, live):
    from ordering.catalog.services import products as catalog
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from ordering.orders.models import Order, ShippingMethod
    from tenants.services import tenant_provision

    slug = f"fc-{uuid.uuid4().hex[:6]}"
    tenant = tenant_provision(name="Checkout Foods", slug=slug, owner_email=f"o@{slug}.example",
                              owner_password=OWNER_PASSWORD, language="en").tenant
    email, password = f"buyer@{slug}.example", "Buyer-pass-2026"
    with tenant_context(tenant):
        customer = customer_services.customer_create(actor=None, name="Quay Traders")
        login = login_services.login_create(actor=None, customer=customer, email=email,
                                            password=password, language="en",
                                            site_url=f"http://{slug}.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        contact_services.address_save(actor=None, customer=customer, recipient="Lin Tao",
                                      phone="13600000000", address="1 Old Quay")
        product = catalog.product_create_single(
            actor=None, name="Oolong tea", code="OOL", unit=catalog.unit_get_or_create("tin"),
            list_price="48.00", opening_stock=50, on_shelf=True)
        default_method = ShippingMethod.objects.get()  # the site's default
        ShippingMethod.objects.create(name="Express", fee="30.00", position=9)

    sign_in(phone, live, email, password, slug=slug)
    phone.wait_for_url("**/shop/")
    # a fraction on the product page is refused there, called what it is
    phone.goto(live.tenant(slug, f"/shop/catalog/{product.pk}/"))
    phone.get_by_test_id("add-to-cart-quantity").fill("1.5")
    phone.get_by_test_id("add-to-cart").click()
    expect(phone.get_by_test_id("add-to-cart-error")).to_have_text("Whole numbers only.")
    expect(phone.get_by_test_id("product-price")).to_be_visible()
    phone.get_by_test_id("add-to-cart-quantity").fill("3")
    phone.get_by_test_id("add-to-cart").click()
    expect(phone.get_by_test_id("add-to-cart-error")).to_have_count(0)

    phone.goto(live.tenant(slug, "/shop/checkout/"))
    expect(phone.locator(f"input[name=shipping_method][value='{default_method.pk}']")) \
        .to_be_checked()
    phone.get_by_test_id("checkout-add-address").click()
    phone.get_by_label("Recipient").fill("Wang Wu")
    phone.get_by_label("Phone", exact=True).fill("13700000000")
    phone.get_by_label("Address", exact=True).fill("9 New Dock Road")
    phone.get_by_test_id("address-save").click()
    phone.wait_for_url("**/shop/checkout/?address=*")
    chosen = phone.locator("input[name=address]:checked")
    expect(chosen).to_have_count(1)
    expect(phone.locator("[data-testid=address-option]", has=chosen)).to_contain_text(
        "9 New Dock Road")
    phone.get_by_test_id("place-order").click()
    phone.wait_for_url("**/shop/orders/*/")
    with tenant_context(tenant):
        order = Order.objects.get()
        assert order.address == "9 New Dock Road" and order.recipient == "Wang Wu"
        assert order.shipping_method_id == default_method.pk


def test_the_checklist_and_the_existing_owner_notice_fit_a_phone(phone, live):
    from tenants.services import tenant_provision

    slug = f"fw-{uuid.uuid4().hex[:6]}"
    email = f"o@{slug}.example"
    tenant_provision(name="Narrow Foods", slug=slug, owner_email=email,
                     owner_password=OWNER_PASSWORD, language="en")
    sign_in(phone, live, email, OWNER_PASSWORD, slug=slug)
    phone.wait_for_url("**/dashboard/")
    expect(phone.get_by_test_id("checklist")).to_be_visible()
    expect(phone.get_by_test_id("checklist-next")).to_be_visible()
    _phone_fits(phone)

    phone.goto(live.url(path="/signup/"))
    phone.locator("input[name=name]").fill("Second Company")
    phone.locator("input[name=slug]").fill(f"{slug}-2")
    phone.locator("input[name=owner_name]").fill("Owner")
    phone.locator("input[name=owner_email]").fill(email)
    phone.locator("input[name=owner_password]").fill(OWNER_PASSWORD)
    phone.locator("[data-testid=signup-form] button[type=submit]").click()
    expect(phone.get_by_test_id("existing-owner")).to_be_visible()
    _phone_fits(phone)
    phone.get_by_test_id("email-my-sites").click()
    expect(phone.get_by_test_id("owner-sites-sent")).to_be_visible()
    _phone_fits(phone)
