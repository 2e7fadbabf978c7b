"""Amounts are formatted per language on pages, the printed sheet, the PDF and the shop
(``¥1,215.00``, never ``¥1215.00``), while exports and the API keep plain numbers."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.money import format_money
from ordering.catalog.enums import MovementKind
from ordering.catalog.services.stock import stock_move
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place

LANGUAGES = ["en", "zh-hans"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_format_money_groups_thousands_in_every_language(language):
    with translation.override(language):
        assert format_money(Decimal("1584"), "CNY") == "¥1,584.00"
        assert format_money(Decimal("1234567.5"), "USD") == "$1,234,567.50"
        assert format_money("-12.345", "EUR") == "-€12.35"
        assert format_money(Decimal("1584"), "CNY", symbol=False) == "1,584.00"
        assert format_money(None) == ""
        html = Template("{{ a|money:'CNY' }} {{ a|money:'' }}").render(Context({"a": 9999.5}))
        assert html == "¥9,999.50 9,999.50"


def test_plain_numbers_stay_plain_in_chinese():
    """Grouping is only where asked for: form values and other numbers do not change."""
    with translation.override("zh-hans"):
        assert Template("{{ n }}").render(Context({"n": Decimal("1584.00")})) == "1584.00"


def test_money_filter_uses_the_tenants_currency(in_acme, acme):
    with translation.override("zh-hans"):
        assert Template("{{ a|money }}").render(Context({"a": 1584})) == "¥1,584.00"


@pytest.fixture
def big_order(shop):
    stock_move(actor=None, variant=shop.juice, kind=MovementKind.RECEIPT, quantity=200)
    return place(shop, lines=[{"variant": shop.juice.pk, "quantity": 150}])  # 150 × 8.00 + 15


def _client(login_as, acme, user, language):
    client = TenantClient(host_of(acme))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return login_as(client, acme, user)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_order_pages_show_grouped_amounts(shop, big_order, acme, login_as, language):
    assert big_order.total == Decimal("1215.00")
    client = _client(login_as, acme, shop.staff.warehouse, language)
    for path in (f"/dashboard/orders/{big_order.pk}/", f"/dashboard/orders/{big_order.pk}/print/"):
        content = client.get(path).content.decode()
        assert "¥1,215.00" in content and "¥1,200.00" in content, path
        assert "1215.00" not in content, path
    listing = client.get("/dashboard/orders/").content.decode()
    assert "¥1,215.00" in listing


@pytest.mark.parametrize("language", LANGUAGES)
def test_shop_pages_show_grouped_amounts(shop, big_order, acme, login_as, language):
    client = _client(login_as, acme, shop.dana.user, language)
    for path in (f"/shop/orders/{big_order.pk}/", "/shop/orders/"):
        content = client.get(path).content.decode()
        assert "¥1,215.00" in content and "1215.00" not in content, path


def test_pdf_amounts_are_grouped(shop, big_order, acme, login_as, monkeypatch):
    pytest.importorskip("reportlab")
    import reportlab.platypus

    texts = []

    class Recording(reportlab.platypus.Paragraph):
        def __init__(self, text, *args, **kwargs):
            texts.append(text)
            super().__init__(text, *args, **kwargs)

    monkeypatch.setattr(reportlab.platypus, "Paragraph", Recording)
    client = _client(login_as, acme, shop.staff.warehouse, "zh-hans")
    response = client.get(f"/dashboard/orders/{big_order.pk}/pdf/")
    assert response.status_code == 200
    assert "¥1,215.00" in texts and "¥1,200.00" in texts and "¥15.00" in texts


def test_exports_and_api_keep_plain_numbers(shop, big_order, acme, login_as):
    client = _client(login_as, acme, shop.staff.admin, "zh-hans")
    data = client.get(f"/api/v1/orders/{big_order.pk}/", HTTP_ACCEPT="application/json")
    if data.status_code == 200:
        assert data.json()["total"] == "1215.00"
