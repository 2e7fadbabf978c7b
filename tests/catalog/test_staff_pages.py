"""Staff catalog pages: the product list (search, filters, sorting, bulk shelf and price
changes, query budget), the product editor (details, variants table, generated
combinations, images with thumbnails, reorder and delete), prices (level, customer,
quantity breaks), categories, stock with its ledger, catalog settings; permissions,
scoping and tenant isolation."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import (Brand, Category, CustomerPrice, LevelPrice, Product,
                                     ProductImage, QuantityBreak, StockMovement, Unit, Variant)
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.services import customers as customer_services
from tests.conftest import TenantClient, host_of
from tests.factories import DealerFactory
from tests.factories.roles import staff_with_roles

User = get_user_model()
BASE = "/dashboard/catalog"


# --- helpers -------------------------------------------------------------------------


def _product(code="JUICE", name="Orange juice", variants=1, price="10.00", unit="bottle",
             **values):
    product = catalog.product_create(actor=None, name=name, code=code,
                                     unit=catalog.unit_get_or_create(unit), **values)
    for n in range(1, variants + 1):
        catalog.variant_save(actor=None, product=product, code=f"{code}-{n}", list_price=price)
    return product


def _variants(product):
    return list(Variant.objects.filter(product=product).order_by("position", "id"))


def _image(fmt="PNG", size=(640, 480), colour=(200, 40, 40), name=None):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return SimpleUploadedFile(name or f"photo.{fmt.lower()}", buffer.getvalue(),
                              content_type=f"image/{fmt.lower()}")


@pytest.fixture
def signed_in(acme, acme_client, login_as):
    """``signed_in(*role_keys)``: acme_client signed in as a new staff member with those
    built-in roles (returns the client; the user is ``client.user``)."""

    def _sign(*roles):
        with tenant_context(acme):
            user = staff_with_roles(*roles)
        login_as(acme_client, acme, user)
        acme_client.user = user
        return acme_client

    return _sign


@pytest.fixture
def lead(signed_in):
    return signed_in("business_lead")


def _formset_data(product, changes=None, new=None):
    """The variants table as the page posts it, with ``changes`` per variant code and an
    optional ``new`` row."""
    from ordering.catalog import selectors

    product = selectors.product_get(actor=None, pk=product.pk, with_prices=False)
    variants = product.ordered_variants
    data = {"v-TOTAL_FORMS": str(len(variants) + 1), "v-INITIAL_FORMS": str(len(variants)),
            "v-MIN_NUM_FORMS": "0", "v-MAX_NUM_FORMS": "1000"}
    for n, variant in enumerate(variants):
        row = {"id": variant.pk, "code": variant.code, "barcode": variant.barcode,
               "specs": selectors.variant_specs(variant), "list_price": variant.list_price,
               "weight": variant.weight or "", "min_quantity": variant.min_quantity,
               "order_multiple": variant.order_multiple,
               "units": ", ".join(f"{u.unit.name} = {u.factor}" for u in variant.units.all()),
               "image": variant.image_id or ""}
        if variant.is_active:
            row["is_active"] = "on"
        row.update((changes or {}).get(variant.code, {}))
        data.update({f"v-{n}-{key}": value for key, value in row.items() if value is not None})
    for key, value in (new or {"min_quantity": "1", "order_multiple": "1",
                               "is_active": "on"}).items():
        data[f"v-{len(variants)}-{key}"] = value
    return data


# --- product list ----------------------------------------------------------------------


def test_list_searches_name_codes_and_barcode_and_filters(acme, lead):
    with tenant_context(acme):
        drinks = catalog.category_create(actor=None, name="Drinks")
        juice = catalog.category_create(actor=None, name="Juice", parent=drinks)
        tools = catalog.category_create(actor=None, name="Tools")
        brand = catalog.brand_get_or_create("Sunny")
        orange = _product("OJ", "Orange juice", category=juice, brand=brand, tags=["fresh"])
        catalog.variant_save(actor=None, product=orange, code="OJ-LITRE", list_price="5",
                             barcode="6901234567892")
        _product("HAMMER", "Claw hammer", category=tools, on_shelf=False)
        stock_move(actor=None, variant=_variants(orange)[0], kind=MovementKind.RECEIPT,
                   quantity=50)

    def names(**params):
        response = lead.get(f"{BASE}/products/", params)
        assert response.status_code == 200
        body = response.content.decode()
        return {name for name in ("Orange juice", "Claw hammer") if name in body}

    assert names() == {"Orange juice", "Claw hammer"}
    assert names(q="ORANGE") == {"Orange juice"}  # name, any case
    assert names(q="ham") == {"Claw hammer"}  # partial product code
    assert names(q="oj-lit") == {"Orange juice"}  # partial variant code
    assert names(q="6901234567892") == {"Orange juice"}  # barcode
    assert names(q="nothing-like-it") == set()
    assert names(category=drinks.pk) == {"Orange juice"}  # sub-categories included
    assert names(category=tools.pk) == {"Claw hammer"}
    assert names(brand=brand.pk) == {"Orange juice"}
    assert names(tag="fresh") == {"Orange juice"}
    assert names(shelf="off") == {"Claw hammer"}
    assert names(shelf="on") == {"Orange juice"}
    assert names(stock="in_stock") == {"Orange juice"}
    assert names(stock="out") == {"Claw hammer"}
    assert names(stock="low") == set()
    by_name = lead.get(f"{BASE}/products/", {"sort": "name"}).content.decode()
    assert by_name.index("Claw hammer") < by_name.index("Orange juice")
    assert lead.get(f"{BASE}/products/", {"category": "x' OR 1=1", "brand": "-1", "q": "(.*",
                                          "page": "zz", "sort": "nonsense",
                                          "stock": "weird"}).status_code == 200


def test_the_search_uses_the_trigram_indexes(in_acme):
    """``icontains`` (UPPER(x) LIKE …) could not use them; the selector's ``~*`` can."""
    from ordering.catalog import selectors

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    pattern = selectors._pattern("juice-1")
    assert "product_name_trgm" in Product.objects.filter(name__iregex=pattern).explain()
    assert "variant_code_trgm" in Product.objects.filter(selectors._search_q("juice-1")
                                                         ).explain()


