"""The printable quotation and its PDF (issue 15 item 6): version N of an inquiry for the
browser's print and as a PDF, for staff (dashboard, ``manage_quotes`` within their
scope) and dealers (shop, their own company's): the supplier, the facts, prices, tiers,
free-text lines (mapped or declined), totals; who gets 403 and 404; the query budget."""

import importlib.util
import re
import zlib
from base64 import a85decode
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import tenant_context

from ordering.customers.services import customers as customer_services
from ordering.quotes import documents, selectors, services
from ordering.settings.services import settings_update
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles
from tests.orders.conftest import dealer_login
from tests.quotes.conftest import answer, ask

HAS_PDF = importlib.util.find_spec("reportlab") is not None
needs_pdf = pytest.mark.skipif(not HAS_PDF, reason="reportlab is not installed")


@pytest.fixture
def as_user(acme, login_as):
    def _client(user, *, tenant=None, language=None):
        tenant = tenant or acme
        client = TenantClient(host_of(tenant))
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return login_as(client, tenant, user)

    return _client


@pytest.fixture
def rounds(shop):
    """Dana's inquiry in two versions: v1 prices the juice with tiers and maps the
    crates to cola; after a counter-offer v2 re-prices the juice and declines the
    crates."""
    settings_update(actor=None, bank_details="ICBC Shenzhen\nAccount 4000 0231")
    inquiry = ask(shop, delivery_date=None, note="For the summer fair")
    v1 = answer(shop, inquiry, tiers=[{"min_qty": 100, "price": "7.00"},
                                      {"min_qty": 500, "price": "6.50"}],
                note="Prices include VAT")
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": v1.lines.first().pk, "wanted_price": "6.80"}])
    v2 = answer(shop, inquiry, prices=("7.20", "0"), decline_crate=True,
                tiers=[{"min_qty": 100, "price": "6.90"}])
    return inquiry, v1, v2


def _url(desk, inquiry, version, kind="print"):
    return f"/{desk}/quotes/{inquiry.pk}/v{version}/{kind}/"


