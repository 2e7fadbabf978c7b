"""The catalog API (/api/v1/ on each tenant): products (list with filters, create with
variants, detail with variants, images and prices, PATCH), variants, stock movements,
images, categories, brands and units; structured validation errors with nothing saved;
the permission table; scoped special prices; tenant isolation; query budgets; 20
concurrent stock adjustments."""

import io
import threading
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import (Brand, Category, Product, ProductImage, StockMovement,
                                     Unit, Variant)
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.services import customers as customer_services
from tenants.models import Tenant
from tests.conftest import TenantClient, host_of
from tests.factories import DealerFactory
from tests.factories.roles import staff_with_roles

User = get_user_model()
API = "/api/v1"
JSON = "application/json"


def _post(client, path, data=None):
    return client.post(path, data if data is not None else {}, content_type=JSON)


def _patch(client, path, data):
    return client.patch(path, data, content_type=JSON)


def _error(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:800])
    return response.json()["error"]


def _product(code="JUICE", name="Orange juice", variants=1, price="10.00", **values):
    product = catalog.product_create(actor=None, name=name, code=code,
                                     unit=catalog.unit_get_or_create("bottle"), **values)
    for n in range(1, variants + 1):
        catalog.variant_save(actor=None, product=product, code=f"{code}-{n}", list_price=price)
    return product


def _png(size=(300, 200)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 160, 90)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def signed_in(in_acme, acme_client, login_as):
    """``signed_in(*role_keys)``: acme_client signed in as a new staff member with those
    built-in roles (the user is ``client.user``)."""

    def _sign(*roles):
        user = staff_with_roles(*roles)
        login_as(acme_client, in_acme, user)
        acme_client.user = user
        return acme_client

    return _sign


@pytest.fixture
def lead(signed_in):
    return signed_in("business_lead")


# --- products --------------------------------------------------------------------------


def test_list_with_search_filters_and_sorting(lead):
    drinks = catalog.category_create(actor=None, name="Drinks")
    juice = catalog.category_create(actor=None, name="Juice", parent=drinks)
    brand = catalog.brand_get_or_create("Sunny")
    orange = _product("OJ", "Orange juice", category=juice, brand=brand, tags=["fresh"],
                      price="4.00")
    catalog.variant_save(actor=None, product=orange, code="OJ-BIG", list_price="9.00",
                         barcode="6901234567892")
    stock_move(actor=None, variant=Variant.objects.get(code="OJ-1"),
               kind=MovementKind.RECEIPT, quantity=5)
    ProductImage.objects.create(product=orange, image="catalog/o.png",
                                thumbnail="catalog/o-t.webp")
    _product("HAMMER", "Claw hammer", on_shelf=False)

    def codes(**params):
        response = lead.get(f"{API}/products/", params)
        assert response.status_code == 200
        return [item["code"] for item in response.json()["results"]]

    body = lead.get(f"{API}/products/", {"q": "orange"}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["category"] == {"id": juice.pk, "name": "Juice"}
    assert item["brand"]["name"] == "Sunny" and item["unit"]["name"] == "bottle"
    assert (item["min_price"], item["max_price"]) == ("4.00", "9.00")
    assert item["variant_count"] == 2 and item["available"] == 5
    assert item["stock_state"] == "low" and item["thumbnail_url"] == "/media/catalog/o-t.webp"
    assert codes(q="oj-b") == ["OJ"] and codes(q="6901234567892") == ["OJ"]
    assert codes(category=drinks.pk) == ["OJ"] and codes(brand=brand.pk) == ["OJ"]
    assert codes(tag="fresh") == ["OJ"] and codes(shelf="off") == ["HAMMER"]
    assert codes(stock="out") == ["HAMMER"] and codes(stock="low") == ["OJ"]
    assert codes(sort="name") == ["HAMMER", "OJ"] and codes(sort="-name") == ["OJ", "HAMMER"]
    assert codes(sort="price") == ["OJ", "HAMMER"]  # lowest list price first
    assert codes(sort="-price") == ["HAMMER", "OJ"]  # highest list price first
    # Values that fit no filter are refused (issue 10, item 16); free text is free.
    refused = lead.get(f"{API}/products/", {"category": "1 OR 1=1", "sort": "x", "q": "[("})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"category", "sort"}
    assert lead.get(f"{API}/products/", {"q": "[("}).status_code == 200