def test_list_shows_price_range_stock_and_thumbnail(acme, lead):
    with tenant_context(acme):
        product = _product("TEE", "T-shirt", variants=2, price="59.00")
        catalog.variant_save(actor=None, product=product, variant=_variants(product)[1],
                             code="TEE-2", list_price="79.00")
        ProductImage.objects.create(product=product, image="catalog/x.png",
                                    thumbnail="catalog/x-thumb.webp")
    body = lead.get(f"{BASE}/products/").content.decode()
    assert "¥59.00 – ¥79.00" in body
    assert "/media/catalog/x-thumb.webp" in body
    assert "Out of stock" in body


def test_list_query_count_is_constant(acme, lead):
    with tenant_context(acme):
        category = catalog.category_create(actor=None, name="Bulk")
        for n in range(20):
            product = _product(f"P{n:03d}", f"Product {n}", variants=2, category=category,
                               brand=catalog.brand_get_or_create(f"Brand {n % 3}"),
                               tags=["a", f"t{n}"])
            ProductImage.objects.create(product=product, image=f"catalog/{n}.png")
    lead.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert lead.get(f"{BASE}/products/").status_code == 200
    with tenant_context(acme):
        for n in range(20, 100):
            _product(f"P{n:03d}", f"Product {n}", variants=2, category=category,
                     tags=[f"t{n}"])
    with CaptureQueriesContext(connection) as many:
        assert lead.get(f"{BASE}/products/").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # 10 queries: search_path, session, user, permissions, count, products (with their
    # category, brand, unit and variant aggregates), images, categories, brands, tags
    assert len(many) <= 10, [q["sql"] for q in many.captured_queries]


def test_bulk_shelf_and_price_change(acme, lead):
    with tenant_context(acme):
        one, two = _product("ONE", "One", price="10.00"), _product("TWO", "Two", price="20.00")
        three = _product("THREE", "Three", price="30.00")
    response = lead.post(f"{BASE}/products/bulk/shelf/", {
        "products": [one.pk, two.pk], "on_shelf": "off", "next_query": "q=o"})
    assert response.status_code == 302 and response.url == f"{BASE}/products/?q=o"
    with tenant_context(acme):
        assert set(Product.objects.filter(on_shelf=False).values_list("code", flat=True)) == {
            "ONE", "TWO"}
    lead.post(f"{BASE}/products/bulk/shelf/", {"products": [one.pk], "on_shelf": "on"})
    response = lead.post(f"{BASE}/products/bulk/price/", {"products": [one.pk, two.pk],
                                                          "percent": "-10"}, follow=True)
    assert "The list prices of 2 variants changed." in response.content.decode()
    with tenant_context(acme):
        assert Product.objects.get(pk=one.pk).on_shelf
        prices = dict(Variant.objects.values_list("code", "list_price"))
    assert prices == {"ONE-1": Decimal("9.00"), "TWO-1": Decimal("18.00"),
                      "THREE-1": Decimal("30.00")}
    # out of range: nothing changes, the reason is shown
    response = lead.post(f"{BASE}/products/bulk/price/", {"products": [three.pk],
                                                          "percent": "-95"}, follow=True)
    assert "between -90 and 500" in response.content.decode()
    response = lead.post(f"{BASE}/products/bulk/price/", {"percent": "5"}, follow=True)
    assert "Select one or more products first." in response.content.decode()
    with tenant_context(acme):
        assert Variant.objects.get(code="THREE-1").list_price == Decimal("30.00")


@pytest.mark.parametrize("role", ["sales_rep", "warehouse_manager"])
def test_bulk_actions_need_their_permissions(acme, signed_in, role):
    with tenant_context(acme):
        product = _product()
    client = signed_in(role)
    assert client.get(f"{BASE}/products/").status_code == 200  # both may view the catalog
    assert client.post(f"{BASE}/products/bulk/shelf/", {"products": [product.pk],
                                                        "on_shelf": "off"}).status_code == 403
    assert client.post(f"{BASE}/products/bulk/price/", {"products": [product.pk],
                                                        "percent": "50"}).status_code == 403
    with tenant_context(acme):
        assert Product.objects.get(pk=product.pk).on_shelf
        assert Variant.objects.get(product=product).list_price == Decimal("10.00")


# --- product editor ----------------------------------------------------------------------


