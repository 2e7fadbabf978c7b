"""Catalog journeys in a real browser: a dealer on a phone searches, filters, opens a
colour × size product and fills the order grid."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Grid-buyer-2026"


@pytest.fixture
def apparel():
    """A customer with a login and a T-shirt in 2 colours × 3 sizes (committed data)."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.customers.models import Customer
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        customer = customer_services.customer_create(actor=None, name=f"Grid Buyer {tag}")
        login = login_services.login_create(actor=None, customer=customer,
                                            email=f"grid-{tag}@buyer.example",
                                            password=PASSWORD, site_url="http://acme.localhost")
        get_user_model().objects.filter(pk=login.user_id).update(must_change_password=False)
        category = catalog.category_create(actor=None, name=f"Tops {tag}")
        brand = catalog.brand_get_or_create(f"Brand {tag}")
        tee = catalog.product_create(actor=None, name=f"Harbour tee {tag}", code=f"TEE-{tag}",
                                     category=category, brand=brand,
                                     unit=catalog.unit_get_or_create("piece"))
        for variant in catalog.variants_generate(
                actor=None, product=tee, list_price="20.00",
                specs=[("Colour", ["Red", "Navy"]), ("Size", ["S", "M", "L"])]):
            stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=50)
        other = catalog.product_create(actor=None, name=f"Harbour cap {tag}", code=f"CAP-{tag}",
                                       unit=catalog.unit_get_or_create("piece"))
        catalog.variant_save(actor=None, product=other, code=f"CAP-{tag}-1", list_price="9")
    yield {"tag": tag, "email": login.user.email, "tee": tee}
    with tenant_context(acme):  # products with a stock ledger stay, off the shelf
        Product.objects.filter(code__in=[f"TEE-{tag}", f"CAP-{tag}"]).update(on_shelf=False)
        get_user_model().objects.filter(email=login.user.email).delete()
        Customer.objects.filter(pk=customer.pk).delete()


def test_dealer_searches_filters_and_fills_the_colour_by_size_grid(phone, live, apparel):
    tag = apparel["tag"]
    sign_in(phone, live, apparel["email"], PASSWORD)
    phone.wait_for_url("**/shop/")
    phone.goto(live.tenant("acme", "/shop/catalog/"))
    phone.get_by_test_id("search-input").fill("harbour")
    phone.get_by_test_id("search-submit").click()
    cards = phone.get_by_test_id("product-card")
    expect(cards.filter(has_text=f"Harbour tee {tag}")).to_have_count(1)
    expect(cards.filter(has_text=f"Harbour cap {tag}")).to_have_count(1)

    phone.get_by_test_id("filters-open").click()
    phone.get_by_test_id("filter-brand").select_option(label=f"Brand {tag}")
    phone.get_by_test_id("filter-apply").click()
    expect(cards.filter(has_text=f"Harbour cap {tag}")).to_have_count(0)
    cards.filter(has_text=f"Harbour tee {tag}").get_by_test_id("product-name").click()

    expect(phone.get_by_test_id("product-title")).to_contain_text(f"Harbour tee {tag}")
    expect(phone.get_by_test_id("product-price")).to_contain_text("20.00")
    phone.get_by_test_id("open-grid").click()
    grid = phone.get_by_test_id("order-grid")
    expect(grid.get_by_test_id("grid-row")).to_have_count(2)
    cells = grid.get_by_test_id("grid-cell")
    expect(cells).to_have_count(6)
    cells.nth(0).fill("3")
    cells.nth(4).fill("-1")
    phone.get_by_test_id("grid-submit").click()
    expect(phone.get_by_test_id("cell-error").first).to_be_visible()  # refused, per cell
    phone.get_by_test_id("grid-cell").nth(4).fill("2")
    phone.get_by_test_id("grid-submit").click()
    lines = phone.get_by_test_id("grid-lines")
    expect(lines.get_by_test_id("grid-line")).to_have_count(2)
    expect(phone.get_by_test_id("grid-total")).to_contain_text("100.00")


def _png(path, rgb):
    from PIL import Image

    Image.new("RGB", (120, 90), rgb).save(path, "PNG")
    return str(path)


def test_staff_create_a_product_with_six_variants_and_two_images(page, live, tmp_path):
    from tests.conftest import OWNER_PASSWORD

    tag = uuid.uuid4().hex[:6]
    sign_in(page, live, "owner@acme.example", OWNER_PASSWORD)
    page.wait_for_url(live.tenant("acme", "/dashboard/"))
    page.goto(live.tenant("acme", "/dashboard/catalog/products/"))
    page.get_by_test_id("new-product").click()
    form = page.get_by_test_id("product-form")
    form.get_by_label("Name", exact=True).fill(f"Canvas tote {tag}")
    form.get_by_label("Product code").fill(f"TOTE-{tag}")
    form.get_by_label("Base unit").fill("piece")
    page.get_by_test_id("has-specs").check()  # variants follow on the product's page
    page.get_by_test_id("product-save").click()
    expect(page.get_by_test_id("product-name")).to_contain_text(f"Canvas tote {tag}")

    generate = page.get_by_test_id("generate-variants")
    generate.get_by_label("Specification").nth(0).fill("Colour")
    generate.get_by_label("Values").nth(0).fill("Natural, Black")
    generate.get_by_label("Specification").nth(1).fill("Size")
    generate.get_by_label("Values").nth(1).fill("S, M, L")
    generate.get_by_label("List price").fill("35")
    page.get_by_test_id("generate-submit").click()
    rows = page.get_by_test_id("variant-table").get_by_test_id("variant-row")
    expect(rows).to_have_count(6)

    page.get_by_test_id("image-input").set_input_files([
        _png(tmp_path / "one.png", (200, 180, 140)), _png(tmp_path / "two.png", (20, 20, 20))])
    page.get_by_test_id("image-upload").click()
    images = page.get_by_test_id("image-item")
    expect(images).to_have_count(2)
    # the image is served (private media), not only listed: wait for it to load or fail
    loaded = images.first.locator("img").evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })")
    assert loaded > 0