def _text(response):
    assert response.status_code == 200
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pdf_text(content):
    """The text drawn in a reportlab PDF (its page streams decoded; ¥ is written as the
    octal escape \\245)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, flags=re.S):
        data = stream.strip()
        try:
            if data.endswith(b"~>"):
                data = a85decode(data, adobe=True)
            text.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "".join(text)


# --- what the sheet says ----------------------------------------------------------------


def test_the_sheet_describes_the_version_line_by_line(shop, rounds):
    inquiry, _v1, _v2 = rounds
    detail = selectors.inquiry_detail(actor=shop.staff.admin, pk=inquiry.pk)
    one = documents.quotation_sheet(detail, selectors.version(detail, 1), tenant=shop.tenant)
    two = documents.quotation_sheet(detail, selectors.version(detail, 2), tenant=shop.tenant)
    assert one["number"] == f"{inquiry.number} v1" and two["number"] == f"{inquiry.number} v2"
    juice, crate = one["rows"]
    assert (juice["code"], juice["product"], juice["quantity"], juice["unit"],
            juice["unit_price"], juice["amount"], juice["free_text"]) == (
        "OJ-1", "Orange juice", 120, "bottle", Decimal("7.00"), Decimal("840.00"), False)
    assert juice["tiers"] == ["100+ at ¥7.00", "500+ at ¥6.50"]
    assert (crate["free_text"], crate["mapped"], crate["description"], crate["code"],
            crate["quantity"], crate["amount"]) == (True, True, "Blue crates", "CO-1", 60,
                                                    Decimal("240.00"))
    assert one["totals"] == {"goods": Decimal("1080.00"), "shipping": Decimal("20.00"),
                             "total": Decimal("1100.00")}
    juice, crate = two["rows"]
    assert (juice["unit_price"], juice["amount"], juice["tiers"]) == (
        Decimal("6.90"), Decimal("828.00"), ["100+ at ¥6.90"])
    assert (crate["declined"], crate["mapped"], crate["amount"], crate["tiers"]) == (
        True, False, None, [])
    assert two["totals"] == {"goods": Decimal("828.00"), "shipping": Decimal("20.00"),
                             "total": Decimal("848.00")}
    facts = dict(two["facts"])
    assert facts["Customer"] == "Gold Trading" or facts["Customer"].startswith("Gold Trading")
    assert (facts["Payment terms"], facts["Wanted delivery date"], facts["Status"]) == (
        "30 days", "—", "Sent")
    assert dict(one["facts"])["Status"] == "Superseded"
    assert two["supplier"]["name"] == shop.tenant.name
    assert ("Bank account for transfers", "ICBC Shenzhen\nAccount 4000 0231") in \
        two["supplier"]["details"]


def test_the_tier_words_are_translatable():
    with translation.override("en"):
        assert documents.tiers_text([{"min_qty": 100, "price": "9.50"}], "CNY") == [
            "100+ at ¥9.50"]


# --- the printable page -----------------------------------------------------------------


def test_staff_print_page_shows_prices_tiers_declined_lines_and_totals(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    client = as_user(shop.staff.admin)
    page = client.get(_url("dashboard", inquiry, 1))
    html = page.content.decode()
    assert 'data-testid="quotation-sheet"' in html and "@media print" in html
    assert f'href="/dashboard/quotes/{inquiry.pk}/"' in html  # back to the inquiry
    text = _text(page)
    for expected in (f"{inquiry.number} v1", "Orange juice", "OJ-1", "120 bottle", "¥7.00",
                     "100+ at ¥7.00, 500+ at ¥6.50", "¥840.00", "Blue crates",
                     "Supplied as: Cola", "¥240.00", "¥1,080.00", "¥20.00", "¥1,100.00",
                     "30 days", "Prices include VAT", "ICBC Shenzhen", "Gold Trading",
                     host_of(shop.tenant)):
        assert expected in text, expected
    assert "8.00" not in text  # the engine's reference price is for staff's eyes only
    text = _text(client.get(_url("dashboard", inquiry, 2)))
    assert "100+ at ¥6.90" in text and "¥828.00" in text and "¥848.00" in text
    assert 'data-testid="line-declined"' in client.get(_url("dashboard", inquiry, 2)).content.decode()
    assert "Supplied as" not in text


def test_the_staff_inquiry_page_links_the_printed_quotation_and_pdf(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    html = as_user(shop.staff.admin).get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert f'href="/dashboard/quotes/{inquiry.pk}/v2/print/"' in html
    if HAS_PDF:
        assert f'href="/dashboard/quotes/{inquiry.pk}/v2/pdf/"' in html


def test_the_dealer_prints_its_own_quotation_on_a_phone_page(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    client = as_user(shop.dana.user)
    page = client.get(_url("shop", inquiry, 2))
    html = page.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert 'class="table-responsive"' in html and "ol-tabbar" in html  # the shop's frame
    text = _text(page)
    assert f"{inquiry.number} v2" in text and "¥848.00" in text and "Declined" in text
    if HAS_PDF:
        assert f"/shop/quotes/{inquiry.pk}/v2/pdf/" in html
    viewer = as_user(shop.viewer.user)  # a view-only login of the company may look
    assert viewer.get(_url("shop", inquiry, 1)).status_code == 200


def test_the_print_page_reads_in_chinese(shop, rounds, as_user):
    with translation.override("zh-hans"):
        if translation.gettext("Total") == "Total":
            pytest.skip("the message catalogue is not compiled (make messages)")
    inquiry, _v1, _v2 = rounds
    for user, desk in ((shop.staff.admin, "dashboard"), (shop.dana.user, "shop")):
        page = as_user(user, language="zh-hans").get(_url(desk, inquiry, 2))
        html = page.content.decode()
        assert '<html lang="zh-hans"' in html
        text = _text(page)
        assert "报价单" in text and "合计" in text and "不报价" in text and "有效期至" in text


def test_an_unknown_version_is_not_found(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    assert as_user(shop.staff.admin).get(_url("dashboard", inquiry, 3)).status_code == 404
    assert as_user(shop.dana.user).get(_url("shop", inquiry, 9, "pdf")).status_code == 404


# --- the PDF ----------------------------------------------------------------------------


@needs_pdf
def test_the_pdf_is_a_pdf_with_the_number_prices_and_totals(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    for user, desk in ((shop.staff.sales, "dashboard"), (shop.dana.user, "shop")):
        response = as_user(user).get(_url(desk, inquiry, 2, "pdf"))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert f'filename="{inquiry.number}-v2.pdf"' in response["Content-Disposition"]
        text = _pdf_text(response.content)
        for expected in (f"{inquiry.number} v2", "Orange juice", "100+ at \\2456.90",
                         "\\245828.00", "\\245848.00", "Declined", "Blue crates"):
            assert expected in text, expected


@needs_pdf
def test_a_chinese_quotation_pdf_uses_the_cjk_font(shop, as_user):
    inquiry = ask(shop, lines=[{"variant": shop.juice.pk, "quantity": 24},
                               {"description": "蓝色周转箱", "quantity": 10, "unit_text": "个"}])
    answer(shop, inquiry, note="含税价，运费到付", prices=("7.50", "3.00"))
    response = as_user(shop.staff.admin, language="zh-hans").get(
        _url("dashboard", inquiry, 1, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content


# --- who may see it ---------------------------------------------------------------------


def test_staff_without_the_quote_permission_get_403(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    client = as_user(shop.staff.warehouse)
    for kind in ("print", "pdf"):
        assert client.get(_url("dashboard", inquiry, 1, kind)).status_code == 403


def test_a_sales_rep_outside_their_customers_gets_404(shop, as_user):
    others = ask(shop, actor=shop.olga.user)
    answer(shop, others)
    rep = as_user(shop.staff.sales)
    for kind in ("print", "pdf"):
        assert rep.get(_url("dashboard", others, 1, kind)).status_code == 404
    assert as_user(shop.staff.admin).get(_url("dashboard", others, 1)).status_code == 200


def test_a_dealer_of_another_company_gets_404(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    client = as_user(shop.olga.user)
    for kind in ("print", "pdf"):
        assert client.get(_url("shop", inquiry, 1, kind)).status_code == 404


def test_each_desk_is_for_its_own_people(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    assert as_user(shop.staff.admin).get(_url("shop", inquiry, 1)).status_code == 403
    assert as_user(shop.dana.user).get(_url("dashboard", inquiry, 1)).status_code == 403
    anonymous = TenantClient(host_of(shop.tenant)).get(_url("shop", inquiry, 1))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_another_tenant_cannot_open_a_quotation_by_its_id(shop, rounds, as_user, globex):
    inquiry, _v1, _v2 = rounds
    with tenant_context(globex):
        admin = staff_with_roles("system_administrator", email="admin@globex.example")
        customer = customer_services.customer_create(actor=None, name="Globex Buyer")
        buyer = dealer_login(customer, "buyer@globex.example", name="Bo")
    for user, desk in ((admin, "dashboard"), (buyer.user, "shop")):
        client = as_user(user, tenant=globex)
        for kind in ("print", "pdf"):
            assert client.get(_url(desk, inquiry, 1, kind)).status_code == 404
    # an acme session is not a sign-in on globex
    acme_admin = as_user(shop.staff.admin)
    acme_admin.defaults["HTTP_HOST"] = host_of(globex)
    assert acme_admin.get(_url("dashboard", inquiry, 1)).status_code == 302


# --- the query budget -------------------------------------------------------------------


def test_the_print_page_keeps_its_query_budget(shop, rounds, as_user):
    inquiry, _v1, _v2 = rounds
    for user, desk in ((shop.staff.admin, "dashboard"), (shop.staff.sales, "dashboard"),
                       (shop.dana.user, "shop")):
        client = as_user(user)
        client.get(_url(desk, inquiry, 2))  # warm the tenant and settings caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(desk, inquiry, 2))
        assert response.status_code == 200
        print(f"quotation print page ({desk}, {user.email}): {len(queries)} queries")
        assert len(queries) <= 15, [q["sql"][:120] for q in queries.captured_queries]