def test_create_a_product_with_new_brand_unit_levels_and_a_safe_description(acme, lead):
    with tenant_context(acme):
        category = catalog.category_create(actor=None, name="Drinks")
        gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    page = lead.get(f"{BASE}/products/new/")
    assert page.status_code == 200 and 'list="unit-options"' in page.content.decode()
    response = lead.post(f"{BASE}/products/new/", {
        "name": "Mango juice", "code": "MANGO", "category": category.pk, "brand": "Tropico",
        "unit": "carton", "tags": "new, summer", "on_shelf": "on", "levels": [gold.pk],
        "has_specs": "on",
        "description": '<p>Sweet <script>alert(1)</script><b onclick="x()">mango</b></p>'})
    assert response.status_code == 302
    with tenant_context(acme):
        product = Product.objects.get(code="MANGO")
        assert response.url == f"{BASE}/products/{product.pk}/"
        assert product.brand.name == "Tropico" and product.unit.name == "carton"
        assert product.tags == ["new", "summer"] and product.category == category
        assert list(product.levels.all()) == [gold]
        assert "script" not in product.description and "onclick" not in product.description
        assert "<b>mango</b>" in product.description


def test_create_refuses_bad_input_and_saves_nothing(acme, lead):
    with tenant_context(acme):
        _product("TAKEN")
    bad = lead.post(f"{BASE}/products/new/", {"name": "", "code": "no spaces!", "unit": ""})
    assert bad.status_code == 400 and b"invalid-feedback" in bad.content
    duplicate = lead.post(f"{BASE}/products/new/", {"name": "Copy", "code": "taken",
                                                    "unit": "crate", "brand": "Newbrand",
                                                    "list_price": "5"})
    assert duplicate.status_code == 400
    assert "Another product already has this code." in duplicate.content.decode()
    with tenant_context(acme):
        assert Product.objects.count() == 1
        # the brand and unit typed with the refused product were not kept either
        assert not Brand.objects.filter(name="Newbrand").exists()
        assert not Unit.objects.filter(name="crate").exists()


def test_edit_product_details(acme, lead):
    with tenant_context(acme):
        product = _product()
    page = lead.get(f"{BASE}/products/{product.pk}/")
    assert page.status_code == 200 and "Orange juice" in page.content.decode()
    response = lead.post(f"{BASE}/products/{product.pk}/", {
        "name": "Orange juice 1L", "code": "JUICE", "unit": "bottle", "tags": "",
        "brand": "", "position": "3"})
    assert response.status_code == 302
    with tenant_context(acme):
        product.refresh_from_db()
        assert product.name == "Orange juice 1L" and not product.on_shelf
        assert product.position == 3
    bad = lead.post(f"{BASE}/products/{product.pk}/", {"name": "X", "code": "JUICE",
                                                       "unit": ""})
    assert bad.status_code == 400
    with tenant_context(acme):
        assert Product.objects.get(pk=product.pk).name == "Orange juice 1L"


