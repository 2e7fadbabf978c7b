"""Catalog import (products and variants, level prices, customer prices, stock: xlsx/csv
→ dry run with row errors → confirm, one transaction, one audit entry) and export
(the product list's filters, constant queries), on the machinery the customers import
shares (``ordering.spreadsheets``)."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from ordering import spreadsheets
from ordering.catalog.enums import MovementKind
from ordering.catalog.models import (Brand, Category, CustomerPrice, LevelPrice, Product,
                                     SpecValue, StockMovement, Unit, Variant)
from ordering.catalog.resources import resource_for
from ordering.catalog.services import imports
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from ordering.customers.services.customers import customer_create, level_create
from roles.models import AuditLog
from roles.services.role_admin import role_create
from tests.factories import DealerFactory
from tests.factories.roles import staff_with_roles

User = get_user_model()
IMPORT_URL = "/dashboard/catalog/import/"
STATUS_URL = "/dashboard/catalog/import/status/"
TEMPLATE_URL = "/dashboard/catalog/import/template/"
EXPORT_URL = "/dashboard/catalog/export/"

PRODUCT_HEADERS = ["Product code", "Product name", "Category", "Brand", "Tags", "Base unit",
                   "On shelf", "SKU code", "Barcode", "Specifications", "List price",
                   "Minimum order quantity", "Order multiple", "Larger units", "Weight (kg)",
                   "Active"]


def _owner():
    return User.objects.get(email="owner@acme.example")


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _csv(rows, encoding="utf-8-sig"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def _workbook_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _import(kind, content, extension="csv", dry_run=False, actor=None, filename=""):
    return imports.import_file(actor=actor or _owner(), kind=kind, content=content,
                               extension=extension, filename=filename, dry_run=dry_run)


def _errors(result):
    return {(error.row, error.column) for error in result.errors}


@pytest.fixture
def data(in_acme):
    """Two levels, two customers, a unit, and one product with two variants."""
    standard = level_create(actor=None, name="Standard", is_default=True)
    gold = level_create(actor=None, name="Gold", price_percent=90)
    alpha = customer_create(actor=None, code="ALPHA", name="Alpha Foods")
    beta = customer_create(actor=None, code="BETA", name="Beta Drinks")
    bottle = catalog.unit_get_or_create("bottle")
    tea = catalog.product_create(actor=None, name="Green tea", code="TEA", unit=bottle)
    tea_small = catalog.variant_save(actor=None, product=tea, code="TEA-S", list_price="3.00")
    tea_large = catalog.variant_save(actor=None, product=tea, code="TEA-L", list_price="5.00")
    return {"standard": standard, "gold": gold, "alpha": alpha, "beta": beta,
            "bottle": bottle, "tea": tea, "tea_small": tea_small, "tea_large": tea_large}


@pytest.fixture
def clean_stash():
    """Remove the uploads a test left waiting in either tenant's storage."""
    yield
    from tenants.models import Tenant

    for tenant in Tenant.objects.exclude(schema_name="public"):
        with tenant_context(tenant):
            try:
                _dirs, files = default_storage.listdir(spreadsheets.STASH_DIR)
            except FileNotFoundError:
                continue
            for name in files:
                default_storage.delete(f"{spreadsheets.STASH_DIR}/{name}")


# --- products and variants ---------------------------------------------------------


