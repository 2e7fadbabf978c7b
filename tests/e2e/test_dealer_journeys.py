"""Dealer journeys in a real browser.

1. Self-registration: the supplier opens online applications, a dealer applies on a
   phone with a photo of the business licence, staff review the application (the
   licence image loads), approve it with a customer level, and the dealer chooses a
   password from the welcome e-mail and lands in the shop.
2. Shop self-service: a company's primary login manages its shipping addresses, its
   profile and its colleagues' logins on a phone; a disabled login is signed out at
   its next page; a login that is not the primary one cannot open the logins page.
"""

import re
import uuid

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

from tenants.models import Tenant

pytestmark = pytest.mark.e2e

PHONE = {"locale": "en-US", "viewport": {"width": 390, "height": 844}, "is_mobile": True,
         "has_touch": True}


def _phone_page(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15000)
    return context.new_page()


def _mobile_number():
    return "139" + str(uuid.uuid4().int)[:8]


def _set_self_registration(open_):
    from django_tenants.utils import tenant_context

    from ordering.customers.services.applications import registration_settings_update

    with tenant_context(Tenant.objects.get(slug="acme")):
        # the service forgets the cached settings (this process serves the live site)
        registration_settings_update(actor=None, self_registration=open_)


# --- 1. self-registration ------------------------------------------------------------


def _licence_files(tmp_path):
    from PIL import Image

    image = tmp_path / "licence.png"
    Image.new("RGB", (120, 80), (30, 120, 200)).save(image, format="PNG")
    fake = tmp_path / "licence-scan.png"
    fake.write_text("This is a text file, not a picture of a business licence.\n")
    return image, fake


def test_dealer_applies_on_a_phone_and_orders_once_staff_approve(page, phone, live, tmp_path):
    from ordering.customers.models import Customer, CustomerLevel
    from ordering.customers.services.customers import level_create
    from tests.conftest import OWNER_PASSWORD

    suffix = uuid.uuid4().hex[:6]
    company = f"Lakeview Drinks {suffix}"
    email = f"apply-{suffix}@lakeview.example"
    level_name = f"Gold {suffix}"
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        level = level_create(actor=None, name=level_name, price_percent=90)
    image, fake = _licence_files(tmp_path)
    try:
        # The owner opens online applications.
        sign_in(page, live, "owner@acme.example", OWNER_PASSWORD)
        page.wait_for_url(live.tenant("acme", "/dashboard/"))
        page.get_by_test_id("dashboard-nav").get_by_role("link", name="Dealer sign-up").click()
        expect(page.get_by_test_id("registration-status")).to_have_text("Closed")
        page.get_by_label("Dealers may apply for an ordering account online").check()
        page.get_by_test_id("customer-settings-form").get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("registration-status")).to_have_text("Open")
        expect(page.locator(".alert-success")).to_contain_text("Online applications are open")
        expect(page.get_by_test_id("apply-url")).to_have_value(live.tenant("acme", "/apply/"))

        # The dealer applies on a phone, from the sign-in page.
        phone.goto(live.tenant("acme", "/login/"))
        phone.get_by_role("link", name="Apply for an ordering account").click()
        phone.wait_for_url(live.tenant("acme", "/apply/"))
        phone.get_by_label("Company name").fill(company)
        phone.get_by_label("Your name").fill("Zhou Lan")
        phone.get_by_label("Mobile phone").fill(_mobile_number())
        phone.get_by_label("E-mail").fill(email)
        phone.get_by_label("Message (optional)").fill("We run three shops by the lake.")
        licence = phone.get_by_label("Business licence")
        licence.set_input_files(str(fake))  # a text file renamed .png is refused
        phone.get_by_test_id("apply-submit").click()
        expect(phone.get_by_test_id("apply-errors")).to_be_visible()
        expect(phone.get_by_test_id("licence-field").locator(".invalid-feedback")).to_have_text(
            "Upload a JPEG, PNG or WebP image.")
        expect(phone.get_by_label("Company name")).to_have_value(company)  # nothing lost
        with tenant_context(acme):
            assert not Customer.objects.filter(name=company).exists()  # nothing half-saved
        licence.set_input_files(str(image))
        expect(phone.locator("#licence-preview")).to_be_visible()
        phone.get_by_test_id("apply-submit").click()
        phone.wait_for_url(live.tenant("acme", "/apply/done/"))
        done = phone.get_by_test_id("apply-done")
        expect(done).to_contain_text(company)
        expect(done).to_contain_text(email)

        # Staff review the application: the licence image loads; approve with a level.
        page.get_by_test_id("dashboard-nav").get_by_role("link", name="Applications").click()
        row = page.get_by_test_id("application-row").filter(has_text=company)
        expect(row).to_contain_text("Zhou Lan")
        expect(row).to_contain_text("Waiting for review")
        row.get_by_role("link", name=company).click()
        expect(page.get_by_test_id("application-status")).to_have_text("Waiting for review")
        expect(page.get_by_test_id("application-message")).to_have_text(
            "We run three shops by the lake.")
        picture = page.get_by_test_id("licence-image")
        picture.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=picture.element_handle())
        assert picture.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [120, 80]
        page.get_by_label("Customer level").select_option(label=level_name)
        outbox_before = len(mail.outbox)
        page.get_by_test_id("approve-submit").click()
        expect(page.get_by_test_id("application-status")).to_have_text("Approved")
        expect(page.locator(".alert-success")).to_contain_text(email)
        expect(page.get_by_test_id("approved-card")).to_be_visible()
        with tenant_context(acme):
            customer = Customer.objects.get(name=company)
            assert (customer.status, customer.level_id) == ("active", level.pk)

        # The welcome e-mail's link lets the dealer choose a password and order.
        message = next(m for m in mail.outbox[outbox_before:] if m.to == [email])
        assert company in message.subject
        link = re.search(r"http://acme\.localhost:\d+/password/reset/\S+/", message.body).group(0)
        phone.goto(link)
        phone.get_by_label("New password", exact=True).fill("Lakeview-pass-2026")
        phone.get_by_label("New password confirmation").fill("Lakeview-pass-2026")
        phone.get_by_role("button", name="Set my password").click()
        expect(phone.locator("h1")).to_contain_text("Your password has been set")
        sign_in(phone, live, email, "Lakeview-pass-2026")
        phone.wait_for_url(live.tenant("acme", "/shop/"))
        expect(phone.get_by_test_id("shop-company-name")).to_have_text(company)
        expect(phone.get_by_test_id("shop-buyer-role")).to_contain_text("Primary login")
    finally:
        _set_self_registration(False)
        with tenant_context(acme):  # a level would become every new customer's default
            Customer.objects.filter(level=level).update(level=None)
            CustomerLevel.objects.filter(pk=level.pk).delete()