def test_variants_table_edits_rows_and_adds_one_with_specs_and_units(acme, lead):
    with tenant_context(acme):
        product = _product("TEE", "T-shirt", variants=2, price="59.00", unit="piece")
        data = _formset_data(product, changes={"TEE-1": {
            "list_price": "55.50", "barcode": "123", "specs": "Colour: Red / Size: M",
            "units": "box = 12", "min_quantity": "2"}}, new={
            "code": "TEE-XL", "list_price": "65", "specs": "Colour: Blue; Size: XL",
            "min_quantity": "1", "order_multiple": "3", "is_active": "on"})
    response = lead.post(f"{BASE}/products/{product.pk}/variants/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(acme):
        first = Variant.objects.get(code="TEE-1")
        assert first.list_price == Decimal("55.50") and first.barcode == "123"
        assert first.min_quantity == 2
        assert sorted(first.spec_values.values_list("value", flat=True)) == ["M", "Red"]
        assert [(u.unit.name, u.factor) for u in first.units.all()] == [("box", 12)]
        new = Variant.objects.get(code="TEE-XL")
        assert new.order_multiple == 3 and new.product_id == product.pk
        assert Variant.objects.get(code="TEE-2").list_price == Decimal("59.00")
    page = lead.get(f"{BASE}/products/{product.pk}/").content.decode()
    assert "Colour: Red / Size: M" in page and "box = 12" in page


def test_a_bad_variant_row_saves_nothing(acme, lead):
    with tenant_context(acme):
        product = _product("TEE", variants=2, price="59.00")
        _product("OTHER")
        data = _formset_data(product, changes={"TEE-1": {"list_price": "1.00"}},
                             new={"code": "other-1", "list_price": "5", "min_quantity": "1",
                                  "order_multiple": "1"})
        bad_specs = _formset_data(product, changes={"TEE-2": {"specs": "no colon here"}})
        no_price = _formset_data(product, new={"code": "TEE-9", "min_quantity": "1",
                                               "order_multiple": "1"})
    duplicate = lead.post(f"{BASE}/products/{product.pk}/variants/", data)
    assert duplicate.status_code == 400
    assert "Another variant already has this SKU code." in duplicate.content.decode()
    assert lead.post(f"{BASE}/products/{product.pk}/variants/", bad_specs).status_code == 400
    assert lead.post(f"{BASE}/products/{product.pk}/variants/", no_price).status_code == 400
    with tenant_context(acme):
        assert Variant.objects.get(code="TEE-1").list_price == Decimal("59.00")
        assert Variant.objects.filter(product=product).count() == 2


def test_generate_colour_by_size_makes_nine_editable_variants(acme, lead):
    with tenant_context(acme):
        product = _product("TEE", "T-shirt", variants=0, unit="piece")
    response = lead.post(f"{BASE}/products/{product.pk}/variants/generate/", {
        "attribute_1": "Colour", "values_1": "red, blue, black", "attribute_2": "Size",
        "values_2": "S, M, L", "list_price": "59.00"}, follow=True)
    assert response.status_code == 200
    assert "9 variants added" in response.content.decode()
    with tenant_context(acme):
        variants = _variants(product)
        assert len(variants) == 9
        assert {v.list_price for v in variants} == {Decimal("59.00")}
        combos = {tuple(sorted(v.spec_values.values_list("value", flat=True)))
                  for v in variants}
        assert len(combos) == 9
    page = response.content.decode()
    assert page.count('data-testid="variant-row"') == 9
    # editable afterwards: one row's price changes
    with tenant_context(acme):
        data = _formset_data(product, changes={"TEE-1": {"list_price": "49.00"}})
    assert lead.post(f"{BASE}/products/{product.pk}/variants/", data).status_code == 302
    with tenant_context(acme):
        assert Variant.objects.get(code="TEE-1").list_price == Decimal("49.00")
    missing = lead.post(f"{BASE}/products/{product.pk}/variants/generate/", {
        "attribute_1": "Colour", "values_1": "", "list_price": "59"})
    assert missing.status_code == 400
    assert "Enter the values, separated by commas." in missing.content.decode()
    with tenant_context(acme):
        assert Variant.objects.filter(product=product).count() == 9


def test_images_upload_with_thumbnails_reorder_and_delete(acme, lead,
                                                          django_capture_on_commit_callbacks):
    with tenant_context(acme):
        product = _product()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = lead.post(f"{BASE}/products/{product.pk}/images/", {
            "images": [_image("PNG"), _image("JPEG", colour=(0, 90, 200))]})
    assert response.status_code == 302
    assert len(callbacks) == 2  # one thumbnail task per image, sent after commit
    with tenant_context(acme):
        first, second = ProductImage.objects.filter(product=product).order_by("position")
        assert first.thumbnail and first.thumbnail.name.endswith(".webp")
        assert second.thumbnail
        from PIL import Image

        with first.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
            assert max(thumb.size) <= 480
    page = lead.get(f"{BASE}/products/{product.pk}/").content.decode()
    assert page.count('data-testid="image-item"') == 2 and first.thumbnail.url in page
    assert lead.get(first.thumbnail.url).status_code == 200
    response = lead.post(f"{BASE}/products/{product.pk}/images/order/",
                         {"order": f"{second.pk},{first.pk}"})
    assert response.status_code == 302
    with tenant_context(acme):
        assert list(ProductImage.objects.filter(product=product).values_list(
            "pk", flat=True)) == [second.pk, first.pk]
    bad_order = lead.post(f"{BASE}/products/{product.pk}/images/order/",
                          {"order": f"{second.pk}"}, follow=True)
    assert "Give every image of the product once." in bad_order.content.decode()
    response = lead.post(f"{BASE}/products/{product.pk}/images/{first.pk}/delete/")
    assert response.status_code == 302
    with tenant_context(acme):
        assert list(ProductImage.objects.filter(product=product)) == [second]


def test_image_upload_refuses_wrong_files_and_keeps_none_of_the_batch(acme, lead):
    with tenant_context(acme):
        product = _product()
    text = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")
    response = lead.post(f"{BASE}/products/{product.pk}/images/",
                         {"images": [_image("PNG"), text]})
    assert response.status_code == 400
    assert "notes.png: Upload a JPEG, PNG or WebP image." in response.content.decode()
    gif = lead.post(f"{BASE}/products/{product.pk}/images/", {"images": [_image("GIF")]})
    assert gif.status_code == 400
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10),
                             content_type="image/png")
    too_big = lead.post(f"{BASE}/products/{product.pk}/images/", {"images": [big]})
    assert too_big.status_code == 400 and "larger than 5 MB" in too_big.content.decode()
    assert lead.post(f"{BASE}/products/{product.pk}/images/", {}).status_code == 400
    with tenant_context(acme):
        assert not ProductImage.objects.filter(product=product).exists()


def test_acme_image_urls_are_not_served_on_globex(acme, globex, lead, globex_client, login_as):
    with tenant_context(acme):
        product = _product()
    assert lead.post(f"{BASE}/products/{product.pk}/images/",
                     {"images": [_image("PNG")]}).status_code == 302
    with tenant_context(acme):
        image = ProductImage.objects.get(product=product)
        url = image.image.url
    assert lead.get(url).status_code == 200
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    assert globex_client.get(url).status_code == 404
    assert globex_client.get("/media/" + f"../acme/{image.image.name}").status_code == 404
    assert globex_client.get(f"/media/acme/{image.image.name}").status_code == 404


def test_editor_query_count_does_not_grow_with_variants_and_images(acme, lead):
    with tenant_context(acme):
        product = _product("TEE", variants=0)
        catalog.variants_generate(actor=None, product=product, list_price="5",
                                  specs=[("Colour", ["Red"]), ("Size", ["S"])])
        variant = _variants(product)[0]
        catalog.variant_save(actor=None, product=product, variant=variant, code=variant.code,
                             list_price="6", spec_values=list(variant.spec_values.all()),
                             units=[(catalog.unit_get_or_create("box"), 6)])
        ProductImage.objects.create(product=product, image="catalog/a.png")
    url = f"{BASE}/products/{product.pk}/"
    lead.get("/dashboard/")
    with CaptureQueriesContext(connection) as few:
        assert lead.get(url).status_code == 200
    with tenant_context(acme):
        catalog.variants_generate(actor=None, product=product, list_price="5",
                                  specs=[("Colour", ["Red", "Blue", "Black"]),
                                         ("Size", ["S", "M", "L", "XL"])])
        box = catalog.unit_get_or_create("case")
        for variant in _variants(product)[:5]:
            catalog.variant_save(actor=None, product=product, variant=variant,
                                 code=variant.code, list_price="6", units=[(box, 12)],
                                 spec_values=list(variant.spec_values.all()))
        for n in range(4):
            ProductImage.objects.create(product=product, image=f"catalog/{n}.png")
    with CaptureQueriesContext(connection) as many:
        assert lead.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)
    assert len(many) <= 15, [q["sql"] for q in many.captured_queries]