def test_valid_xlsx_creates_products_variants_and_their_reference_data(data):
    content = _xlsx([
        PRODUCT_HEADERS,
        ["JUICE", "Orange juice", "Drinks/Juice", "Sunny", "new, summer", "Bottle", "yes",
         "JUICE-R", 6901234567890, "Size:1L;Pack:Glass", 12.5, 6, 6, "box=12;case=48", 1.2,
         "yes"],
        ["JUICE", "Orange juice", "Drinks / Juice", "sunny", "new, summer", "bottle", "",
         "JUICE-S", None, "Size:330ml;Pack:Glass", "4.80", None, None, "box=24", None, None],
        ["COLA", "Cola", "Drinks", "", "", "can", "no", "COLA-1", "", "", 2, "", "", "", "",
         "no"],
    ])
    result = _import("products", content, "xlsx", filename="catalog.xlsx")
    assert result.errors == []
    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    juice = Product.objects.get(code="JUICE")
    assert juice.name == "Orange juice" and juice.on_shelf
    assert juice.category.name == "Juice" and juice.category.parent.name == "Drinks"
    assert juice.brand.name == "Sunny" and juice.tags == ["new", "summer"]
    assert juice.unit == data["bottle"]  # matched case-insensitively, not created again
    big = Variant.objects.get(code="JUICE-R")
    assert big.barcode == "6901234567890" and big.list_price == Decimal("12.50")
    assert (big.min_quantity, big.order_multiple, big.weight) == (6, 6, Decimal("1.200"))
    assert {(v.attribute.name, v.value) for v in big.spec_values.all()} == {
        ("Size", "1L"), ("Pack", "Glass")}
    assert {(u.unit.name, u.factor) for u in big.units.all()} == {("box", 12), ("case", 48)}
    small = Variant.objects.get(code="JUICE-S")
    assert small.product == juice and small.is_active
    # "Glass" was made once for both rows; the category path once
    assert SpecValue.objects.filter(value="Glass").count() == 1
    assert Category.objects.filter(name="Drinks").count() == 1
    assert Brand.objects.filter(name__iexact="sunny").count() == 1
    cola = Product.objects.get(code="COLA")
    assert not cola.on_shelf and cola.category.name == "Drinks" and cola.brand is None
    assert not cola.variants.get().is_active
    assert Unit.objects.filter(name="can").exists()
    entry = AuditLog.objects.get(action="catalog.import")
    assert entry.after == {"kind": "products", "file": "catalog.xlsx", "rows": 3,
                           "created": 3, "updated": 0}
    assert AuditLog.objects.filter(action="catalog.variant_save").count() == 5  # 2 + 3


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_with_chinese_headers(data, encoding):
    content = _csv([
        ["商品编码", "商品名称", "分类", "品牌", "单位", "SKU编码", "规格", "标准价", "起订量"],
        ["MILK", "纯牛奶", "乳品/牛奶", "蒙牛", "盒", "MILK-250", "容量：250ml", "¥1,234.50", "2"],
    ], encoding=encoding)
    result = _import("products", content)
    assert result.errors == []
    variant = Variant.objects.get(code="MILK-250")
    assert variant.product.name == "纯牛奶" and variant.list_price == Decimal("1234.50")
    assert variant.product.category.name == "牛奶" and variant.min_quantity == 2
    assert [(v.attribute.name, v.value) for v in variant.spec_values.all()] == [
        ("容量", "250ml")]


def test_dry_run_validates_but_writes_nothing(data):
    content = _csv([["Product code", "Product name", "Base unit", "SKU code", "List price",
                     "Category"],
                    ["NEW", "New thing", "piece", "NEW-1", "1", "Fresh/Things"]])
    result = _import("products", content, dry_run=True)
    assert result.ok and result.created == 1
    assert not Product.objects.filter(code="NEW").exists()
    assert not Category.objects.exists() and not Unit.objects.filter(name="piece").exists()
    assert not AuditLog.objects.filter(action__startswith="catalog.").exclude(
        action__in=["catalog.product_create", "catalog.variant_save"]).exists()


def test_update_by_code_keeps_empty_cells_and_counts_unchanged_rows(data):
    stock_move(actor=None, variant=data["tea_small"], kind=MovementKind.RECEIPT, quantity=5)
    catalog.variant_save(actor=None, product=data["tea"], variant=data["tea_small"],
                         code="TEA-S", list_price="3.00", barcode="111", weight=Decimal("0.5"),
                         units=[(catalog.unit_get_or_create("box"), 12)],
                         spec_values=[catalog.spec_value_get_or_create("Size", "S")])
    content = _csv([["Product code", "Product name", "SKU code", "List price", "Barcode",
                     "On shelf"],
                    ["tea", "", "tea-s", "3.20", "", ""],     # price only
                    ["TEA", "", "TEA-L", "5", "", ""]])       # the same as stored
    result = _import("products", content)
    assert result.errors == [] and (result.created, result.updated, result.unchanged) == (
        0, 1, 1)
    small = Variant.objects.get(pk=data["tea_small"].pk)
    assert small.code == "TEA-S" and small.list_price == Decimal("3.20")
    assert small.barcode == "111" and small.weight == Decimal("0.500")  # empty: unchanged
    assert [(u.unit.name, u.factor) for u in small.units.all()] == [("box", 12)]
    assert [v.value for v in small.spec_values.all()] == ["S"]
    assert small.on_hand == 5
    tea = Product.objects.get(pk=data["tea"].pk)
    assert tea.name == "Green tea" and Product.objects.count() == 1
    assert AuditLog.objects.get(action="catalog.import").after["unchanged"] == 1
    # renaming the product through any of its rows
    result = _import("products", _csv([["Product code", "Product name", "SKU code"],
                                        ["TEA", "Jasmine tea", "TEA-L"]]))
    assert result.errors == [] and result.updated == 1
    assert Product.objects.get(pk=data["tea"].pk).name == "Jasmine tea"