def test_create_a_product_with_variants(lead):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    category = catalog.category_create(actor=None, name="Apparel")
    response = _post(lead, f"{API}/products/", {
        "name": "T-shirt", "code": "TEE", "category": category.pk, "brand": "Cotton Co",
        "unit": "piece", "tags": ["summer"], "levels": [gold.pk],
        "description": "<p>Soft<script>x()</script></p>",
        "variants": [
            {"code": "TEE-RED-M", "list_price": "59.00", "barcode": "111",
             "specs": [{"attribute": "Colour", "value": "Red"},
                       {"attribute": "Size", "value": "M"}],
             "units": [{"unit": "pack", "factor": 5}], "min_quantity": 2},
            {"code": "TEE-BLUE-M", "list_price": "61.50",
             "specs": [{"attribute": "Colour", "value": "Blue"},
                       {"attribute": "Size", "value": "M"}]}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "TEE" and body["brand"]["name"] == "Cotton Co"
    assert body["levels"] == [{"id": gold.pk, "name": "Gold"}]
    assert body["description"] == "<p>Soft</p>"
    red, blue = body["variants"]
    assert red["specs"] == [{"attribute": "Colour", "value": "Red"},
                            {"attribute": "Size", "value": "M"}]
    assert red["units"] == [{"unit": "pack", "factor": 5}] and red["min_quantity"] == 2
    assert red["stock"] == {"on_hand": 0, "reserved": 0, "available": 0, "state": "out"}
    assert blue["list_price"] == "61.50"
    assert Product.objects.get(code="TEE").variants.count() == 2


def test_create_refuses_bad_input_and_saves_nothing(lead):
    _product("TAKEN")
    error = _error(_post(lead, f"{API}/products/", {"name": "", "code": "TEE"}))
    assert {"name", "unit"} <= set(error["fields"])
    error = _error(_post(lead, f"{API}/products/", {"name": "T", "code": "taken",
                                                    "unit": "crate", "brand": "Newco"}))
    assert error["fields"] == {"code": ["Another product already has this code."]}
    error = _error(_post(lead, f"{API}/products/", {
        "name": "T-shirt", "code": "TEE", "unit": "piece", "brand": "Cotton Co",
        "variants": [{"code": "TEE-1", "list_price": "5"},
                     {"code": "TAKEN-1", "list_price": "5"}]}))
    assert error["fields"] == {"variants": {"1": {"code": [
        "Another variant already has this SKU code."]}}}
    error = _error(_post(lead, f"{API}/products/", {
        "name": "T-shirt", "code": "TEE", "unit": "piece",
        "variants": [{"code": "TEE-1", "list_price": "-5"}]}))
    assert "variants" in error["fields"]
    assert _error(_post(lead, f"{API}/products/", {
        "name": "T", "code": "TEE", "unit": "piece", "category": 999999}))["fields"] == {
        "category": ["No such category."]}
    assert list(Product.objects.values_list("code", flat=True)) == ["TAKEN"]
    assert Variant.objects.count() == 1
    assert not Brand.objects.filter(name__in=["Newco", "Cotton Co"]).exists()
    assert not Unit.objects.filter(name__in=["crate", "piece"]).exists()


def test_detail_has_variants_images_and_prices(lead):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    customer = customer_services.customer_create(actor=None, name="Pearl River")
    product = _product(variants=2)
    one, two = Variant.objects.filter(product=product).order_by("id")
    catalog.level_price_set(actor=None, variant=one, level=gold, price="8.00")
    catalog.level_price_set(actor=None, variant=two, level=gold, percent="85")
    catalog.customer_price_set(actor=None, variant=one, customer=customer, price="7.50")
    catalog.quantity_breaks_set(actor=None, product=product,
                                breaks=[{"min_quantity": 10, "discount_percent": "5"}])
    catalog.quantity_breaks_set(actor=None, variant=two,
                                breaks=[{"min_quantity": 24, "price": "6.00"}])
    ProductImage.objects.create(product=product, image="catalog/a.png", position=1)
    ProductImage.objects.create(product=product, image="catalog/b.png", position=0)
    body = lead.get(f"{API}/products/{product.pk}/").json()
    assert [image["url"] for image in body["images"]] == ["/media/catalog/b.png",
                                                          "/media/catalog/a.png"]
    assert body["quantity_breaks"] == [{"min_quantity": 10, "price": None,
                                        "discount_percent": "5.00"}]
    first, second = body["variants"]
    assert first["level_prices"] == [{"level": {"id": gold.pk, "name": "Gold"},
                                      "price": "8.00", "percent": None}]
    assert second["level_prices"][0]["percent"] == "85.00"
    assert first["customer_prices"] == [{"customer": {"id": customer.pk, "code": customer.code,
                                                      "name": "Pearl River"},
                                         "price": "7.50"}]
    assert second["quantity_breaks"] == [{"min_quantity": 24, "price": "6.00",
                                          "discount_percent": None}]
    assert first["quantity_breaks"] == []


def test_a_sales_rep_reads_only_their_customers_special_prices(signed_in):
    product = _product()
    variant = product.variants.get()
    mine = customer_services.customer_create(actor=None, name="Mine Trading")
    theirs = customer_services.customer_create(actor=None, name="Theirs Trading")
    for customer in (mine, theirs):
        catalog.customer_price_set(actor=None, variant=variant, customer=customer, price="5")
    rep = signed_in("sales_rep")
    assign_perm("customers.work_with_customer", rep.user, mine)
    response = rep.get(f"{API}/products/{product.pk}/")
    assert response.status_code == 200
    assert "Mine Trading" in response.content.decode()
    assert "Theirs Trading" not in response.content.decode()


def test_patch_a_product(lead):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    product = _product()
    body = _patch(lead, f"{API}/products/{product.pk}/", {
        "name": "Orange juice 1L", "brand": "Sunny", "levels": [gold.pk],
        "on_shelf": False}).json()
    assert body["name"] == "Orange juice 1L" and body["brand"]["name"] == "Sunny"
    assert body["levels"] == [{"id": gold.pk, "name": "Gold"}] and not body["on_shelf"]
    assert body["code"] == "JUICE" and body["unit"]["name"] == "bottle"
    body = _patch(lead, f"{API}/products/{product.pk}/", {"levels": [], "brand": None}).json()
    assert body["levels"] == [] and body["brand"] is None
    _product("OTHER")
    assert _error(_patch(lead, f"{API}/products/{product.pk}/", {"code": "other"}))[
        "fields"] == {"code": ["Another product already has this code."]}
    assert "name" in _error(_patch(lead, f"{API}/products/{product.pk}/", {"name": ""}))[
        "fields"]
    assert "levels" in _error(_patch(lead, f"{API}/products/{product.pk}/",
                                     {"levels": [999999]}))["fields"]
    product.refresh_from_db()
    assert product.name == "Orange juice 1L" and product.code == "JUICE"


def test_variants_add_and_patch(lead):
    product = _product(variants=0)
    image = ProductImage.objects.create(product=product, image="catalog/a.png")
    created = _post(lead, f"{API}/products/{product.pk}/variants/", {
        "code": "JUICE-1L", "list_price": "12.00", "image": image.pk,
        "specs": [{"attribute": "Volume", "value": "1 L"}],
        "units": [{"unit": "case", "factor": 12}]})
    assert created.status_code == 201, created.content
    variant = created.json()
    assert variant["image"] == image.pk and variant["units"] == [{"unit": "case",
                                                                  "factor": 12}]
    url = f"{API}/variants/{variant['id']}/"
    patched = _patch(lead, url, {"list_price": "11.50", "is_active": False}).json()
    assert patched["list_price"] == "11.50" and not patched["is_active"]
    # what was not sent is kept
    assert patched["specs"] == [{"attribute": "Volume", "value": "1 L"}]
    assert patched["units"] == [{"unit": "case", "factor": 12}]
    assert patched["image"] == image.pk
    assert lead.get(url).json()["code"] == "JUICE-1L"
    other = _product("OTHER")
    foreign = ProductImage.objects.create(product=other, image="catalog/b.png")
    assert _error(_patch(lead, url, {"image": foreign.pk}))["fields"] == {
        "image": ["Choose one of this product's images."]}
    assert "list_price" in _error(_patch(lead, url, {"list_price": "-1"}))["fields"]
    assert "units" in _error(_patch(lead, url, {"units": [{"unit": "bottle",
                                                           "factor": 6}]}))["fields"]
    assert "code" in _error(_patch(lead, url, {"code": "other-1"}))["fields"]
    saved = Variant.objects.get(pk=variant["id"])
    assert saved.list_price == Decimal("11.50") and saved.code == "JUICE-1L"
    assert saved.units.get().factor == 12


def test_image_upload_makes_thumbnails(lead, django_capture_on_commit_callbacks):
    product = _product()
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(f"{API}/products/{product.pk}/images/",
                             {"images": [_png(), _png((100, 900))]})
    assert response.status_code == 201, response.content
    assert len(response.json()) == 2
    images = list(ProductImage.objects.filter(product=product))
    assert all(image.thumbnail.name.endswith(".webp") for image in images)
    bad = lead.post(f"{API}/products/{product.pk}/images/", {
        "images": [_png(), SimpleUploadedFile("x.png", b"text", content_type="image/png")]})
    assert _error(bad)["fields"] == {"image": ["Upload a JPEG, PNG or WebP image."]}
    assert _error(lead.post(f"{API}/products/{product.pk}/images/", {}))["fields"] == {
        "images": ["Send one to 20 images in the field “images”."]}
    assert ProductImage.objects.filter(product=product).count() == 2


# --- stock -----------------------------------------------------------------------------


def test_stock_adjustments_receipts_and_the_ledger(signed_in):
    variant = _product().variants.get()
    client = signed_in("warehouse_manager")
    url = f"{API}/variants/{variant.pk}/stock-movements/"
    received = _post(client, url, {"kind": "receipt", "quantity": 24, "reference": "DN-1"})
    assert received.status_code == 201
    assert received.json()["on_hand_after"] == 24
    adjusted = _post(client, url, {"kind": "adjustment", "quantity": -4,
                                   "reason": "Broken"})
    assert adjusted.status_code == 201
    body = adjusted.json()
    assert (body["kind"], body["on_hand_change"], body["on_hand_after"]) == (
        "adjustment", -4, 20)
    assert body["actor"] == {"id": client.user.pk, "name": client.user.name}
    ledger = client.get(url).json()
    assert ledger["count"] == 2
    assert [row["kind"] for row in ledger["results"]] == ["adjustment", "receipt"]
    assert client.get(f"{API}/variants/{variant.pk}/").json()["stock"] == {
        "on_hand": 20, "reserved": 0, "available": 20, "state": "in_stock"}


def test_stock_movement_errors_change_nothing(signed_in):
    variant = _product().variants.get()
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=5)
    client = signed_in("warehouse_manager")
    url = f"{API}/variants/{variant.pk}/stock-movements/"
    assert "reason" in _error(_post(client, url, {"kind": "adjustment", "quantity": 3}))[
        "fields"]
    assert "quantity" in _error(_post(client, url, {"kind": "adjustment", "quantity": 0,
                                                    "reason": "x"}))["fields"]
    assert "quantity" in _error(_post(client, url, {"kind": "receipt", "quantity": -2}))[
        "fields"]
    assert "kind" in _error(_post(client, url, {"kind": "shipment", "quantity": 2}))["fields"]
    short = _error(_post(client, url, {"kind": "adjustment", "quantity": -6,
                                       "reason": "Count"}), status=409)
    assert short["code"] == "insufficient_stock"
    variant.refresh_from_db()
    assert variant.on_hand == 5 and StockMovement.objects.filter(variant=variant).count() == 1


def test_concurrent_adjustments_of_one_variant_keep_the_ledger_exact(committed_db, login_as):
    """20 staff requests adjusting the same variant at the same moment, on real
    connections: every change lands once, on-hand = the sum of the ledger."""
    acme = Tenant.objects.get(slug="acme")
    code = f"RACE-{uuid.uuid4().hex[:8]}"
    with tenant_context(acme):
        user = staff_with_roles("warehouse_manager", email=f"{code.lower()}@race.example")
        product = _product(code, "Race juice")
        variant = product.variants.get()
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=100)
    main = TenantClient(host_of(acme))
    login_as(main, acme, user)
    changes = [7 if n % 2 else -3 for n in range(20)]
    barrier = threading.Barrier(len(changes))
    statuses = []

    def adjust(change):
        client = TenantClient(host_of(acme))
        client.cookies = main.cookies
        try:
            barrier.wait()
            response = client.post(f"{API}/variants/{variant.pk}/stock-movements/",
                                   {"kind": "adjustment", "quantity": change,
                                    "reason": "Race"}, content_type=JSON)
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=adjust, args=(change,)) for change in changes]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201] * 20
        with tenant_context(acme):
            variant.refresh_from_db()
            ledger = list(StockMovement.objects.filter(variant=variant).order_by("id"))
            assert variant.on_hand == 100 + sum(changes) == sum(m.on_hand_change
                                                                for m in ledger)
            assert len([m for m in ledger if m.kind == MovementKind.ADJUSTMENT]) == 20
            # the rows form one chain: each starts where the previous one ended
            for previous, movement in zip(ledger, ledger[1:]):
                assert previous.on_hand_after + movement.on_hand_change == \
                    movement.on_hand_after
    finally:
        with tenant_context(acme), connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_stockmovement WHERE variant_id = %s",
                           [variant.pk])
            Product.objects.filter(pk=product.pk).delete()
            User.objects.filter(pk=user.pk).delete()