# --- prices ----------------------------------------------------------------------------


def test_level_prices_fixed_and_percent_and_validation(acme, lead):
    with tenant_context(acme):
        gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
        silver = customer_services.level_create(actor=None, name="Silver", price_percent=95)
        product = _product(variants=2)
        one, two = _variants(product)
    page = lead.get(f"{BASE}/products/{product.pk}/prices/")
    assert page.status_code == 200 and page.content.decode().count(
        'data-testid="level-price-row"') == 2
    response = lead.post(f"{BASE}/products/{product.pk}/prices/", {
        f"lp_{one.pk}_{gold.pk}": "8.50", f"lp_{two.pk}_{silver.pk}": "80%"})
    assert response.status_code == 302
    with tenant_context(acme):
        assert LevelPrice.objects.get(variant=one, level=gold).price == Decimal("8.50")
        assert LevelPrice.objects.get(variant=two, level=silver).percent == Decimal("80")
    page = lead.get(f"{BASE}/products/{product.pk}/prices/").content.decode()
    assert 'value="8.50"' in page and 'value="80%"' in page
    bad = lead.post(f"{BASE}/products/{product.pk}/prices/", {
        f"lp_{one.pk}_{gold.pk}": "7", f"lp_{two.pk}_{gold.pk}": "cheap"})
    assert bad.status_code == 400
    too_much = lead.post(f"{BASE}/products/{product.pk}/prices/", {
        f"lp_{one.pk}_{gold.pk}": "7", f"lp_{two.pk}_{silver.pk}": "2000%"})
    assert too_much.status_code == 400
    assert "Enter more than 0 and at most 1000." in too_much.content.decode()
    with tenant_context(acme):  # nothing of the refused tables was kept
        assert LevelPrice.objects.get(variant=one, level=gold).price == Decimal("8.50")
        assert LevelPrice.objects.count() == 2
    # emptying a cell removes the level's own price
    assert lead.post(f"{BASE}/products/{product.pk}/prices/", {
        f"lp_{two.pk}_{silver.pk}": "80%"}).status_code == 302
    with tenant_context(acme):
        assert not LevelPrice.objects.filter(variant=one).exists()


def test_customer_special_prices_by_code_or_name(acme, lead):
    with tenant_context(acme):
        pearl = customer_services.customer_create(actor=None, name="Pearl River Foods")
        customer_services.customer_create(actor=None, name="Pearl Harbour Drinks")
        product = _product(variants=2)
        one, two = _variants(product)
    response = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": pearl.code.lower(), "variant": one.pk, "price": "7.77"})
    assert response.status_code == 302
    response = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": "river", "variant": "all", "price": "7.00"})
    assert response.status_code == 302
    with tenant_context(acme):
        assert set(CustomerPrice.objects.filter(customer=pearl).values_list(
            "variant__code", "price")) == {("JUICE-1", Decimal("7.00")),
                                           ("JUICE-2", Decimal("7.00"))}
    ambiguous = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": "pearl", "variant": one.pk, "price": "1"})
    assert ambiguous.status_code == 400 and "Several customers match" in \
        ambiguous.content.decode()
    unknown = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": "nobody", "variant": one.pk, "price": "1"})
    assert unknown.status_code == 400
    negative = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": pearl.code, "variant": one.pk, "price": "-1"})
    assert negative.status_code == 400
    page = lead.get(f"{BASE}/products/{product.pk}/prices/").content.decode()
    assert page.count('data-testid="customer-price-row"') == 2
    removed = lead.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "action": "remove", "customer": pearl.pk, "variant": two.pk})
    assert removed.status_code == 302
    with tenant_context(acme):
        assert list(CustomerPrice.objects.values_list("variant__code", "price")) == [
            ("JUICE-1", Decimal("7.00"))]