def test_bad_product_rows_are_reported_by_row_and_column_and_nothing_is_saved(data):
    content = _xlsx([
        PRODUCT_HEADERS[:14],
        ["OK", "Fine", "", "", "", "piece", "", "OK-1", "", "", 1, "", "", ""],
        ["BAD", "Bad", "", "", "", "piece", "maybe", "OK-1", "", "Colour", -1, 0, "x", "box"],
        ["NONAME", "", "", "", "", "", "", "NN-1", "", "", 1, "", "", ""],
        ["TEA", "", "", "", "", "", "", "TEA-NEW", "", "", "", "", "", "box=1"],
        ["OTHER", "Other", "", "", "", "piece", "", "TEA-S", "", "", 1, "", "", ""],
        ["OK", "Renamed", "", "", "", "", "", "OK-2", "", "", 1, "", "", ""],
    ])
    result = _import("products", content, "xlsx")
    assert _errors(result) == {
        (3, "On shelf"), (3, "SKU code"), (3, "Specifications"), (3, "List price"),
        (3, "Minimum order quantity"), (3, "Order multiple"), (3, "Larger units"),
        (4, "Product name"), (4, "Base unit"),
        (5, "List price"), (5, "Larger units"),
        (6, "SKU code"),
        (7, "Product name"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "row 2" in messages[(3, "SKU code")]
    assert "TEA" in messages[(6, "SKU code")]
    assert "Row 2" in messages[(7, "Product name")]
    assert result.created == result.updated == 0
    assert not Product.objects.filter(code="OK").exists()  # the valid row 2 rolled back
    assert not AuditLog.objects.filter(action="catalog.import").exists()


def test_service_errors_become_row_errors(data):
    other = catalog.product_create(actor=None, name="Other", code="OTHER", unit=data["bottle"])
    catalog.variant_save(actor=None, product=other, code="OTHER-1", list_price="1")
    content = _csv([["Product code", "Product name", "Base unit", "SKU code", "List price",
                     "Larger units"],
                    ["BAD CODE", "Spaces", "piece", "SP-1", "1", ""],
                    ["UNIT", "Unit", "piece", "UNIT-1", "1", "piece=6"]])
    result = _import("products", content)
    assert _errors(result) == {(2, "Product code"), (3, "Larger units")}
    assert not Product.objects.filter(code__in=["UNIT"]).exists()


def test_a_code_taken_meanwhile_is_a_row_error_and_the_check_goes_on(data, monkeypatch):
    """Rows need no savepoint of their own: a failing service undoes itself (here the
    unique SKU code, as if another user had just created it)."""
    prepare = imports.ProductImporter.prepare

    def prepare_without_existing_variants(self, rows):
        prepare(self, rows)
        self.variants = {}

    monkeypatch.setattr(imports.ProductImporter, "prepare", prepare_without_existing_variants)
    content = _csv([["Product code", "SKU code", "List price"],
                    ["TEA", "tea-s", "1"], ["TEA", "TEA-M", "2"]])
    result = _import("products", content, dry_run=True)
    assert _errors(result) == {(2, "SKU code")}
    assert "Another variant already has this SKU code." in result.errors[0].message
    monkeypatch.undo()
    ok = _import("products", _csv([["Product code", "SKU code", "List price"],
                                    ["TEA", "TEA-M", "2"]]))
    assert ok.created == 1 and Variant.objects.filter(product=data["tea"]).count() == 3


def test_the_file_is_checked_before_any_row(data):
    def refused(kind, content, needle, extension="csv"):
        with pytest.raises(spreadsheets.ImportFileError) as info:
            _import(kind, content, extension)
        assert needle in info.value.message, info.value.message

    refused("products", _csv([["Product name"], ["A"]]), "Product code")
    refused("level_prices", _csv([["SKU code", "Customer level"], ["A", "B"]]), "Price")
    refused("stock", _csv([["SKU code"], ["A"]]), "Counted quantity")
    refused("products", b"not a zip", "Excel workbook", "xlsx")
    refused("stock", _csv([["SKU code", "Counted quantity"]]
                          + [[f"V{i}", "1"] for i in range(10_001)]), "10000")


# --- prices ------------------------------------------------------------------------


def test_level_prices_are_set_updated_and_validated(data):
    catalog.level_price_set(actor=None, variant=data["tea_large"], level=data["gold"],
                            price="4.00")
    content = _csv([["SKU code", "Customer level", "Price", "% of list price"],
                    ["TEA-S", "gold", "2.50", ""],
                    ["tea-l", "Gold", "", "85%"],
                    ["TEA-S", "Standard", "2.90", ""]])
    result = _import("level_prices", content)
    assert result.errors == [] and (result.created, result.updated) == (2, 1)
    prices = {(lp.variant.code, lp.level.name): (lp.price, lp.percent)
              for lp in LevelPrice.objects.select_related("variant", "level")}
    assert prices == {("TEA-S", "Gold"): (Decimal("2.50"), None),
                      ("TEA-L", "Gold"): (None, Decimal("85.00")),
                      ("TEA-S", "Standard"): (Decimal("2.90"), None)}
    assert _import("level_prices", content).unchanged == 3

    bad = _csv([["SKU code", "Customer level", "Price", "% of list price"],
                ["TEA-S", "Platinum", "1", ""],
                ["TEA-L", "Gold", "abc", ""],
                ["NOPE", "Gold", "1", ""],
                ["TEA-L", "Standard", "1", "50"],
                ["TEA-S", "Standard", "", ""],
                ["TEA-S", "gold", "3", ""],
                ["TEA-S", "GOLD", "4", ""]])
    result = _import("level_prices", bad)
    assert _errors(result) == {(2, "Customer level"), (3, "Price"), (4, "SKU code"),
                               (5, "% of list price"), (6, "Price"), (8, "Customer level")}
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "Gold" in messages[(2, "Customer level")]  # the known levels are listed
    assert "row 7" in messages[(8, "Customer level")]
    assert LevelPrice.objects.get(variant=data["tea_small"], level=data["gold"]).price == \
        Decimal("2.50")  # the valid row 7 was rolled back


def test_customer_prices_and_scope(data):
    content = _csv([["SKU code", "Customer code", "Price"],
                    ["TEA-S", "alpha", "2.20"], ["TEA-L", "BETA", "4.40"]])
    result = _import("customer_prices", content)
    assert result.errors == [] and result.created == 2
    assert CustomerPrice.objects.get(customer=data["alpha"]).price == Decimal("2.20")

    bad = _csv([["SKU code", "Customer code", "Price"],
                ["TEA-S", "NOBODY", "1"], ["TEA-S", "ALPHA", ""], ["TEA-S", "BETA", "-3"]])
    result = _import("customer_prices", bad)
    assert _errors(result) == {(2, "Customer code"), (3, "Price"), (4, "Price")}
    assert {e.message for e in result.errors if e.column == "Customer code"} == {
        "No such customer."}

    # a sales rep who may set prices reaches only their own customers
    role = role_create(actor=_owner(), name_en="Pricing", permissions=["manage_prices"])
    rep = staff_with_roles("sales_rep")
    rep.groups.add(role.group)
    customer_create(actor=None, code="MINE", name="Mine", sales_rep=rep)
    result = _import("customer_prices", _csv([["SKU code", "Customer code", "Price"],
                                               ["TEA-S", "MINE", "1"], ["TEA-S", "BETA", "1"]]),
                     actor=rep)
    assert _errors(result) == {(3, "Customer code")}


# --- stock -------------------------------------------------------------------------


def test_stock_import_adjusts_to_the_count_or_receives_and_writes_the_ledger(data):
    stock_move(actor=None, variant=data["tea_small"], kind=MovementKind.RECEIPT, quantity=10)
    content = _csv([["SKU code", "Counted quantity", "Received quantity"],
                    ["TEA-S", "7", ""], ["TEA-L", "", "24"]])
    result = _import("stock", content, filename="count.csv")
    assert result.errors == [] and result.updated == 2
    small = Variant.objects.get(pk=data["tea_small"].pk)
    large = Variant.objects.get(pk=data["tea_large"].pk)
    assert (small.on_hand, large.on_hand) == (7, 24)
    adjustment = StockMovement.objects.get(variant=small, kind=MovementKind.ADJUSTMENT)
    assert adjustment.on_hand_change == -3 and adjustment.on_hand_after == 7
    assert adjustment.reason == "Stock import" and adjustment.actor == _owner()
    assert adjustment.reference == "count.csv"
    receipt = StockMovement.objects.get(variant=large, kind=MovementKind.RECEIPT)
    assert receipt.on_hand_change == 24 and receipt.reason == "Stock import"
    again = _import("stock", _csv([["SKU code", "Counted quantity"], ["TEA-S", "7"]]))
    assert again.unchanged == 1 and StockMovement.objects.filter(variant=small).count() == 2

    stock_move(actor=None, variant=large, kind=MovementKind.RESERVATION, quantity=20)
    for code in ("TEA-M", "TEA-XL"):
        catalog.variant_save(actor=None, product=data["tea"], code=code, list_price="4")
    bad = _csv([["SKU code", "Counted quantity", "Received quantity"],
                ["TEA-S", "-1", ""], ["TEA-L", "5", ""], ["TEA-M", "", ""],
                ["NOPE", "1", ""], ["TEA-XL", "1", "1"], ["tea-xl", "2", ""]])
    result = _import("stock", bad)
    assert _errors(result) == {(2, "Counted quantity"), (3, "Counted quantity"),
                               (4, "Counted quantity"), (5, "SKU code"),
                               (6, "Received quantity"), (7, "SKU code")}
    assert Variant.objects.get(pk=large.pk).on_hand == 24  # below the reserved 20: refused


# --- the import page ---------------------------------------------------------------


def _upload(client, content, name="catalog.csv", kind="products"):
    return client.post(IMPORT_URL, {"action": "check", "kind": kind,
                                    "file": SimpleUploadedFile(name, content)})


def test_import_page_checks_then_confirms_in_one_audited_transaction(
        acme, acme_client, login_as, data, clean_stash):
    login_as(acme_client, acme, _owner())
    page = acme_client.get(IMPORT_URL)
    assert page.status_code == 200
    html = page.content.decode()
    for kind in ("products", "level_prices", "customer_prices", "stock"):
        assert f'data-testid="template-{kind}"' in html and f'data-testid="export-{kind}"' in html
    content = _xlsx([["Product code", "Product name", "Base unit", "SKU code", "List price"],
                     ["TEA", "", "", "TEA-S", "3.10"], ["SODA", "Soda", "can", "SODA-1", "2"],
                     ["TEA", "", "", "TEA-L", "5"]])
    response = _upload(acme_client, content, name="c.xlsx")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-confirm"' in html
    assert re.search(r'data-testid="import-created">1<', html)
    assert re.search(r'data-testid="import-updated">1<', html)
    assert re.search(r'data-testid="import-unchanged">1<', html)
    token = acme_client.session["catalog_import"]["token"]
    with tenant_context(acme):
        assert not Product.objects.filter(code="SODA").exists()
    response = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)
    assert response.status_code == 200
    assert "Imported 3 rows of products and variants: 1 new, 1 updated." in \
        response.content.decode()
    with tenant_context(acme):
        assert Variant.objects.get(code="SODA-1").product.name == "Soda"
        assert AuditLog.objects.filter(action="catalog.import").count() == 1
        assert not default_storage.exists(f"private/imports/{token}.xlsx")
    again = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer waiting" in again.content.decode()


def test_import_page_lists_row_errors_and_offers_no_confirmation(
        acme, acme_client, login_as, data, clean_stash):
    login_as(acme_client, acme, _owner())
    content = _csv([["SKU code", "Customer level", "Price"],
                    ["TEA-S", "Gold", "1"], ["TEA-S", "Diamond", "1"], ["TEA-X", "Gold", "x"]])
    response = _upload(acme_client, content, kind="level_prices")
    assert response.status_code == 400
    html = response.content.decode()
    assert set(re.findall(r'data-row="(\d+)" data-column="([^"]*)"', html)) == {
        ("3", "Customer level"), ("4", "SKU code"), ("4", "Price")}
    assert "import-confirm" not in html
    with tenant_context(acme):
        assert not LevelPrice.objects.exists()


def test_with_a_worker_the_page_polls_until_done(acme, acme_client, login_as, data,
                                                 clean_stash, monkeypatch):
    from ordering.catalog.tasks import catalog_import_task

    queued = []
    monkeypatch.setattr(catalog_import_task, "apply_async",
                        lambda kwargs: queued.append(kwargs))

    def work():
        with tenant_context(acme):
            catalog_import_task.run(**queued.pop())

    login_as(acme_client, acme, _owner())
    response = _upload(acme_client, _csv([["SKU code", "Received quantity"], ["TEA-S", "3"]]),
                       kind="stock")
    html = response.content.decode()
    assert 'data-testid="import-running"' in html and f'hx-get="{STATUS_URL}"' in html
    poll = {"HTTP_HX_REQUEST": "true"}
    work()
    status = acme_client.get(STATUS_URL, **poll).content.decode()
    assert 'data-testid="import-confirm"' in status
    token = acme_client.session["catalog_import"]["token"]
    acme_client.post(IMPORT_URL, {"action": "confirm", "token": token})
    work()
    done = acme_client.get(STATUS_URL, **poll)
    assert done.status_code == 204 and done["HX-Redirect"]
    with tenant_context(acme):
        assert Variant.objects.get(code="TEA-S").on_hand == 3


def test_globex_cannot_use_an_acme_import_token(acme, globex, acme_client, globex_client,
                                                login_as, data, clean_stash):
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["SKU code", "Received quantity"], ["TEA-S", "9"]]),
            kind="stock")
    token = acme_client.session["catalog_import"]["token"]
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    session = globex_client.session
    session["catalog_import"] = {"token": token}  # even a session holding the token
    session.save()
    response = globex_client.post(IMPORT_URL, {"action": "confirm", "token": token},
                                  follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    with tenant_context(acme):
        assert Variant.objects.get(code="TEA-S").on_hand == 0
        assert default_storage.exists(f"private/imports/{token}.csv")
    assert acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}).status_code == 302
    with tenant_context(acme):
        assert Variant.objects.get(code="TEA-S").on_hand == 9