# --- reference data ----------------------------------------------------------------------


def test_categories_brands_and_units(lead):
    created = _post(lead, f"{API}/categories/", {"name": "Drinks"})
    assert created.status_code == 201
    drinks = created.json()
    child = _post(lead, f"{API}/categories/", {"name": "Juice", "parent": drinks["id"]}).json()
    assert (child["parent"], child["depth"]) == (drinks["id"], 1)
    assert [c["name"] for c in lead.get(f"{API}/categories/").json()["results"]] == [
        "Drinks", "Juice"]
    assert "name" in _error(_post(lead, f"{API}/categories/", {"name": "Drinks"}))["fields"]
    assert "parent" in _error(_post(lead, f"{API}/categories/", {
        "name": "X", "parent": 999999}))["fields"]
    brand = _post(lead, f"{API}/brands/", {"name": "Sunny"})
    assert brand.status_code == 201
    again = _post(lead, f"{API}/brands/", {"name": "SUNNY"}).json()
    assert again["id"] == brand.json()["id"]  # the same brand, any case
    assert [b["name"] for b in lead.get(f"{API}/brands/").json()["results"]] == ["Sunny"]
    assert "name" in _error(_post(lead, f"{API}/brands/", {"name": "  "}))["fields"]
    unit = _post(lead, f"{API}/units/", {"name": "case"}).json()
    assert unit["name"] == "case"
    assert "case" in [u["name"] for u in lead.get(f"{API}/units/").json()["results"]]
    assert Category.objects.count() == 2 and Brand.objects.count() == 1