# --- 2. shop self-service ------------------------------------------------------------


def _company(suffix):
    """A customer with a primary login and a view-only login (passwords chosen), one
    shipping address and a province › city region pair."""
    from ordering.customers.enums import BuyerRole
    from ordering.customers.services import contacts, customers, logins
    from roles.services.regions import region_create

    def login(customer, email, name, **values):
        created = logins.login_create(actor=None, customer=customer, email=email, name=name,
                                      password="Shop-pass-2026", language="en",
                                      site_url="http://acme.localhost", **values)
        created.user.must_change_password = False
        created.user.save(update_fields=["must_change_password"])
        return created

    customer = customers.customer_create(actor=None, name=f"Riverbend Market {suffix}",
                                         contact={"name": "Qian Ming", "phone": "021-5550100"})
    primary = login(customer, f"owner-{suffix}@riverbend.example", "Qian Ming")
    viewer = login(customer, f"viewer-{suffix}@riverbend.example", "Sun Li",
                   buyer_role=BuyerRole.VIEW_ONLY)
    contacts.address_save(actor=None, customer=customer, recipient="Qian Ming",
                          phone="13700000000", address="8 Old Mill Lane")
    province = region_create(actor=None, name=f"Zhejiang {suffix}")
    city = region_create(actor=None, name=f"Hangzhou {suffix}", parent=province)
    return customer, primary.user.email, viewer.user.email, province, city