def test_a_customers_import_token_is_not_a_catalog_token(acme, acme_client, login_as, data,
                                                         clean_stash):
    login_as(acme_client, acme, _owner())
    acme_client.post("/dashboard/customers/import/", {
        "action": "check", "kind": "customers",
        "file": SimpleUploadedFile("c.csv", _csv([["Company name"], ["Someone"]]))})
    token = acme_client.session["customer_import"]["token"]
    session = acme_client.session
    session["catalog_import"] = {"token": token}
    session.save()
    response = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer waiting" in response.content.decode()


# --- permissions -------------------------------------------------------------------


def test_each_kind_needs_its_permission(acme, acme_client, login_as, data, clean_stash):
    with tenant_context(acme):
        keeper = staff_with_roles("warehouse_manager")  # manage_stock only
        clerk = staff_with_roles("shipping_clerk")  # none of the three
    login_as(acme_client, acme, keeper)
    page = acme_client.get(IMPORT_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="template-stock"' in html and "template-products" not in html
    assert 'data-testid="export-stock"' not in html  # no export_data
    response = _upload(acme_client, _csv([["Product code", "SKU code"], ["A", "A-1"]]))
    assert response.status_code == 400  # "products" is not a choice for them
    with tenant_context(acme):
        with pytest.raises(Exception) as info:
            imports.import_file(actor=keeper, kind="level_prices", extension="csv",
                                content=_csv([["SKU code", "Customer level", "Price"],
                                              ["TEA-S", "Gold", "1"]]))
        assert getattr(info.value, "status", None) == 403
    assert acme_client.get(TEMPLATE_URL, {"kind": "stock"}).status_code == 200
    assert acme_client.get(TEMPLATE_URL, {"kind": "products"}).status_code == 403
    assert acme_client.get(EXPORT_URL).status_code == 403
    assert _upload(acme_client, _csv([["SKU code", "Received quantity"], ["TEA-S", "1"]]),
                   kind="stock").status_code == 200

    login_as(acme_client, acme, clerk)
    for url in (IMPORT_URL, STATUS_URL, TEMPLATE_URL):
        assert acme_client.get(url).status_code == 403


def test_dealers_get_403_and_visitors_sign_in(acme, acme_client, login_as, data):
    for url in (IMPORT_URL, TEMPLATE_URL, EXPORT_URL):
        response = acme_client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    with tenant_context(acme):
        dealer = DealerFactory()
    login_as(acme_client, acme, dealer)
    for url in (IMPORT_URL, STATUS_URL, TEMPLATE_URL, EXPORT_URL):
        assert acme_client.get(url).status_code == 403
    response = _upload(acme_client, _csv([["SKU code", "Received quantity"], ["TEA-S", "1"]]),
                       kind="stock")
    assert response.status_code == 403


# --- templates and export ----------------------------------------------------------


def test_templates_have_the_header_row_of_each_kind(acme, acme_client, login_as, data):
    login_as(acme_client, acme, _owner())
    for kind in ("products", "level_prices", "customer_prices", "stock"):
        response = acme_client.get(TEMPLATE_URL, {"kind": kind})
        assert response.status_code == 200
        with tenant_context(acme):
            assert _workbook_rows(response.content) == [
                [header for _key, header in resource_for(kind).columns()]]
    assert _workbook_rows(acme_client.get(TEMPLATE_URL).content)[0] == PRODUCT_HEADERS
    assert acme_client.get(TEMPLATE_URL, {"kind": "orders"}).status_code == 404


def test_an_export_imports_back_unchanged(data):
    catalog.level_price_set(actor=None, variant=data["tea_small"], level=data["gold"],
                            percent="80")
    catalog.customer_price_set(actor=None, variant=data["tea_large"], customer=data["alpha"],
                               price="4.10")
    catalog.variant_save(actor=None, product=data["tea"], variant=data["tea_small"],
                         code="TEA-S", list_price="3", spec_values=[
                             catalog.spec_value_get_or_create("Size", "S")],
                         units=[(catalog.unit_get_or_create("box"), 12)])
    from django.utils import translation

    for kind in ("products", "level_prices", "customer_prices", "stock"):
        for extension, language in (("xlsx", "zh-hans"), ("csv", "en")):
            with translation.override(language):
                data_bytes, _name = imports.export_file(
                    actor=_owner(), kind=kind, extension=extension,
                    products=Product.objects.all())
            result = _import(kind, data_bytes, extension)
            assert result.errors == [], (kind, result.errors)
            assert result.rows == result.unchanged > 0, (kind, result)


def _exporter():
    role = role_create(actor=_owner(), name_en="Exporter", permissions=["export_data"])
    user = staff_with_roles("sales_rep")
    user.groups.add(role.group)
    return user


def test_export_honours_the_product_list_filters(acme, acme_client, login_as, data):
    with tenant_context(acme):
        drinks = catalog.category_create(actor=None, name="Drinks")
        juice = catalog.category_create(actor=None, name="Juice", parent=drinks)
        sunny = catalog.brand_get_or_create("Sunny")
        made = {}
        for code, values in (("OJ", {"category": juice, "brand": sunny, "tags": ["summer"]}),
                             ("WATER", {"category": drinks, "on_shelf": False}),
                             ("SOAP", {})):
            product = catalog.product_create(actor=None, name=f"{code} product", code=code,
                                             unit=data["bottle"], **values)
            made[code] = catalog.variant_save(actor=None, product=product, code=f"{code}-1",
                                              list_price="1")
        catalog.customer_price_set(actor=None, variant=made["OJ"], customer=data["alpha"],
                                   price="0.90")
        user = _exporter()
    login_as(acme_client, acme, user)

    def codes(**params):
        response = acme_client.get(EXPORT_URL, params)
        assert response.status_code == 200
        return [row[0] for row in _workbook_rows(response.content)[1:]]

    assert sorted(codes()) == ["OJ", "SOAP", "TEA", "TEA", "WATER"]
    assert sorted(codes(category=drinks.pk)) == ["OJ", "WATER"]
    assert codes(brand=sunny.pk) == ["OJ"] and codes(tag="summer") == ["OJ"]
    assert codes(shelf="off") == ["WATER"] and codes(q="soap") == ["SOAP"]
    assert codes(kind="stock", q="oj") == ["OJ-1"]
    # the sales rep reaches no customer: no customer prices
    assert codes(kind="customer_prices") == []
    response = acme_client.get(EXPORT_URL, {"kind": "customer_prices", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="catalog-customer-prices-\d{8}\.csv"',
                        response["Content-Disposition"])
    assert acme_client.get(EXPORT_URL, {"kind": "orders"}).status_code == 400
    with tenant_context(acme):
        entry = AuditLog.objects.filter(action="catalog.export").latest("id")
        assert entry.actor == user and entry.after["kind"] == "customer_prices"
    login_as(acme_client, acme, _owner())
    lines = list(csv.reader(io.StringIO(acme_client.get(EXPORT_URL, {
        "kind": "customer_prices", "format": "csv"}).content.decode("utf-8-sig"))))
    assert lines == [["SKU code", "Product name", "Specifications", "Customer code",
                      "Company name", "Price"], ["OJ-1", "OJ product", "", "ALPHA",
                                                 "Alpha Foods", "0.90"]]


def test_export_writes_formula_like_text_as_text(acme, acme_client, login_as, data):
    with tenant_context(acme):
        catalog.product_update(actor=None, product=data["tea"], name='=HYPERLINK("x")')
    login_as(acme_client, acme, _owner())
    book = openpyxl.load_workbook(io.BytesIO(acme_client.get(EXPORT_URL).content))
    assert book.active["B2"].value == '=HYPERLINK("x")' and book.active["B2"].data_type == "s"
    assert "'=HYPERLINK" in acme_client.get(EXPORT_URL, {"format": "csv"}).content.decode(
        "utf-8-sig")


@pytest.mark.parametrize("kind", ["products", "level_prices", "customer_prices", "stock"])
def test_export_queries_do_not_grow_with_the_rows(acme, acme_client, login_as, data, kind):
    def make(n, start):
        with tenant_context(acme):
            size = catalog.spec_value_get_or_create("Size", "M")
            box = catalog.unit_get_or_create("box")
            category = Category.objects.first() or catalog.category_create(actor=None,
                                                                           name="All")
            brand = catalog.brand_get_or_create("Brand")
            for i in range(start, start + n):
                product = catalog.product_create(actor=None, name=f"P{i}", code=f"P{i}",
                                                 unit=data["bottle"], category=category,
                                                 brand=brand, tags=["t"])
                for suffix in ("A", "B"):
                    variant = catalog.variant_save(actor=None, product=product,
                                                   code=f"P{i}{suffix}", list_price="2",
                                                   spec_values=[size], units=[(box, 6)])
                    catalog.level_price_set(actor=None, variant=variant, level=data["gold"],
                                            price="1")
                    catalog.customer_price_set(actor=None, variant=variant,
                                               customer=data["alpha"], price="1")

    login_as(acme_client, acme, _owner())
    acme_client.get(EXPORT_URL, {"kind": kind})  # warm up
    counts, sizes = [], []
    for n, start in ((3, 0), (20, 3)):
        make(n, start)
        with CaptureQueriesContext(connection) as queries:
            response = acme_client.get(EXPORT_URL, {"kind": kind})
        assert response.status_code == 200
        sizes.append(len(_workbook_rows(response.content)))
        counts.append(len(queries))
    assert sizes[1] > sizes[0]
    assert counts[0] == counts[1], counts