def test_a_sales_rep_sees_only_their_customers_special_prices_and_changes_nothing(
        acme, signed_in):
    with tenant_context(acme):
        product = _product()
        variant = _variants(product)[0]
        mine = customer_services.customer_create(actor=None, name="Mine Trading")
        theirs = customer_services.customer_create(actor=None, name="Theirs Trading")
        for customer in (mine, theirs):
            catalog.customer_price_set(actor=None, variant=variant, customer=customer,
                                       price="5.00")
    rep = signed_in("sales_rep")
    with tenant_context(acme):
        assign_perm("customers.work_with_customer", rep.user, mine)
    page = rep.get(f"{BASE}/products/{product.pk}/prices/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mine Trading" in body and "Theirs Trading" not in body
    assert rep.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": mine.code, "variant": variant.pk, "price": "1"}).status_code == 403
    assert rep.post(f"{BASE}/products/{product.pk}/prices/", {
        f"lp_{variant.pk}_1": "1"}).status_code == 403
    with tenant_context(acme):
        assert set(CustomerPrice.objects.values_list("price", flat=True)) == {Decimal("5.00")}


def test_a_price_manager_cannot_reach_a_customer_outside_their_scope(acme, signed_in):
    """Special prices go through the scoped customer selectors: a customer the user may
    not see cannot be picked, by code or by name."""
    from roles.models import Role

    with tenant_context(acme):
        product = _product()
        variant = _variants(product)[0]
        hidden = customer_services.customer_create(actor=None, name="Hidden Trading")
    client = signed_in("sales_rep")
    with tenant_context(acme):
        # a custom role: prices, but no access to all customers
        role = Role.objects.get(key="sales_rep")
        from django.contrib.auth.models import Permission

        role.group.permissions.add(Permission.objects.get(codename="manage_prices",
                                                          content_type__app_label="roles"))
    response = client.post(f"{BASE}/products/{product.pk}/prices/customers/", {
        "customer": hidden.code, "variant": variant.pk, "price": "1"})
    assert response.status_code == 400
    assert "No customer matches" in response.content.decode()
    with tenant_context(acme):
        assert not CustomerPrice.objects.exists()


def test_quantity_breaks_for_product_and_variant(acme, lead):
    with tenant_context(acme):
        product = _product(variants=2)
        one = _variants(product)[0]
    response = lead.post(f"{BASE}/products/{product.pk}/prices/breaks/", {
        "target": "product", "min_0": "10", "price_0": "9.00", "min_1": "50",
        "discount_1": "15"})
    assert response.status_code == 302
    response = lead.post(f"{BASE}/products/{product.pk}/prices/breaks/", {
        "target": str(one.pk), "min_0": "24", "price_0": "8.00"})
    assert response.status_code == 302
    with tenant_context(acme):
        assert list(QuantityBreak.objects.filter(product=product).values_list(
            "min_quantity", "price", "discount_percent")) == [
            (10, Decimal("9.00"), None), (50, None, Decimal("15.00"))]
        assert QuantityBreak.objects.get(variant=one).min_quantity == 24
    page = lead.get(f"{BASE}/products/{product.pk}/prices/", {"breaks": one.pk})
    assert 'value="24"' in page.content.decode()
    both = lead.post(f"{BASE}/products/{product.pk}/prices/breaks/", {
        "target": "product", "min_0": "5", "price_0": "1", "discount_0": "5"})
    assert both.status_code == 400
    repeated = lead.post(f"{BASE}/products/{product.pk}/prices/breaks/", {
        "target": "product", "min_0": "5", "price_0": "1", "min_1": "5", "price_1": "2"})
    assert repeated.status_code == 400
    assert "each quantity once" in repeated.content.decode()
    with tenant_context(acme):
        assert QuantityBreak.objects.filter(product=product).count() == 2


def test_prices_page_query_count_does_not_grow(acme, lead):
    with tenant_context(acme):
        gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
        customer = customer_services.customer_create(actor=None, name="Pearl")
        product = _product(variants=2)
    url = f"{BASE}/products/{product.pk}/prices/"
    lead.get("/dashboard/")
    with CaptureQueriesContext(connection) as few:
        assert lead.get(url).status_code == 200
    with tenant_context(acme):
        customer_services.level_create(actor=None, name="Silver", price_percent=95)
        for n in range(3, 12):
            variant = catalog.variant_save(actor=None, product=product, code=f"JUICE-{n}",
                                           list_price="3")
            catalog.level_price_set(actor=None, variant=variant, level=gold, price="2")
            catalog.customer_price_set(actor=None, variant=variant, customer=customer,
                                       price="1")
            catalog.quantity_breaks_set(actor=None, variant=variant,
                                        breaks=[{"min_quantity": 10, "price": "1.5"}])
    with CaptureQueriesContext(connection) as many:
        assert lead.get(url).status_code == 200
    assert len(many) == len(few) and len(many) <= 15, [q["sql"] for q in many.captured_queries]


# --- categories ------------------------------------------------------------------------


def test_categories_add_rename_and_order(acme, lead):
    assert b"No categories yet" in lead.get(f"{BASE}/categories/").content
    assert lead.post(f"{BASE}/categories/", {"name": "Drinks"}).status_code == 302
    with tenant_context(acme):
        drinks = Category.objects.get(name="Drinks")
    assert lead.post(f"{BASE}/categories/", {"name": "Juice", "parent": drinks.pk,
                                             "position": "2"}).status_code == 302
    assert lead.post(f"{BASE}/categories/", {"name": "Water", "parent": drinks.pk,
                                             "position": "1"}).status_code == 302
    body = lead.get(f"{BASE}/categories/").content.decode().split("category-table")[1]
    assert body.index("Drinks") < body.index("Water") < body.index("Juice")
    with tenant_context(acme):
        juice = Category.objects.get(name="Juice")
        assert juice.path == f"/{drinks.pk}/"
    renamed = lead.post(f"{BASE}/categories/", {"category": juice.pk,
                                                f"c{juice.pk}-name": "Juices",
                                                f"c{juice.pk}-position": "0"})
    assert renamed.status_code == 302
    body = lead.get(f"{BASE}/categories/").content.decode().split("category-table")[1]
    assert body.index("Juices") < body.index("Water")
    duplicate = lead.post(f"{BASE}/categories/", {"name": "Juices", "parent": drinks.pk})
    assert duplicate.status_code == 400
    assert "already exists here" in duplicate.content.decode()
    clash = lead.post(f"{BASE}/categories/", {"category": juice.pk,
                                              f"c{juice.pk}-name": "Water"})
    assert clash.status_code == 400
    empty = lead.post(f"{BASE}/categories/", {"category": juice.pk, f"c{juice.pk}-name": ""})
    assert empty.status_code == 400
    with tenant_context(acme):
        assert Category.objects.count() == 3
        assert Category.objects.get(pk=juice.pk).name == "Juices"


def test_categories_need_manage_catalog_to_change(acme, signed_in):
    client = signed_in("warehouse_manager")
    assert client.get(f"{BASE}/categories/").status_code == 200
    assert client.post(f"{BASE}/categories/", {"name": "Sneaky"}).status_code == 403
    with tenant_context(acme):
        assert not Category.objects.exists()


# --- stock -----------------------------------------------------------------------------


def test_stock_list_adjust_receive_and_ledger(acme, signed_in):
    with tenant_context(acme):
        product = _product(variants=2)
        one, two = _variants(product)
        stock_move(actor=None, variant=one, kind=MovementKind.RECEIPT, quantity=20)
        stock_move(actor=None, variant=one, kind=MovementKind.RESERVATION, quantity=5)
    client = signed_in("warehouse_manager")
    page = client.get(f"{BASE}/stock/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-testid="stock-row"') == 2
    assert b"JUICE-2" not in client.get(f"{BASE}/stock/", {"stock": "in_stock"}).content
    assert b"JUICE-1" not in client.get(f"{BASE}/stock/", {"stock": "out"}).content
    assert b"JUICE-2" not in client.get(f"{BASE}/stock/", {"q": "juice-1"}).content
    url = f"{BASE}/stock/{one.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "adjust", "adjust-change": "-3",
                                 "adjust-reason": "Broken bottles"})
    assert response.status_code == 302
    response = client.post(url, {"action": "receipt", "receipt-quantity": "12",
                                 "receipt-reference": "DN-778"}, follow=True)
    assert "29 on hand, 24 available" in response.content.decode()
    with tenant_context(acme):
        one.refresh_from_db()
        assert (one.on_hand, one.reserved) == (29, 5)
        ledger = list(StockMovement.objects.filter(variant=one).order_by("id"))
        assert [m.kind for m in ledger] == ["receipt", "reservation", "adjustment", "receipt"]
        assert ledger[2].reason == "Broken bottles" and ledger[2].actor == client.user
        assert ledger[3].reference == "DN-778"
    body = client.get(url).content.decode()
    assert body.count('data-testid="movement-row"') == 4 and "Broken bottles" in body