def test_primary_login_manages_addresses_profile_and_logins_on_a_phone(phone, browser, live):
    from roles.models import Region

    suffix = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        customer, owner_email, viewer_email, province, city = _company(suffix)
    buyer_email = f"buyer-{suffix}@riverbend.example"
    viewer, buyer = _phone_page(browser), _phone_page(browser)
    try:
        # The view-only colleague is signed in on their own phone.
        sign_in(viewer, live, viewer_email, "Shop-pass-2026")
        viewer.wait_for_url(live.tenant("acme", "/shop/"))
        expect(viewer.get_by_test_id("shop-buyer-role")).to_have_text("View only")

        # The primary login opens the account.
        sign_in(phone, live, owner_email, "Shop-pass-2026")
        phone.wait_for_url(live.tenant("acme", "/shop/"))
        phone.get_by_test_id("tab-account").click()
        phone.wait_for_url(live.tenant("acme", "/shop/account/"))
        expect(phone.get_by_test_id("account-company-name")).to_have_text(customer.name)
        expect(phone.get_by_test_id("primary-badge")).to_be_visible()

        # A second shipping address, in a region, becomes the default.
        phone.get_by_test_id("link-addresses").click()
        expect(phone.get_by_test_id("address-card")).to_have_count(1)
        phone.get_by_test_id("address-add").click()
        phone.get_by_label("Recipient").fill("Zhao Yun")
        phone.get_by_label("Phone").fill("13711112222")
        region = phone.get_by_label("Region")
        expect(region.locator("option")).to_contain_text([province.name, city.name])
        region.select_option(str(city.pk))
        phone.get_by_label("Address", exact=True).fill("99 West Lake Road, Building 3")
        phone.get_by_label("Postal code").fill("310000")
        phone.get_by_test_id("address-save").click()
        phone.wait_for_url(live.tenant("acme", "/shop/account/addresses/"))
        expect(phone.locator(".alert-success")).to_contain_text("Address added.")
        cards = phone.get_by_test_id("address-card")
        expect(cards).to_have_count(2)
        new = cards.filter(has_text="Zhao Yun")
        expect(new).to_contain_text(f"{province.name} {city.name} 99 West Lake Road")
        expect(cards.filter(has_text="8 Old Mill Lane").get_by_test_id(
            "address-default-badge")).to_be_visible()
        expect(new.get_by_test_id("address-default-badge")).to_have_count(0)
        new.get_by_test_id("address-set-default").click()
        expect(phone.locator(".alert-success")).to_contain_text("Default address changed.")
        expect(new.get_by_test_id("address-default-badge")).to_be_visible()
        expect(cards.filter(has_text="8 Old Mill Lane").get_by_test_id(
            "address-default-badge")).to_have_count(0)
        expect(cards.first).to_contain_text("Zhao Yun")  # the default comes first

        # The profile name.
        phone.get_by_test_id("back").click()
        phone.wait_for_url(live.tenant("acme", "/shop/account/"))
        phone.get_by_label("Name", exact=True).fill("Qian Ming (owner)")
        phone.get_by_test_id("profile-save").click()
        expect(phone.locator(".alert-success")).to_contain_text("Your profile has been saved.")
        expect(phone.get_by_test_id("account-summary")).to_contain_text("Qian Ming (owner)")

        # A colleague who may order up to an amount, with an initial password.
        phone.get_by_test_id("link-logins").click()
        phone.wait_for_url(live.tenant("acme", "/shop/account/logins/"))
        expect(phone.get_by_test_id("login-card")).to_have_count(2)
        phone.get_by_test_id("login-add").click()
        limit = phone.get_by_label("Order limit", exact=True)
        expect(limit).to_be_hidden()  # "Can order" is chosen
        phone.get_by_role("radio", name="View only").check()
        expect(limit).to_be_hidden()
        phone.get_by_role("radio", name="Can order up to an amount").check()
        expect(limit).to_be_visible()
        phone.get_by_label("E-mail", exact=True).fill(buyer_email)
        phone.get_by_label("Name", exact=True).fill("Wu Hao")
        limit.fill("2500")
        password = phone.get_by_label("Initial password", exact=True)
        expect(password).to_be_hidden()
        phone.get_by_label("Set an initial password now").check()
        expect(password).to_be_visible()
        password.fill("Wu-start-2026")
        phone.get_by_test_id("login-save").click()
        phone.wait_for_url(live.tenant("acme", "/shop/account/logins/"))
        expect(phone.locator(".alert-success")).to_contain_text(buyer_email)
        buyer_card = phone.get_by_test_id("login-card").filter(has_text=buyer_email)
        expect(buyer_card.get_by_test_id("login-role")).to_contain_text(
            "Can order up to an amount: ¥2,500.00")
        expect(buyer_card.get_by_test_id("login-status")).to_have_text("Active")

        # The view-only login is disabled, and signed out at its next page.
        viewer_card = phone.get_by_test_id("login-card").filter(has_text=viewer_email)
        phone.once("dialog", lambda dialog: dialog.accept())
        viewer_card.get_by_test_id("login-disable").click()
        expect(phone.locator(".alert-success")).to_contain_text("is disabled and signed out")
        expect(viewer_card.get_by_test_id("login-status")).to_have_text("Disabled")
        viewer.get_by_test_id("tab-account").click()
        viewer.wait_for_url("**/login/**")
        expect(viewer.get_by_test_id("login-form")).to_be_visible()

        # The new colleague chooses a password but may not manage the logins.
        sign_in(buyer, live, buyer_email, "Wu-start-2026")
        buyer.wait_for_url(live.tenant("acme", "/password/change/"))
        buyer.get_by_label("Old password").fill("Wu-start-2026")
        buyer.get_by_label("New password", exact=True).fill("Wu-mine-2026")
        buyer.get_by_label("New password confirmation").fill("Wu-mine-2026")
        buyer.get_by_role("button", name="Change my password").click()
        buyer.wait_for_url(live.tenant("acme", "/shop/"))
        expect(buyer.get_by_test_id("shop-buyer-role")).to_contain_text("2,500.00")
        buyer.get_by_test_id("tab-account").click()
        expect(buyer.get_by_test_id("account-links")).to_be_visible()
        expect(buyer.get_by_test_id("link-logins")).to_have_count(0)
        response = buyer.goto(live.tenant("acme", "/shop/account/logins/"))
        assert response.status == 403
        expect(buyer.get_by_test_id("forbidden")).to_be_visible()
    finally:
        viewer.context.close()
        buyer.context.close()
        with tenant_context(acme):  # regions would show on every address and apply form
            Region.objects.filter(pk=city.pk).delete()
            Region.objects.filter(pk=province.pk).delete()