# --- permissions and isolation -----------------------------------------------------------


def _state():
    return (list(Product.objects.values_list("name", "on_shelf")),
            list(Variant.objects.values_list("code", "list_price", "on_hand")),
            Category.objects.count(), Brand.objects.count(), StockMovement.objects.count())


def test_permission_table(in_acme, acme_client, login_as):
    product = _product()
    variant = product.variants.get()
    before = _state()
    writes = [
        ("post", f"{API}/products/", {"name": "X", "code": "X", "unit": "piece"}),
        ("patch", f"{API}/products/{product.pk}/", {"name": "Hacked"}),
        ("post", f"{API}/products/{product.pk}/variants/", {"code": "X-1", "list_price": 1}),
        ("patch", f"{API}/variants/{variant.pk}/", {"list_price": "0.01"}),
        ("post", f"{API}/categories/", {"name": "X"}),
        ("post", f"{API}/brands/", {"name": "X"}),
        ("post", f"{API}/units/", {"name": "X"}),
    ]
    stock = ("post", f"{API}/variants/{variant.pk}/stock-movements/",
             {"kind": "adjustment", "quantity": 5, "reason": "x"})
    reads = [f"{API}/products/", f"{API}/products/{product.pk}/",
             f"{API}/variants/{variant.pk}/", f"{API}/variants/{variant.pk}/stock-movements/",
             f"{API}/categories/", f"{API}/brands/", f"{API}/units/"]

    def call(method, path, data):
        return getattr(acme_client, method)(path, data, content_type=JSON).status_code

    for role in ("sales_rep", "warehouse_manager"):  # read the catalog, not change it
        login_as(acme_client, in_acme, staff_with_roles(role))
        assert [acme_client.get(path).status_code for path in reads] == [200] * len(reads)
        assert [call(*write) for write in writes] == [403] * len(writes), role
        assert call(*stock) == (403 if role == "sales_rep" else 201)
        if role == "sales_rep":
            assert _state() == before
    before = _state()
    for user in (staff_with_roles("shipping_clerk"), DealerFactory()):
        login_as(acme_client, in_acme, user)
        assert [acme_client.get(path).status_code for path in reads] == [403] * len(reads)
        assert [call(*write) for write in writes + [stock]] == [403] * (len(writes) + 1)
    assert _state() == before
    anonymous = TenantClient(host_of(in_acme))
    assert anonymous.get(f"{API}/products/").status_code in (401, 403)