def test_stock_adjustments_refuse_bad_input_and_change_nothing(acme, signed_in):
    with tenant_context(acme):
        variant = _variants(_product())[0]
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=5)
    client = signed_in("warehouse_manager")
    url = f"{BASE}/stock/{variant.pk}/"
    no_reason = client.post(url, {"action": "adjust", "adjust-change": "4"})
    assert no_reason.status_code == 400
    zero = client.post(url, {"action": "adjust", "adjust-change": "0", "adjust-reason": "x"})
    assert zero.status_code == 400
    too_many = client.post(url, {"action": "adjust", "adjust-change": "-6",
                                 "adjust-reason": "Count"})
    assert too_many.status_code == 400
    assert "Not enough stock of JUICE-1: 5 available." in too_many.content.decode()
    negative_receipt = client.post(url, {"action": "receipt", "receipt-quantity": "-2"})
    assert negative_receipt.status_code == 400
    with tenant_context(acme):
        variant.refresh_from_db()
        assert variant.on_hand == 5 and StockMovement.objects.filter(variant=variant).count() == 1


@pytest.mark.parametrize("role", ["sales_rep", "business_lead"])
def test_stock_changes_need_manage_stock(acme, signed_in, role):
    with tenant_context(acme):
        variant = _variants(_product())[0]
    client = signed_in(role)
    assert client.get(f"{BASE}/stock/{variant.pk}/").status_code == 200
    response = client.post(f"{BASE}/stock/{variant.pk}/", {
        "action": "adjust", "adjust-change": "100", "adjust-reason": "Gift"})
    assert response.status_code == (403 if role == "sales_rep" else 302)
    with tenant_context(acme):
        assert Variant.objects.get(pk=variant.pk).on_hand == (0 if role == "sales_rep" else 100)


def test_warehouse_manager_adjusts_stock_but_cannot_edit_products(acme, signed_in):
    with tenant_context(acme):
        product = _product()
        variant = _variants(product)[0]
    client = signed_in("warehouse_manager")
    page = client.get(f"{BASE}/products/{product.pk}/")
    assert page.status_code == 200
    assert 'data-testid="product-save"' not in page.content.decode()
    assert client.post(f"{BASE}/products/{product.pk}/", {
        "name": "Renamed", "code": "JUICE", "unit": "bottle"}).status_code == 403
    assert client.post(f"{BASE}/products/{product.pk}/variants/", {}).status_code == 403
    assert client.post(f"{BASE}/products/{product.pk}/variants/generate/", {
        "attribute_1": "Size", "values_1": "S", "list_price": "1"}).status_code == 403
    assert client.post(f"{BASE}/products/{product.pk}/images/", {
        "images": [_image()]}).status_code == 403
    assert client.get(f"{BASE}/products/new/").status_code == 403
    assert client.post(f"{BASE}/stock/{variant.pk}/", {
        "action": "adjust", "adjust-change": "7", "adjust-reason": "Count"}).status_code == 302
    with tenant_context(acme):
        assert Product.objects.get(pk=product.pk).name == "Orange juice"
        assert Variant.objects.filter(product=product).count() == 1
        assert not ProductImage.objects.exists()
        assert Variant.objects.get(pk=variant.pk).on_hand == 7


# --- settings --------------------------------------------------------------------------


def _catalog_settings(tenant):
    from ordering.settings.models import TenantSettings

    with tenant_context(tenant):
        return TenantSettings.objects.values_list("stock_display", "allow_oversell").get()


