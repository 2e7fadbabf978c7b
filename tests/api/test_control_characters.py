"""Control characters: stored data with them still exports (every cell is cleaned in one
place), and no input path stores new ones (API refuses, pages and imports clean)."""

import csv
import io

import openpyxl
import pytest
from django.db import models

from core.text import CONTROL
from ordering.catalog import selectors as catalog_selectors
from ordering.catalog.models import Product, Variant
from ordering.catalog.services import imports as catalog_imports
from ordering.customers import selectors as customer_selectors
from ordering.customers.models import Address, Contact, Customer
from ordering.customers.services import imports as customer_imports
from tests.orders.conftest import build_shop

DIRTY = "A\x07B\x1bC\x0cD\x7fE\x9bF"


def _dirty(model, pk):
    """Every free text field of the row gets control characters (as old data could hold),
    written past every input check."""
    values = {}
    for field in model._meta.get_fields():
        if (isinstance(field, (models.CharField, models.TextField)) and not field.choices
                and field.concrete and not field.primary_key):
            limit = field.max_length or 200
            values[field.name] = (field.name[:3] + DIRTY)[:limit]
    model.objects.filter(pk=pk).update(**values)
    return values


def _cells(data, extension):
    if extension == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        return [str(c) for row in book.active.iter_rows(values_only=True) for c in row
                if c is not None]
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.fixture
def dirty_shop(in_acme, acme):
    shop = build_shop(acme)
    for model, row in ((Customer, shop.customer), (Address, shop.address),
                       (Product, shop.juice.product), (Variant, shop.juice)):
        _dirty(model, row.pk)
    contact = Contact.objects.create(customer=shop.customer, name="x", is_primary=True)
    _dirty(Contact, contact.pk)
    return shop


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["customers", "contacts", "addresses"])
def test_customer_exports_clean_every_cell(dirty_shop, kind, extension):
    admin = dirty_shop.staff.admin
    data, _name = customer_imports.export_file(
        actor=admin, kind=kind, extension=extension,
        customers=customer_selectors.customer_list(actor=admin))
    cells = _cells(data, extension)
    assert not [cell for cell in cells if CONTROL.search(cell)]
    assert any("ABCDEF" in cell for cell in cells)  # the text is kept, only cleaned


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["products", "level_prices", "customer_prices", "stock"])
def test_catalog_exports_clean_every_cell(dirty_shop, kind, extension):
    admin = dirty_shop.staff.admin
    data, _name = catalog_imports.export_file(
        actor=admin, kind=kind, extension=extension,
        products=catalog_selectors.product_list(actor=admin))
    cells = _cells(data, extension)
    assert not [cell for cell in cells if CONTROL.search(cell)]


def test_export_page_answers_with_a_workbook_despite_a_dirty_address(dirty_shop, acme_client,
                                                                       login_as, acme):
    login_as(acme_client, acme, dirty_shop.staff.admin)
    from django.urls import reverse

    url = reverse("dashboard:customer-export")
    response = acme_client.get(url, {"kind": "addresses", "format": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    assert openpyxl.load_workbook(io.BytesIO(b"".join(response))).active.max_row >= 2


# --- input ---------------------------------------------------------------------------------


def test_api_refuses_control_characters_in_text_fields(in_acme, acme, acme_client, login_as):
    shop = build_shop(acme)
    login_as(acme_client, acme, shop.staff.admin)
    url = f"/api/v1/customers/{shop.customer.pk}/addresses/"
    response = acme_client.post(url, {"recipient": "Dana\x07", "phone": "138",
                                      "address": "1 Road"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"recipient"}
    # one-line fields refuse line breaks and tabs; notes are multi-line and keep them
    response = acme_client.patch(f"/api/v1/customers/{shop.customer.pk}/",
                                 {"name": "Gold\nTrading"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name"}
    response = acme_client.patch(f"/api/v1/customers/{shop.customer.pk}/",
                                 {"notes": "line one\nline\ttwo"},
                                 content_type="application/json")
    assert response.status_code == 200
    assert Customer.objects.get(pk=shop.customer.pk).notes == "line one\nline\ttwo"
    response = acme_client.patch(f"/api/v1/customers/{shop.customer.pk}/",
                                 {"notes": "bell\x07", "tags": ["ok", "b\x1bad"]},
                                 content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"notes", "tags"}


def test_shop_address_page_drops_control_characters(in_acme, acme, acme_client, login_as):
    shop = build_shop(acme)
    login_as(acme_client, acme, shop.dana.user)
    response = acme_client.post("/shop/account/addresses/new/", {
        "recipient": "Dana\x07 Li\x1b", "phone": "13800000001", "address": "2 Harbour\x0c Rd",
        "postal_code": "", "region": ""})
    assert response.status_code in (302, 303), response.content[:500]
    saved = Address.objects.filter(customer=shop.customer).order_by("-pk").first()
    assert (saved.recipient, saved.address) == ("Dana Li", "2 Harbour Rd")


def test_import_drops_control_characters(in_acme, acme):
    shop = build_shop(acme)
    content = ("code,name,phone,notes\r\n"
               "D-9,\"Bell\x07 Foods\x1b\",138\x0b00,\"first\nsecond\x07\"\r\n").encode()
    result = customer_imports.import_file(actor=shop.staff.admin, kind="customers",
                                          content=content, extension="csv", filename="c.csv",
                                          dry_run=False)
    assert result.errors == []
    saved = Customer.objects.get(code="D-9")
    assert (saved.name, saved.phone, saved.notes) == ("Bell Foods", "13800", "first\nsecond")