def test_globex_gets_404_for_acme_ids_and_sees_none_of_acme(acme, globex, globex_client,
                                                            login_as):
    with tenant_context(acme):
        product = _product("SECRET", "Acme secret juice")
        variant = product.variants.get()
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    for path in (f"{API}/products/{product.pk}/", f"{API}/variants/{variant.pk}/",
                 f"{API}/variants/{variant.pk}/stock-movements/"):
        assert globex_client.get(path).status_code == 404, path
    assert _patch(globex_client, f"{API}/products/{product.pk}/",
                  {"name": "Hacked"}).status_code == 404
    assert _post(globex_client, f"{API}/variants/{variant.pk}/stock-movements/", {
        "kind": "adjustment", "quantity": 5, "reason": "x"}).status_code == 404
    assert "Acme secret" not in globex_client.get(f"{API}/products/").content.decode()
    with tenant_context(acme):
        assert Product.objects.get(pk=product.pk).name == "Acme secret juice"
        assert Variant.objects.get(pk=variant.pk).on_hand == 0


# --- query budgets -----------------------------------------------------------------------


def _queries(client, path):
    client.get(path)  # warm the tenant cache
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(context), response.json()


def test_list_query_count_is_constant_for_20_and_100_products(lead):
    category = catalog.category_create(actor=None, name="Bulk")
    brand = catalog.brand_get_or_create("Brand")

    def make(start, stop):
        for n in range(start, stop):
            product = _product(f"P{n:03d}", f"Product {n}", variants=2, category=category,
                               brand=brand, tags=["bulk"])
            ProductImage.objects.create(product=product, image=f"catalog/{n}.png")

    make(0, 20)
    few, body = _queries(lead, f"{API}/products/")
    assert body["count"] == 20
    make(20, 100)
    many, body = _queries(lead, f"{API}/products/")
    assert body["count"] == 100
    assert few == many and many <= 12, many