def test_catalog_settings(acme, signed_in):
    client = signed_in("business_lead")
    page = client.get(f"{BASE}/settings/")
    assert page.status_code == 200
    response = client.post(f"{BASE}/settings/", {"stock_display": "level",
                                                 "allow_oversell": "on"})
    assert response.status_code == 302
    assert _catalog_settings(acme) == ("level", True)
    with tenant_context(acme):
        variant = _variants(_product())[0]
        assert Variant.objects.get(pk=variant.pk).oversell  # new variants follow it
        stock_move(actor=None, variant=variant, kind=MovementKind.RESERVATION, quantity=3)
    refused = client.post(f"{BASE}/settings/", {"stock_display": "exact"})
    assert refused.status_code == 400 and "oversold" in refused.content.decode()
    assert client.post(f"{BASE}/settings/", {"stock_display": "nonsense"}).status_code == 400
    assert _catalog_settings(acme) == ("level", True)
    warehouse = signed_in("warehouse_manager")
    assert warehouse.get(f"{BASE}/settings/").status_code == 403
    assert warehouse.post(f"{BASE}/settings/", {"stock_display": "hidden"}).status_code == 403
    assert _catalog_settings(acme) == ("level", True)


# --- permissions, navigation, isolation --------------------------------------------------


def _urls(product, variant, image_pk=0):
    return [f"{BASE}/products/", f"{BASE}/products/new/", f"{BASE}/products/{product.pk}/",
            f"{BASE}/products/{product.pk}/prices/", f"{BASE}/categories/", f"{BASE}/stock/",
            f"{BASE}/stock/{variant.pk}/", f"{BASE}/settings/"]


def _posts(product, variant, image_pk):
    return [f"{BASE}/products/bulk/shelf/", f"{BASE}/products/bulk/price/",
            f"{BASE}/products/new/", f"{BASE}/products/{product.pk}/",
            f"{BASE}/products/{product.pk}/variants/",
            f"{BASE}/products/{product.pk}/variants/generate/",
            f"{BASE}/products/{product.pk}/images/",
            f"{BASE}/products/{product.pk}/images/order/",
            f"{BASE}/products/{product.pk}/images/{image_pk}/delete/",
            f"{BASE}/products/{product.pk}/prices/",
            f"{BASE}/products/{product.pk}/prices/customers/",
            f"{BASE}/products/{product.pk}/prices/breaks/", f"{BASE}/categories/",
            f"{BASE}/stock/{variant.pk}/", f"{BASE}/settings/"]


def _snapshot():
    return (list(Product.objects.values_list("name", "on_shelf")),
            list(Variant.objects.values_list("code", "list_price", "on_hand")),
            ProductImage.objects.count(), Category.objects.count(),
            StockMovement.objects.count(), LevelPrice.objects.count())


def test_shipping_clerks_and_dealers_get_403_everywhere_and_change_nothing(acme, acme_client,
                                                                          login_as):
    with tenant_context(acme):
        product = _product()
        variant = _variants(product)[0]
        image = ProductImage.objects.create(product=product, image="catalog/a.png")
        before = _snapshot()
        clerk, dealer = staff_with_roles("shipping_clerk"), DealerFactory()
    for user in (clerk, dealer):
        login_as(acme_client, acme, user)
        for url in _urls(product, variant):
            assert acme_client.get(url).status_code == 403, url
        for url in _posts(product, variant, image.pk):
            assert acme_client.post(url, {"products": [product.pk], "on_shelf": "off",
                                          "name": "X", "action": "adjust",
                                          "adjust-change": "5", "adjust-reason": "x"}
                                    ).status_code == 403, url
    with tenant_context(acme):
        assert _snapshot() == before
    anonymous = TenantClient(host_of(acme))
    response = anonymous.get(f"{BASE}/products/")
    assert response.status_code == 302 and "/login/" in response.url


def test_a_method_a_page_does_not_serve_is_405_after_the_permission_check(acme, signed_in):
    lead = signed_in("business_lead")
    assert lead.post(f"{BASE}/products/", {"products": ["1"]}).status_code == 405
    assert lead.get(f"{BASE}/products/bulk/shelf/").status_code == 405
    assert lead.delete(f"{BASE}/stock/").status_code == 405
    rep = signed_in("sales_rep")
    assert rep.get(f"{BASE}/products/bulk/price/").status_code == 403


def test_nav_shows_the_catalog_section_by_permission(acme, signed_in):
    lead = signed_in("business_lead")
    nav = lead.get("/dashboard/").content.decode()
    assert 'data-testid="nav-products"' in nav and f"{BASE}/settings/" in nav
    clerk = signed_in("shipping_clerk")
    assert 'data-testid="nav-products"' not in clerk.get("/dashboard/").content.decode()


def test_globex_staff_get_404_for_acme_ids(acme, globex, globex_client, login_as):
    with tenant_context(acme):
        product = _product()
        variant = _variants(product)[0]
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    for url in (f"{BASE}/products/{product.pk}/", f"{BASE}/products/{product.pk}/prices/",
                f"{BASE}/stock/{variant.pk}/"):
        assert globex_client.get(url).status_code == 404, url
    assert globex_client.post(f"{BASE}/stock/{variant.pk}/", {
        "action": "adjust", "adjust-change": "5", "adjust-reason": "x"}).status_code == 404
    assert b"Orange juice" not in globex_client.get(f"{BASE}/products/").content
    with tenant_context(acme):
        assert Variant.objects.get(pk=variant.pk).on_hand == 0
