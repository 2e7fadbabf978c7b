"""A dealer buys bottles by the case on a phone (issue 10, item 1): the product page
says one case of 24 costs 166.56, two cases in the cart cost 161.52 each (the 48+
break, not the 240+ one), and ten cases (two more pasted into quick order as eight)
156.48 each."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Case-buyer-2026"


@pytest.fixture
def water():
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import LevelPrice, Product
    from ordering.customers.models import Customer, CustomerLevel
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        level = customer_services.level_create(actor=None, name=f"Level 1 {tag}",
                                               price_percent=82)
        customer = customer_services.customer_create(actor=None, name=f"Case Buyer {tag}",
                                                     level=level)
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"case-{tag}@buyer.example",
                                            password=PASSWORD, language="en",
                                            site_url="http://acme.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        bottle = catalog.unit_get_or_create("bottle")
        case = catalog.unit_get_or_create("case")
        product = catalog.product_create(actor=None, name=f"Sunpeak Water 1.5L {tag}",
                                         code=f"WB-{tag}", unit=bottle, on_shelf=True)
        variant = catalog.variant_save(actor=None, product=product, code=f"WB-{tag}-1.5L",
                                       list_price="8.90", units=[(case, 24)])
        catalog.quantity_breaks_set(actor=None, product=product, breaks=[
            {"min_quantity": 48, "discount_percent": "3"},
            {"min_quantity": 240, "discount_percent": "6"}])
        catalog.level_price_set(actor=None, variant=variant, level=level, price="6.94")
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=1000)
    yield {"email": login.user.email, "product": product, "code": variant.code}
    with tenant_context(acme):  # the first level would become every new customer's default
        Product.objects.filter(pk=product.pk).update(on_shelf=False)
        get_user_model().objects.filter(pk=login.user_id).update(is_active=False)
        Customer.objects.filter(level=level).update(level=None)
        LevelPrice.objects.filter(level=level).delete()
        CustomerLevel.objects.filter(pk=level.pk).delete()


def test_cases_cost_their_bottles_on_the_page_and_in_the_cart(phone, live, water):
    sign_in(phone, live, water["email"], PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", f"/shop/catalog/{water['product'].pk}/"))
    expect(phone.get_by_test_id("product-price")).to_contain_text("6.94")
    expect(phone.get_by_test_id("unit-prices")).to_contain_text("166.56")
    expect(phone.get_by_test_id("quantity-breaks")).to_contain_text("6.73")
    phone.get_by_test_id("add-to-cart-quantity").fill("2")
    phone.get_by_test_id("add-to-cart-unit").select_option(label="case ×24")
    phone.get_by_test_id("add-to-cart").click()
    phone.goto(live.tenant("acme", "/shop/cart/"))
    line = phone.get_by_test_id("cart-line")
    expect(line).to_have_count(1)
    expect(line.get_by_test_id("line-unit-price")).to_contain_text("161.52")
    expect(line.get_by_test_id("line-total")).to_contain_text("323.04")
    # eight more cases by quick order: ten cases, 240 bottles, the 240+ break
    phone.get_by_label("Paste lines").fill(f"{water['code']}, 8, case")
    phone.get_by_test_id("quick-submit").click()
    line = phone.get_by_test_id("cart-line")
    expect(line).to_have_count(1)
    expect(line.get_by_test_id("line-unit-price")).to_contain_text("156.48")
    expect(line.get_by_test_id("line-total")).to_contain_text(re.compile(r"1,?564\.80"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