def test_detail_query_count_is_constant(lead):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    customer = customer_services.customer_create(actor=None, name="Pearl")
    product = _product(variants=1)
    ProductImage.objects.create(product=product, image="catalog/a.png")

    def enrich(variant):
        catalog.variant_save(actor=None, product=product, variant=variant, code=variant.code,
                             list_price="5", units=[(catalog.unit_get_or_create("case"), 12)],
                             spec_values=[catalog.spec_value_get_or_create(
                                 "Volume", f"{variant.pk} ml")])
        catalog.level_price_set(actor=None, variant=variant, level=gold, price="4")
        catalog.customer_price_set(actor=None, variant=variant, customer=customer, price="3")
        catalog.quantity_breaks_set(actor=None, variant=variant,
                                    breaks=[{"min_quantity": 10, "price": "2"}])

    enrich(product.variants.get())
    few, _body = _queries(lead, f"{API}/products/{product.pk}/")
    for n in range(2, 12):
        enrich(catalog.variant_save(actor=None, product=product, code=f"JUICE-{n}",
                                    list_price="5"))
        ProductImage.objects.create(product=product, image=f"catalog/{n}.png")
    many, body = _queries(lead, f"{API}/products/{product.pk}/")
    assert len(body["variants"]) == 11
    assert few == many and many <= 15, many
