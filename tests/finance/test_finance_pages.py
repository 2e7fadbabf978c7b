"""The finance pages, staff and dealer: who may open what (role × page), scope and
tenant isolation by URL, the transfer → confirm journey, adjustments, reversals, credit
and holds, statements issued, questioned, answered and confirmed, exports, settings and
the rebate at checkout; both languages."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from PIL import Image

from ordering.finance import selectors
from ordering.finance.enums import AccountKind, PaymentStatus, ReconciliationStatus
from ordering.finance.models import Entry, Payment, Reconciliation
from ordering.finance.services import ledger, payments
from ordering.finance.services import reconciliation as rec
from ordering.orders.enums import PaymentStatus as OrderPaid
from ordering.orders.models import Order
from ordering.settings.selectors import tenant_settings
from roles.models import AuditLog
from tests.conftest import TenantClient
from tests.factories.roles import staff_with_roles
from tests.finance.conftest import place

TODAY = timezone.localdate


def _png(name="slip.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def client_for(acme, login_as):
    def make(user, language="en"):
        client = login_as(TenantClient("acme.localhost", HTTP_ACCEPT_LANGUAGE=language),
                          acme, user)
        if language != "en":
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        return client
    return make


STAFF_PAGES = [  # (url template, the roles that may open it)
    ("/dashboard/finance/", {"admin", "finance"}),
    ("/dashboard/finance/customers/{customer}/", {"admin", "finance"}),
    ("/dashboard/finance/payments/", {"admin", "finance", "sales"}),
    ("/dashboard/finance/payments/new/", {"admin", "finance", "sales"}),
    ("/dashboard/finance/statements/", {"admin", "finance"}),
    ("/dashboard/finance/settings/", {"admin"}),
]


@pytest.mark.parametrize("role", ["admin", "finance", "reviewer", "warehouse", "shipper",
                                  "sales"])
def test_staff_pages_by_role(shop, client_for, role):
    client = client_for(getattr(shop.staff, role))
    for url, allowed in STAFF_PAGES:
        status = client.get(url.format(customer=shop.customer.pk)).status_code
        assert status == (200 if role in allowed else 403), (url, role, status)


def test_dealers_and_anonymous_cannot_open_staff_finance(shop, acme, client_for):
    assert client_for(shop.dana.user).get("/dashboard/finance/").status_code == 403
    anonymous = TenantClient("acme.localhost").get("/dashboard/finance/")
    assert anonymous.status_code == 302


def test_a_transfer_with_proof_confirmed_by_finance_lowers_what_is_owed(shop, client_for):
    order = place(shop)
    dealer = client_for(shop.dana.user)
    page = dealer.get("/shop/finance/").content.decode()
    assert order.number in page and 'data-testid="open-order"' in page
    form = dealer.get(f"/shop/finance/transfer/?order={order.pk}").content.decode()
    assert 'value="95.00"' in form  # the ticked order's amount
    response = dealer.post("/shop/finance/transfer/", {
        "orders": [order.pk], "amount": "95.00", "paid_on": TODAY().isoformat(),
        "reference": "ICBC 0091", "proof": _png()})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING and payment.proof
    assert payment.number in dealer.get("/shop/finance/payments/").content.decode()
    finance = client_for(shop.staff.finance)
    queue = finance.get("/dashboard/finance/payments/").content.decode()
    assert payment.number in queue
    proof = finance.get(f"/dashboard/finance/payments/{payment.pk}/proof/")
    assert proof.status_code == 200 and proof["Content-Type"] == "image/png"
    assert dealer.get(f"/shop/finance/payments/{payment.pk}/proof/").status_code == 200
    assert client_for(shop.olga.user).get(
        f"/shop/finance/payments/{payment.pk}/proof/").status_code == 404
    confirmed = finance.post(f"/dashboard/finance/payments/{payment.pk}/confirm/")
    assert confirmed.status_code == 302
    order.refresh_from_db()
    assert order.payment_status == OrderPaid.PAID
    assert selectors.balances(shop.customer).owed == 0
    again = finance.post(f"/dashboard/finance/payments/{payment.pk}/confirm/")
    assert again.status_code == 409 and 'data-testid="action-error"' in again.content.decode()


def test_bad_transfers_are_refused_on_the_page_with_nothing_saved(shop, client_for):
    dealer = client_for(shop.dana.user)
    for data in ({"amount": "0", "paid_on": TODAY().isoformat()},
                 {"amount": "10", "paid_on": "2999-01-01"},
                 {"amount": "10", "paid_on": TODAY().isoformat(),
                  "proof": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="image/png")}):
        response = dealer.post("/shop/finance/transfer/", data)
        assert response.status_code == 400, data
        assert "invalid-feedback" in response.content.decode()
    assert not Payment.objects.exists()
    viewer = client_for(shop.viewer.user)
    assert viewer.get("/shop/finance/transfer/").status_code == 404
    assert viewer.post("/shop/finance/transfer/", {"amount": "5", "paid_on": TODAY().isoformat()}
                       ).status_code == 404


def test_rejecting_needs_a_reason_and_the_dealer_sees_it(shop, client_for):
    payment = payments.payment_record(actor=shop.dana.user, amount="50", paid_on=TODAY())
    finance = client_for(shop.staff.finance)
    assert finance.post(f"/dashboard/finance/payments/{payment.pk}/reject/",
                        {"reason": " "}).status_code == 400
    finance.post(f"/dashboard/finance/payments/{payment.pk}/reject/",
                 {"reason": "No such transfer on our account"})
    page = client_for(shop.dana.user).get("/shop/finance/payments/").content.decode()
    assert "No such transfer on our account" in page


def test_staff_record_cash_and_sales_reps_only_for_their_customers(shop, client_for):
    finance = client_for(shop.staff.finance)
    response = finance.post("/dashboard/finance/payments/new/", {
        "customer": shop.customer.pk, "method": "cash", "purpose": "topup",
        "amount": "200", "paid_on": TODAY().isoformat()})
    assert response.status_code == 302
    rep = client_for(shop.staff.sales)
    refused = rep.post("/dashboard/finance/payments/new/", {
        "customer": shop.customer.pk, "method": "cash", "purpose": "orders",
        "amount": "10", "paid_on": TODAY().isoformat()})
    assert refused.status_code == 400  # not one of the rep's customers: not in the list
    assert Payment.objects.count() == 1
    assert rep.get(f"/dashboard/finance/payments/{Payment.objects.get().pk}/").status_code == 404


def test_adjust_reverse_and_credit_from_the_ledger_page(shop, client_for):
    finance = client_for(shop.staff.finance)
    base = f"/dashboard/finance/customers/{shop.customer.pk}/"
    assert finance.post(base + "adjust/", {"account": "prepaid", "direction": "add",
                                           "amount": "80", "reason": ""}).status_code == 400
    assert finance.post(base + "adjust/", {"account": "prepaid", "direction": "add",
                                           "amount": "80", "reason": "Cash at the fair"}
                        ).status_code == 302
    assert finance.post(base + "adjust/", {"account": "prepaid", "direction": "subtract",
                                           "amount": "500", "reason": "Too much"}
                        ).status_code == 400  # below zero: refused on the form
    assert finance.post(base + "adjust/", {"account": "rebate", "direction": "add",
                                           "amount": "30", "rebate": "on",
                                           "reason": "Q4 target"}).status_code == 302
    balances = selectors.balances(shop.customer)
    assert (balances.prepaid, balances.rebate) == (Decimal("80.00"), Decimal("30.00"))
    entry = Entry.objects.filter(account__kind=AccountKind.PREPAID).get()
    finance.post(base + f"entries/{entry.pk}/reverse/", {"reason": "Posted twice"})
    assert selectors.balances(shop.customer).prepaid == 0
    page = finance.get(base + "?account=prepaid").content.decode()
    assert page.count('data-testid="ledger-row"') == 2 and "Posted twice" in page
    refused = finance.post(base + "credit/", {
        "credit_limit": "5000", "temporary_credit": "0", "terms": "credit", "terms_days": "30",
        "on_hold": "on", "hold_reason": ""})
    assert refused.status_code == 400
    assert finance.post(base + "credit/", {
        "credit_limit": "5000", "temporary_credit": "1000",
        "temporary_until": TODAY().isoformat(), "terms": "next_month", "terms_days": "10",
        "on_hold": "on", "hold_reason": "Cheque bounced"}).status_code == 302
    shop.customer.refresh_from_db()
    assert shop.customer.credit_limit == Decimal("5000.00")
    assert shop.customer.payment_terms == "next_month" and shop.customer.payment_days == 10
    assert selectors.balances(shop.customer).on_hold
    assert AuditLog.objects.filter(action="finance.credit_terms").exists()


def test_ledger_exports_and_the_query_budget(shop, client_for, django_assert_max_num_queries):
    one = [{"variant": shop.juice.pk, "quantity": 1}]
    for _ in range(3):
        place(shop, lines=one)
    finance = client_for(shop.staff.finance)
    base = f"/dashboard/finance/customers/{shop.customer.pk}/"
    xlsx = finance.get(base + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = finance.get(base + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    finance.get(base)
    with django_assert_max_num_queries(20) as few:
        finance.get(base)
    for _ in range(20):
        place(shop, lines=one)
    with django_assert_max_num_queries(len(few.captured_queries)):
        finance.get(base)
    aging = finance.get("/dashboard/finance/?format=xlsx")
    assert aging.status_code == 200 and aging.content[:2] == b"PK"


def test_finance_pages_are_scoped_and_closed_to_other_tenants(shop, acme, globex, client_for,
                                                               login_as):
    from roles.services.role_admin import role_create

    place(shop)
    role = role_create(actor=shop.staff.admin, name_en="Area finance",
                       permissions=["view_customers", "view_finance", "record_payments"])
    scoped = staff_with_roles("sales_rep", email="area@acme.example")
    scoped.groups.add(role.group)
    client = client_for(scoped)
    assert client.get(f"/dashboard/finance/customers/{shop.customer.pk}/").status_code == 404
    assert shop.customer.name not in client.get("/dashboard/finance/").content.decode()
    payment = payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY())
    assert client.get(f"/dashboard/finance/payments/{payment.pk}/").status_code == 404
    with tenant_context(globex):
        intruder = staff_with_roles("finance_reviewer", email="fin@globex.example")
    other = login_as(TenantClient("globex.localhost"), globex, intruder)
    for url in (f"/dashboard/finance/customers/{shop.customer.pk}/",
                f"/dashboard/finance/payments/{payment.pk}/",
                f"/dashboard/finance/payments/{payment.pk}/proof/"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/dashboard/finance/payments/{payment.pk}/confirm/").status_code == 404
    # acme's session does not open globex's site
    assert TenantClient("globex.localhost").get("/dashboard/finance/").status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_statement_issued_questioned_answered_confirmed_through_the_pages(shop, client_for):
    order = place(shop)
    finance = client_for(shop.staff.finance)
    start = TODAY().replace(day=1).isoformat()
    response = finance.post("/dashboard/finance/statements/", {
        "customers": [shop.customer.pk], "start": start, "end": TODAY().isoformat(),
        "note": "November"})
    assert response.status_code == 302
    statement = Reconciliation.objects.get()
    dealer = client_for(shop.dana.user)
    listing = dealer.get("/shop/finance/statements/").content.decode()
    assert statement.number in listing
    detail = dealer.get(f"/shop/finance/statements/{statement.pk}/").content.decode()
    assert 'data-testid="statement-line"' in detail
    charge = Entry.objects.get(order=order, kind="order_charge")
    assert dealer.post(f"/shop/finance/statements/{statement.pk}/dispute/",
                       {"entry": [charge.pk], "comment": ""}).status_code == 400
    dealer.post(f"/shop/finance/statements/{statement.pk}/dispute/",
                {"entry": [charge.pk], "comment": "Freight was free"})
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatus.DISPUTED
    dispute = statement.disputes.get()
    staff_page = finance.get(f"/dashboard/finance/statements/{statement.pk}/").content.decode()
    assert "Freight was free" in staff_page
    answered = finance.post(
        f"/dashboard/finance/statements/{statement.pk}/disputes/{dispute.pk}/",
        {f"d{dispute.pk}-answer": "Freight waived", f"d{dispute.pk}-correction": "adjust",
         f"d{dispute.pk}-amount": "-15"})
    assert answered.status_code == 302
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatus.RESOLVED
    assert statement.closing == Decimal("80.00")
    dealer.post(f"/shop/finance/statements/{statement.pk}/confirm/")
    statement.refresh_from_db()
    assert statement.status == ReconciliationStatus.CONFIRMED
    # another dealer company cannot open it
    assert client_for(shop.olga.user).get(
        f"/shop/finance/statements/{statement.pk}/").status_code == 404
    assert list(statement.events.values_list("kind", flat=True)) == [
        "issued", "viewed", "disputed", "answered", "confirmed"]


def test_the_dealer_statement_of_account_and_its_downloads(shop, client_for):
    place(shop)
    dealer = client_for(shop.dana.user)
    page = dealer.get("/shop/finance/statement/").content.decode()
    assert page.count('data-testid="statement-row"') == 1
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = dealer.get(f"/shop/finance/statement/?account=receivable&format={fmt}")
        assert response.status_code == 200 and response.content.startswith(magic)
    other = client_for(shop.olga.user).get("/shop/finance/statement/").content.decode()
    assert 'data-testid="statement-row"' not in other


def test_finance_settings_are_saved_and_audited(shop, client_for):
    admin = client_for(shop.staff.admin)
    response = admin.post("/dashboard/finance/settings/", {
        "credit_over_limit": "hold", "finance_rule": "credit",
        "bank_details": "Acme Ltd · ICBC Shenzhen · 6222 0000 1111", "rebate_share": "30",
        "overdue_hold": "on"})
    assert response.status_code == 302
    row = tenant_settings()
    assert (row.credit_over_limit, row.finance_rule, row.rebate_share, row.overdue_hold) == (
        "hold", "credit", 30, True)
    assert admin.post("/dashboard/finance/settings/", {
        "credit_over_limit": "hold", "finance_rule": "credit", "rebate_share": "130"}
    ).status_code == 400
    assert "6222 0000 1111" in client_for(shop.dana.user).get("/shop/finance/").content.decode()
    assert AuditLog.objects.filter(action="finance.settings").exists()


def test_checkout_with_the_rebate(shop, client_for):
    from ordering.orders.services import cart as cart_services

    ledger.rebate_grant(actor=None, customer=shop.customer, amount="50", reason="Target")
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 10}])
    dealer = client_for(shop.dana.user)
    page = dealer.get("/shop/checkout/").content.decode()
    assert 'data-testid="use-rebate"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    response = dealer.post("/shop/checkout/", {
        "address": shop.address.pk, "shipping_method": shop.truck.pk,
        "payment_method": "transfer", "use_rebate": "on", "token": token})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.rebate_used == Decimal("50.00") and order.payment_status == OrderPaid.PARTIAL


def test_the_chinese_pages_read_as_chinese(shop, client_for):
    place(shop)
    rec.reconciliation_issue(actor=shop.staff.finance, customer=shop.customer,
                             start=TODAY().replace(day=1), end=TODAY())
    with translation.override("zh-hans"):
        dealer = client_for(shop.dana.user, language="zh-hans")
        home = dealer.get("/shop/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        finance = client_for(shop.staff.finance, language="zh-hans")
        aging = finance.get("/dashboard/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "对账单" in home and "待付订单" in home
    assert "应收账款" in aging and "逾期" in aging


def test_exports_need_export_data_and_are_audited(shop, client_for):
    from roles.services.role_admin import role_create

    place(shop)
    role = role_create(actor=shop.staff.admin, name_en="Finance reader",
                       permissions=["view_customers", "access_all_customers", "view_finance"])
    reader = staff_with_roles("sales_rep", email="reader@acme.example")
    reader.groups.set([role.group])
    client = client_for(reader)
    base = f"/dashboard/finance/customers/{shop.customer.pk}/"
    assert client.get(base).status_code == 200
    assert client.get(base + "?format=xlsx").status_code == 403
    assert client.get("/dashboard/finance/?format=xlsx").status_code == 403
    finance = client_for(shop.staff.finance)
    assert finance.get(base + "?format=pdf").status_code == 200
    assert finance.get("/dashboard/finance/?format=xlsx").status_code == 200
    assert AuditLog.objects.filter(action="finance.export").count() == 2
