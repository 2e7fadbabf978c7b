"""Staff quotation pages: the list (tabs, filters, a sales rep's scope), an inquiry's page
(the current quotation, versions side by side with the changes marked, counter-offers),
assigning, the quotation editor (prices, tiers typed as text, a free-text line matched by
SKU code, declining; refusals shown on the page with nothing saved; a copy at today's
prices after expiry), accepting on the dealer's behalf (once per form), the roles ×
pages matrix and query budgets (isolation from another tenant:
tests/isolation/test_quotes_isolation.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordering.orders.enums import OrderStatus, PaymentMethod
from ordering.orders.models import Order
from ordering.quotes import services
from ordering.quotes.enums import InquiryStatus
from ordering.quotes.models import Inquiry, Quotation
from ordering.settings.services import settings_update
from tests.conftest import TenantClient, host_of
from tests.quotes.conftest import accept, answer, ask, soon


@pytest.fixture
def as_user(acme, login_as):
    def _client(user):
        return login_as(TenantClient(host_of(acme)), acme, user)

    return _client


def _editor_post(inquiry, rows, **terms):
    data = {"valid_until": str(soon()), "shipping_fee": "15.00", "payment_terms": "30 days",
            "note": ""}
    data.update(terms)
    for line, values in zip(inquiry.lines.all(), rows):
        for name, value in values.items():
            data[f"{name}_{line.pk}"] = value
    return data


# --- the matrix --------------------------------------------------------------------------

PAGES = ("/dashboard/quotes/", "/dashboard/quotes/{pk}/", "/dashboard/quotes/{pk}/assign/",
         "/dashboard/quotes/{pk}/quote/")


@pytest.mark.parametrize("role, allowed", [("admin", True), ("sales", True),
                                           ("reviewer", False), ("finance", False),
                                           ("warehouse", False), ("shipper", False)])
def test_who_may_open_the_quotation_pages(shop, as_user, role, allowed):
    inquiry = ask(shop)
    client = as_user(getattr(shop.staff, role))
    for page in PAGES:
        response = client.get(page.format(pk=inquiry.pk))
        assert response.status_code == (200 if allowed else 403), (role, page)
    nav = client.get("/dashboard/").content
    assert (b'data-testid="nav-quotes"' in nav) is allowed


def test_dealers_get_no_dashboard(shop, as_user):
    inquiry = ask(shop)
    assert as_user(shop.dana.user).get(f"/dashboard/quotes/{inquiry.pk}/").status_code in (
        302, 403)


def test_a_sales_rep_sees_only_their_customers_inquiries(shop, as_user):
    mine = ask(shop)
    other = ask(shop, actor=shop.olga.user, lines=[{"variant": shop.juice.pk, "quantity": 5}])
    client = as_user(shop.staff.sales)
    listing = client.get("/dashboard/quotes/").content.decode()
    assert mine.number in listing and other.number not in listing
    for page in PAGES[1:]:
        assert client.get(page.format(pk=other.pk)).status_code == 404
    assert client.post(f"/dashboard/quotes/{other.pk}/assign/", {"me": "1"}).status_code == 404
    assert Inquiry.objects.get(pk=other.pk).assigned_to_id is None


# --- list ----------------------------------------------------------------------------------


def test_the_list_has_tabs_with_counts_and_filters(shop, as_user):
    first = ask(shop)
    answer(shop, first)
    ask(shop)
    client = as_user(shop.staff.admin)
    page = client.get("/dashboard/quotes/").content.decode()
    assert 'data-testid="tab-new"' in page and 'data-testid="tab-quoted"' in page
    quoted = client.get("/dashboard/quotes/?status=quoted").content.decode()
    assert first.number in quoted and quoted.count('data-testid="inquiry-row"') == 1
    services.inquiry_assign(actor=shop.staff.admin, inquiry=first, assignee=shop.staff.admin)
    mine = client.get("/dashboard/quotes/?assigned_to=me").content.decode()
    assert mine.count('data-testid="inquiry-row"') == 1
    assert client.get("/dashboard/quotes/?status=nonsense").status_code == 200
    assert client.get("/dashboard/quotes/?customer=abc&assigned_to=x").status_code == 200


@pytest.mark.parametrize("role", ["admin", "sales"])  # every customer; a scoped sales rep
def test_the_list_and_the_page_keep_their_query_budgets(shop, as_user, role):
    from ordering.quotes.messages import message_post

    client = as_user(getattr(shop.staff, role))
    client.get("/dashboard/quotes/")  # warm the session and the settings cache
    for _ in range(3):
        inquiry = ask(shop)
        answer(shop, inquiry)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": inquiry.quotations.get().lines.first().pk, "wanted_price": "7.00"}])
    answer(shop, inquiry, prices=("7.20", "4.00"), tiers=[{"min_qty": 200, "price": "7.00"}])
    message_post(actor=shop.dana.user, inquiry=inquiry, body="Any news?")
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/dashboard/quotes/").status_code == 200
    client.get(f"/dashboard/quotes/{inquiry.pk}/")  # marks the thread read once
    with CaptureQueriesContext(connection) as detail:
        assert client.get(f"/dashboard/quotes/{inquiry.pk}/").status_code == 200
    # the signed-in request itself (session, user, permissions, regions) is part of it
    assert len(listing) <= 10, [q["sql"][:120] for q in listing.captured_queries]
    assert len(detail) <= 15, [q["sql"][:120] for q in detail.captured_queries]


# --- the inquiry's page -------------------------------------------------------------------


def test_versions_side_by_side_mark_what_changed(shop, as_user):
    inquiry = ask(shop)
    first = answer(shop, inquiry)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": first.lines.first().pk, "wanted_price": "7.00", "comment": "Too high"}])
    answer(shop, inquiry, prices=("7.20", "4.00"))
    page = as_user(shop.staff.admin).get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert page.count('data-testid="compare-version"') == 2
    assert page.count('data-changed="1"') == 1  # the juice's price; the crates kept theirs
    assert "Too high" in page and 'data-testid="compare-counter"' in page
    assert "7.20" in page and 'data-testid="mapped-from"' in page


def test_the_page_shows_declined_lines_tiers_and_the_accepted_order(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry, tiers=[{"min_qty": 200, "price": "7.00"}], decline_crate=True)
    placed = accept(shop, inquiry)
    page = as_user(shop.staff.admin).get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert 'data-testid="declined-line"' in page and 'data-testid="tiers"' in page
    assert placed.order.number in page and 'data-testid="accepted-order"' in page
    assert 'data-testid="write-quotation"' not in page


# --- assigning ---------------------------------------------------------------------------


def test_assign_to_me_and_to_someone_who_may_quote(shop, as_user):
    inquiry = ask(shop)
    client = as_user(shop.staff.admin)
    client.post(f"/dashboard/quotes/{inquiry.pk}/assign/", {"me": "1"})
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == shop.staff.admin and inquiry.status == InquiryStatus.IN_PROGRESS
    choices = client.get(f"/dashboard/quotes/{inquiry.pk}/assign/").content.decode()
    assert shop.staff.sales.email in choices or (shop.staff.sales.name or "~") in choices
    assert shop.staff.reviewer.email not in choices  # may not quote
    response = client.post(f"/dashboard/quotes/{inquiry.pk}/assign/",
                           {"assignee": str(shop.staff.reviewer.pk)})
    assert response.status_code == 400
    client.post(f"/dashboard/quotes/{inquiry.pk}/assign/", {"assignee": str(shop.staff.sales.pk)})
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == shop.staff.sales


def test_only_the_assignee_edits_an_assigned_inquiry(shop, as_user):
    inquiry = ask(shop)
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.admin)
    sales = as_user(shop.staff.sales)
    page = sales.get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert 'data-testid="assigned-elsewhere"' in page
    assert 'data-testid="write-quotation"' not in page
    response = sales.get(f"/dashboard/quotes/{inquiry.pk}/quote/")
    assert response.status_code == 302
    rows = [{"price": "7.00", "quantity": "120"}, {"declined": "on", "quantity": "50"}]
    response = sales.post(f"/dashboard/quotes/{inquiry.pk}/quote/", _editor_post(inquiry, rows))
    assert response.status_code == 403
    assert not Quotation.objects.filter(inquiry=inquiry).exists()


# --- the editor ------------------------------------------------------------------------------


def test_the_editor_prefills_today_s_prices_and_sends_a_version(shop, as_user):
    inquiry = ask(shop)
    client = as_user(shop.staff.admin)
    page = client.get(f"/dashboard/quotes/{inquiry.pk}/quote/").content.decode()
    assert 'data-testid="reference-price"' in page and "8.00" in page  # Gold's price
    rows = [{"price": "7.50", "quantity": "120", "tiers": "200: 7.20, 500: 7.00"},
            {"price": "4.00", "quantity": "60", "sku": "co-1"}]
    response = client.post(f"/dashboard/quotes/{inquiry.pk}/quote/", _editor_post(inquiry, rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    quotation = inquiry.quotations.get()
    juice, crate = quotation.lines.all()
    assert juice.tiers == [{"min_qty": 200, "price": "7.20"}, {"min_qty": 500, "price": "7.00"}]
    assert crate.variant == shop.cola and crate.unit_price == Decimal("4.00")
    assert quotation.shipping_fee == Decimal("15.00") and quotation.payment_terms == "30 days"
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.QUOTED


@pytest.mark.parametrize("rows, message", [
    ([{"price": "7.50", "quantity": "120", "tiers": "lots at 7"}, {"declined": "on"}],
     "100: 9.50"),
    ([{"price": "7.50", "quantity": "120"}, {"price": "4", "quantity": "60", "sku": "NOPE-1"}],
     "NOPE-1"),
    ([{"price": "", "quantity": "120"}, {"declined": "on", "quantity": "50"}], "Enter a price"),
    ([{"price": "-3", "quantity": "120"}, {"declined": "on", "quantity": "50"}], "zero or more"),
    ([{"price": "7", "quantity": "0"}, {"declined": "on", "quantity": "50"}], "above zero"),
])
def test_bad_input_is_shown_on_the_line_and_nothing_is_saved(shop, as_user, rows, message):
    inquiry = ask(shop)
    client = as_user(shop.staff.admin)
    response = client.post(f"/dashboard/quotes/{inquiry.pk}/quote/", _editor_post(inquiry, rows))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Quotation.objects.filter(inquiry=inquiry).exists()
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.NEW


def test_a_past_validity_date_is_refused_on_its_field(shop, as_user):
    inquiry = ask(shop)
    rows = [{"price": "7.50", "quantity": "120"}, {"declined": "on", "quantity": "50"}]
    response = as_user(shop.staff.admin).post(
        f"/dashboard/quotes/{inquiry.pk}/quote/",
        _editor_post(inquiry, rows, valid_until="2020-01-01"))
    assert response.status_code == 400 and "today or later" in response.content.decode()


def test_an_expired_quotation_is_quoted_again_from_today_s_prices(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry, prices=("6.00", "4.00"), valid_until=timezone.localdate(),
           tiers=[{"min_qty": 200, "price": "5.50"}])
    services.quotations_expire(today=timezone.localdate() + timezone.timedelta(days=1))
    client = as_user(shop.staff.admin)
    page = client.get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert 'data-testid="expired-notice"' in page
    editor = client.get(f"/dashboard/quotes/{inquiry.pk}/quote/").content.decode()
    assert 'data-testid="fresh-prices"' in editor
    juice = inquiry.lines.first()
    assert f'name="price_{juice.pk}" id="id_price_{juice.pk}" value="8.00"' in editor
    assert f'name="tiers_{juice.pk}" id="id_tiers_{juice.pk}" value=""' in editor
    rows = [{"price": "8.00", "quantity": "120"}, {"price": "4.00", "quantity": "60",
                                                    "sku": "CO-1"}]
    assert client.post(f"/dashboard/quotes/{inquiry.pk}/quote/",
                       _editor_post(inquiry, rows)).status_code == 302
    assert inquiry.quotations.count() == 2
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.QUOTED


# --- accepting on the dealer's behalf ---------------------------------------------------------


def test_staff_accept_for_the_dealer_once_at_the_quoted_prices(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry, prices=("7.50", "4.00"), tiers=[{"min_qty": 200, "price": "7.00"}])
    client = as_user(shop.staff.admin)
    page = client.get(f"/dashboard/quotes/{inquiry.pk}/accept/").content.decode()
    assert 'data-testid="tier-quantity"' in page
    juice_line = inquiry.quotations.get().lines.first()
    data = {"address": str(shop.address.pk), "shipping_method": str(shop.truck.pk),
            "payment_method": PaymentMethod.TRANSFER, "delivery_date": "", "remark": "",
            "token": "accept-form-1", f"quantity_{juice_line.pk}": "200"}
    first = client.post(f"/dashboard/quotes/{inquiry.pk}/accept/", data)
    again = client.post(f"/dashboard/quotes/{inquiry.pk}/accept/", data)
    assert first.status_code == 302 and again.status_code == 302
    assert first["Location"] == again["Location"]
    order = Order.objects.get(quotation__inquiry=inquiry)
    prices = {line.sku_code: (line.quantity, line.unit_price) for line in order.lines.all()}
    assert prices == {"OJ-1": (200, Decimal("7.00")), "CO-1": (60, Decimal("4.00"))}
    assert order.shipping_fee == Decimal("20.00") and order.on_behalf
    other = dict(data, token="accept-form-2")
    refused = client.post(f"/dashboard/quotes/{inquiry.pk}/accept/", other)
    assert refused.status_code == 400 and "already been accepted" in refused.content.decode()
    assert Order.objects.filter(quotation__inquiry=inquiry).count() == 1


def test_an_unmatched_free_text_line_blocks_acceptance_on_the_page(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry, map_crate=False)
    data = {"address": str(shop.address.pk), "shipping_method": str(shop.truck.pk),
            "payment_method": PaymentMethod.TRANSFER, "token": "t-unmapped"}
    response = as_user(shop.staff.admin).post(f"/dashboard/quotes/{inquiry.pk}/accept/", data)
    assert response.status_code == 400
    assert "matched to a product" in response.content.decode()
    assert not Order.objects.filter(quotation__inquiry=inquiry).exists()


# --- the tenant setting: quoted orders skip order review ----------------------------------------


@pytest.mark.parametrize("skip, status", [(False, OrderStatus.ORDER_REVIEW),
                                          (True, OrderStatus.FINANCE_REVIEW)])
def test_quoted_orders_may_skip_order_review(shop, skip, status):
    settings_update(actor=None, quoted_skip_review=skip)
    inquiry = ask(shop)
    answer(shop, inquiry)
    order = accept(shop, inquiry).order
    assert order.status == status
    if skip:
        skipped = order.events.get(kind="skipped", step=OrderStatus.ORDER_REVIEW)
        assert "quotation" in skipped.reason


def test_the_setting_is_saved_from_the_order_settings_page(shop, as_user):
    from ordering.settings.selectors import tenant_settings

    client = as_user(shop.staff.admin)
    page = client.get("/dashboard/orders/settings/").content.decode()
    assert 'data-testid="quoted-skip-review"' in page
    response = client.post("/dashboard/orders/settings/", {
        "steps": ["order_review", "finance_review", "outbound_review", "receipt"],
        "reserve_stock_at": "submit", "auto_receipt_days": "7", "min_order_amount": "0",
        "quoted_skip_review": "on"})
    assert response.status_code == 302
    assert tenant_settings().quoted_skip_review is True


def test_an_order_from_a_quotation_says_so(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry)
    order = accept(shop, inquiry).order
    page = as_user(shop.staff.admin).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert 'data-testid="quoted-order"' in page and inquiry.number in page
    page = as_user(shop.dana.user).get(f"/shop/orders/{order.pk}/").content.decode()
    assert 'data-testid="quoted-order"' in page and f"/shop/quotes/{inquiry.pk}/" in page


# --- Chinese ------------------------------------------------------------------------------------


def test_the_pages_render_in_chinese(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry)
    client = as_user(shop.staff.admin)
    for page in ("/dashboard/quotes/", f"/dashboard/quotes/{inquiry.pk}/",
                 f"/dashboard/quotes/{inquiry.pk}/accept/"):
        response = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200


# --- the thread and the files -------------------------------------------------------------------


def _pdf(name="spec.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def test_staff_and_the_dealer_write_to_each_other_and_share_files(shop, as_user):
    inquiry = ask(shop)
    staff, dealer = as_user(shop.staff.admin), as_user(shop.dana.user)
    assert staff.post(f"/dashboard/quotes/{inquiry.pk}/messages/",
                      {"body": "Which blue exactly?"}).status_code == 302
    page = dealer.get(f"/shop/quotes/{inquiry.pk}/").content.decode()
    assert "Which blue exactly?" in page
    assert dealer.post(f"/shop/quotes/{inquiry.pk}/messages/",
                       {"body": "RAL 5015, see the file"}).status_code == 302
    assert dealer.post(f"/shop/quotes/{inquiry.pk}/files/",
                       {"file": _pdf("crate-drawing.pdf")}).status_code == 302
    page = staff.get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert "RAL 5015" in page and "crate-drawing.pdf" in page
    file = inquiry.attachments.get()
    download = staff.get(f"/dashboard/quotes/{inquiry.pk}/files/{file.pk}/")
    assert download.status_code == 200
    assert 'filename="crate-drawing.pdf"' in download["Content-Disposition"]
    assert dealer.get(f"/shop/quotes/{inquiry.pk}/files/{file.pk}/").status_code == 200
    # an empty message and a text file are refused on the page
    refused = staff.post(f"/dashboard/quotes/{inquiry.pk}/messages/", {"body": " "})
    assert refused.status_code == 400 and 'data-testid="message-error"' in refused.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = dealer.post(f"/shop/quotes/{inquiry.pk}/files/",
                          {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert refused.status_code == 400 and 'data-testid="file-error"' in refused.content.decode()
    assert inquiry.attachments.count() == 1


def test_another_company_and_a_view_only_login_cannot_reach_the_files(shop, as_user):
    inquiry = services.inquiry_create(
        actor=shop.dana.user, lines=[{"variant": shop.juice.pk, "quantity": 5}],
        attachments=[_pdf()])
    file = inquiry.attachments.get()
    olga = as_user(shop.olga.user)
    assert olga.get(f"/shop/quotes/{inquiry.pk}/files/{file.pk}/").status_code == 404
    assert olga.post(f"/shop/quotes/{inquiry.pk}/messages/", {"body": "hi"}).status_code == 404
    viewer = as_user(shop.viewer.user)
    assert viewer.get(f"/shop/quotes/{inquiry.pk}/files/{file.pk}/").status_code == 200
    assert viewer.post(f"/shop/quotes/{inquiry.pk}/files/", {"file": _pdf()}).status_code == 403
    assert viewer.post(f"/shop/quotes/{inquiry.pk}/messages/", {"body": "hi"}).status_code == 302
    sales_other = ask(shop, actor=shop.olga.user, lines=[{"variant": shop.juice.pk,
                                                          "quantity": 5}])
    rep = as_user(shop.staff.sales)
    assert rep.get(f"/dashboard/quotes/{sales_other.pk}/files/{file.pk}/").status_code == 404
    assert rep.post(f"/dashboard/quotes/{sales_other.pk}/messages/",
                    {"body": "x"}).status_code == 404


def test_files_are_sent_with_a_new_inquiry_from_the_shop(shop, as_user):
    dealer = as_user(shop.dana.user)
    form = dealer.get("/shop/quotes/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="attachments"' in form


def test_a_free_text_line_starts_empty_not_at_the_dealer_s_target(shop, as_user):
    inquiry = ask(shop)
    crate = inquiry.lines.all()[1]
    editor = as_user(shop.staff.admin).get(f"/dashboard/quotes/{inquiry.pk}/quote/")
    assert f'name="price_{crate.pk}" id="id_price_{crate.pk}" value=""' in editor.content.decode()
    assert "target" in editor.content.decode()


def test_no_accept_button_once_the_last_valid_day_has_passed(shop, as_user):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry, valid_until=timezone.localdate())
    client = as_user(shop.staff.admin)
    assert 'data-testid="accept-for-customer"' in client.get(
        f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timezone.timedelta(days=1))  # before the task ran
    page = client.get(f"/dashboard/quotes/{inquiry.pk}/").content.decode()
    assert 'data-testid="accept-for-customer"' not in page


def test_the_editor_says_why_it_cannot_be_used(shop, as_user):
    inquiry = ask(shop)
    answer(shop, inquiry)
    response = as_user(shop.staff.admin).get(f"/dashboard/quotes/{inquiry.pk}/quote/",
                                             follow=True)
    assert "cannot be quoted now" in response.content.decode()


@pytest.mark.parametrize("who, path", [("dana", "/shop/quotes/{pk}/accept/"),
                                       ("admin", "/dashboard/quotes/{pk}/accept/"),
                                       ("sales", "/dashboard/quotes/{pk}/accept/")])
def test_the_accept_pages_keep_the_detail_budget(shop, as_user, who, path):
    inquiry = ask(shop)
    answer(shop, inquiry, tiers=[{"min_qty": 200, "price": "7.00"}])
    user = shop.dana.user if who == "dana" else getattr(shop.staff, who)
    client = as_user(user)
    client.get(path.format(pk=inquiry.pk))
    with CaptureQueriesContext(connection) as page:
        assert client.get(path.format(pk=inquiry.pk)).status_code == 200
    assert len(page) <= 15, [q["sql"][:120] for q in page.captured_queries]
