"""Customer import (xlsx/csv → dry run with row errors → confirm, one transaction, audited)
and export (filters and scope of the customer list, constant queries)."""

import csv
import io
import os
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
from guardian.shortcuts import assign_perm

from ordering.customers.enums import CustomerStatus, PaymentTerms
from ordering.customers.models import Address, Contact, Customer
from ordering.customers.resources import resource_for
from ordering.customers.services import imports
from ordering.customers.services.contacts import address_save, contact_save
from ordering.customers.services.customers import customer_create, level_create
from roles.models import AuditLog
from roles.services.regions import region_create
from roles.services.role_admin import role_create
from tests.factories import DealerFactory
from tests.factories.roles import staff_with_roles

User = get_user_model()
IMPORT_URL = "/dashboard/customers/import/"
TEMPLATE_URL = "/dashboard/customers/import/template/"
EXPORT_URL = "/dashboard/customers/export/"

CUSTOMER_HEADERS = ["Customer code", "Company name", "Phone", "E-mail", "Region",
                    "Customer level", "Sales rep (e-mail)", "Credit limit", "Payment terms",
                    "Credit days", "Status", "Tags", "Notes", "Invoice title", "Tax number",
                    "Bank", "Bank account", "Registered address", "Registered phone"]
FINANCE_HEADERS = {"Credit limit", "Payment terms", "Credit days", "Invoice title",
                   "Tax number", "Bank", "Bank account", "Registered address",
                   "Registered phone"}


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


@pytest.fixture
def setup_data(in_acme):
    """Regions (two cities called Changning), levels, a sales rep."""
    sh = region_create(actor=None, name="Shanghai")
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    zj = region_create(actor=None, name="Zhejiang")
    region_create(actor=None, name="Changning", parent=sh)
    region_create(actor=None, name="Changning", parent=zj)
    standard = level_create(actor=None, name="Standard", is_default=True)
    gold = level_create(actor=None, name="Gold", price_percent=90)
    rep = staff_with_roles("sales_rep", email="rep@acme.example")
    return {"sh": sh, "gd": gd, "gz": gz, "zj": zj, "standard": standard, "gold": gold,
            "rep": rep}


@pytest.fixture
def clean_stash():
    """Remove the uploads a test left waiting in either tenant's storage."""
    yield
    from tenants.models import Tenant

    for tenant in Tenant.objects.exclude(schema_name="public"):
        with tenant_context(tenant):
            try:
                _dirs, files = default_storage.listdir(imports.STASH_DIR)
            except FileNotFoundError:
                continue
            for name in files:
                default_storage.delete(f"{imports.STASH_DIR}/{name}")


def _upload(client, content, name="customers.xlsx", kind="customers"):
    return client.post(IMPORT_URL, {"action": "check", "kind": kind,
                                    "file": SimpleUploadedFile(name, content)})


def _errors(response):
    """(row, column) pairs of the error table."""
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    return set(re.findall(r'data-row="(\d+)" data-column="([^"]*)"', html))


# --- service level -----------------------------------------------------------------


def test_valid_xlsx_creates_customers_with_every_column(setup_data):
    content = _xlsx([
        CUSTOMER_HEADERS,
        ["D-001", "Pearl River Foods", 13800138000, "Buyer@Pearl.example",
         "Guangdong/Guangzhou", "gold", "REP@acme.example", 50000, "On account (credit days)",
         30, "Disabled", "vip, south", "call before noon", "Pearl River Foods Ltd",
         "91440101MA5", "ICBC", "6222 0000", "1 Zhujiang Rd", "020-1234"],
        [None, "Yangtze Drinks", None, None, "Shanghai/Changning", None, None, None, None,
         None, None, None, None, None, None, None, None, None, None],
        [None] * len(CUSTOMER_HEADERS),  # a blank row is skipped
    ])
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="xlsx", filename="c.xlsx", dry_run=False)
    assert result.errors == []
    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    pearl = Customer.objects.get(code="D-001")
    assert pearl.name == "Pearl River Foods" and pearl.phone == "13800138000"
    assert pearl.email == "buyer@pearl.example"
    assert pearl.region == setup_data["gz"] and pearl.level == setup_data["gold"]
    assert pearl.sales_rep == setup_data["rep"]
    assert pearl.credit_limit == Decimal("50000.00")
    assert pearl.payment_terms == PaymentTerms.CREDIT and pearl.payment_days == 30
    assert pearl.status == CustomerStatus.ACTIVE  # import creates active customers
    assert pearl.tags == ["vip", "south"] and pearl.invoice_address == "1 Zhujiang Rd"
    assert (pearl.tax_number, pearl.bank_name, pearl.bank_account, pearl.invoice_phone) == (
        "91440101MA5", "ICBC", "6222 0000", "020-1234")
    yangtze = Customer.objects.get(name="Yangtze Drinks")
    assert yangtze.code.startswith("C")  # generated
    assert yangtze.region.parent == setup_data["sh"]
    assert yangtze.level == setup_data["standard"]
    entry = AuditLog.objects.get(action="customer.import")
    assert entry.after == {"kind": "customers", "file": "c.xlsx", "rows": 2, "created": 2,
                           "updated": 0}
    assert AuditLog.objects.filter(action="customer.create").count() == 2


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_with_chinese_headers(setup_data, encoding):
    content = _csv([
        ["客户编码", "客户名称", "手机", "区域", "客户级别", "信用额度", "结算方式", "标签"],
        ["SZ-01", "深圳华强电子", "13900000000", "Guangdong / Guangzhou", "Gold", "1,000.50",
         "款到发货", "重点，华南"],
    ], encoding=encoding)
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="csv", dry_run=False)
    assert result.errors == []
    customer = Customer.objects.get(code="SZ-01")
    assert customer.name == "深圳华强电子" and customer.credit_limit == Decimal("1000.50")
    assert customer.payment_terms == PaymentTerms.PREPAID
    assert customer.tags == ["重点", "华南"] and customer.region == setup_data["gz"]


def test_dry_run_validates_but_writes_nothing(setup_data):
    content = _csv([["Company name"], ["Alpha"], ["Beta"]])
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="csv")
    assert result.ok and (result.created, result.updated) == (2, 0)
    assert not Customer.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="customer.").exists()


def test_update_by_code_ignores_case_and_keeps_empty_cells(setup_data):
    customer = customer_create(actor=None, code="K-100", name="Kunlun", email="k@x.example",
                               phone="111")
    content = _csv([["Code", "Name", "Phone", "E-mail", "Customer level"],
                    ["k-100", "", "222", "", "Gold"]])
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="csv", dry_run=False)
    assert result.errors == [] and (result.created, result.updated) == (0, 1)
    customer.refresh_from_db()
    assert (customer.code, customer.name, customer.phone, customer.email) == (
        "K-100", "Kunlun", "222", "k@x.example")
    assert customer.level == setup_data["gold"]
    assert Customer.objects.count() == 1


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(setup_data):
    content = _xlsx([
        CUSTOMER_HEADERS[:8],
        ["A-1", "Alpha", "", "a@alpha.example", "", "Standard", "", 0],
        ["A-2", "Beta", "", "not-an-email", "", "Platinum", "", 0],
        ["a-1", "Alpha again", "", "", "", "", "", ""],
        ["A-4", "Delta", "", "", "Changning", "", "nobody@acme.example", -5],
    ])
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="xlsx", dry_run=False)
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "E-mail"), (3, "Customer level"), (4, "Customer code"),
                     (5, "Region"), (5, "Sales rep (e-mail)"), (5, "Credit limit")}
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "row 2" in messages[(4, "Customer code")]
    assert "Province/City" in messages[(5, "Region")]
    assert result.created == result.updated == 0
    assert not Customer.objects.exists()  # the valid row 2 was rolled back too
    assert not AuditLog.objects.filter(action="customer.import").exists()


def test_regional_manager_cannot_import_outside_their_regions(setup_data):
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, setup_data["gd"])
    other = staff_with_roles("sales_rep")
    foreign = customer_create(actor=None, code="ZJ-1", name="Hangzhou Tea",
                              region=setup_data["zj"])
    own = customer_create(actor=None, code="GD-1", name="Canton Rice", region=setup_data["gz"])
    content = _csv([
        ["Customer code", "Company name", "Region", "Sales rep (e-mail)", "Phone"],
        ["ZJ-1", "", "", "", "999"],                               # not theirs: not found
        ["GD-1", "", "Zhejiang", other.email, ""],                 # moving it out of reach
        ["GD-2", "Foshan Snacks", "Guangdong/Guangzhou", "", ""],  # fine
    ])
    result = imports.import_file(actor=manager, kind="customers", content=content,
                                 extension="csv", dry_run=False)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert errors[(2, "Customer code")] == "No such customer."
    assert (3, "Region") in errors
    assert set(errors) == {(2, "Customer code"), (3, "Region")}
    foreign.refresh_from_db()
    own.refresh_from_db()
    assert foreign.phone == "" and own.region == setup_data["gz"]
    assert not Customer.objects.filter(code="GD-2").exists()


def test_sales_rep_without_credit_permission_cannot_import_a_credit_limit(setup_data):
    rep = setup_data["rep"]
    content = _csv([["Company name", "Credit limit", "Payment terms"],
                    ["Rep Customer", "0", ""],
                    ["Rich Customer", "5000", ""],
                    ["Credit Customer", "", "credit"]])
    result = imports.import_file(actor=rep, kind="customers", content=content,
                                 extension="csv", dry_run=False)
    assert {(e.row, e.column) for e in result.errors} == {(3, "Credit limit"),
                                                           (4, "Credit limit")}
    assert not Customer.objects.exists()
    ok = imports.import_file(actor=rep, kind="customers", extension="csv", dry_run=False,
                             content=_csv([["Company name", "Credit limit"], ["Mine", "0"]]))
    assert ok.errors == []
    mine = Customer.objects.get(name="Mine")
    assert mine.sales_rep == rep  # a sales rep's new customer is theirs


def test_contacts_and_addresses_are_matched_created_and_validated(setup_data):
    alpha = customer_create(actor=None, code="AL", name="Alpha")
    old = contact_save(actor=None, customer=alpha, name="Li Lei", phone="1", email="")
    hidden = customer_create(actor=None, code="HID", name="Hidden", region=setup_data["zj"])
    contacts = _csv([
        ["客户编码", "姓名", "职位", "电话", "邮箱", "主联系人"],
        ["al", "li lei", "Boss", "", "li@alpha.example", "否"],
        ["AL", "Han Meimei", "Buyer", "2", "", "是"],
        ["AL", "Wang", "", "", "bad@", "maybe"],
        ["NOPE", "Zhang", "", "", "", ""],
    ])
    result = imports.import_file(actor=_owner(), kind="contacts", content=contacts,
                                 extension="csv", dry_run=False)
    assert {(e.row, e.column) for e in result.errors} == {(4, "邮箱"), (4, "主联系人"),
                                                           (5, "客户编码")}
    contacts = _csv([["Customer code", "Contact name", "Position", "Phone", "E-mail",
                      "Primary contact"],
                     ["al", "li lei", "Boss", "", "li@alpha.example", "no"],
                     ["AL", "Han Meimei", "Buyer", "2", "", "yes"]])
    result = imports.import_file(actor=_owner(), kind="contacts", content=contacts,
                                 extension="csv", dry_run=False)
    assert result.errors == [] and (result.created, result.updated) == (1, 1)
    old.refresh_from_db()
    assert (old.title, old.phone, old.email) == ("Boss", "1", "li@alpha.example")
    assert Contact.objects.get(customer=alpha, is_primary=True).name == "Han Meimei"

    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, setup_data["gd"])
    customer_create(actor=None, code="GZ", name="Guangzhou Co", region=setup_data["gz"])
    addresses = _xlsx([
        ["Customer code", "Recipient", "Phone", "Region", "Address", "Postal code",
         "Default address"],
        ["GZ", "Chen", "138", "Guangzhou", "8 Tianhe Rd", "510000", "yes"],
        ["GZ", "Zhou", "", "", "9 Huangpu Rd", "", ""],
        ["HID", "Xu", "139", "", "1 West Lake", "", ""],
        ["GZ", "Liu", "137", "", "10 Baiyun Rd", "", "yes"],
    ])
    result = imports.import_file(actor=manager, kind="addresses", content=addresses,
                                 extension="xlsx", dry_run=False)
    assert {(e.row, e.column) for e in result.errors} == {(3, "Phone"), (4, "Customer code"),
                                                           (5, "Default address")}
    assert not Address.objects.exists()
    result = imports.import_file(actor=manager, kind="addresses", dry_run=False,
                                 extension="xlsx", content=_xlsx([
                                     ["Customer code", "Recipient", "Phone", "Region",
                                      "Address", "Default address"],
                                     ["GZ", "Chen", "138", "Guangzhou", "8 Tianhe Rd", "yes"],
                                     ["GZ", "Zhou", "135", "", "9 Huangpu Rd", ""]]))
    assert result.errors == [] and result.created == 2
    chen = Address.objects.get(recipient="Chen")
    assert chen.is_default and chen.region == setup_data["gz"] and chen.customer.code == "GZ"
    assert hidden.addresses.count() == 0


def test_files_are_checked_before_any_row(setup_data):
    def refused(content, extension, needle):
        with pytest.raises(imports.ImportFileError) as info:
            imports.import_file(actor=_owner(), kind="customers", content=content,
                                extension=extension)
        assert needle in info.value.message, info.value.message

    refused(b"Company name\nAlpha\n", "xls", ".xlsx")
    refused(b"not a zip", "xlsx", "Excel workbook")
    refused(b"PK\x03\x04garbage", "xlsx", "Excel workbook")
    refused(b"\x00\x01\x02\xff\xfe\x00binary", "csv", "UTF-8")
    refused(b"x" * (5 * 1024 * 1024 + 1), "csv", "5 MB")
    refused(_csv([["Company name"]]), "csv", "no rows")
    refused(_csv([["Phone", "E-mail"], ["1", "a@b.example"]]), "csv", "Company name")
    refused(_csv([["Company name", "客户名称"], ["A", "B"]]), "csv", "same column")
    refused(_csv([["Company name"]] + [[f"C{i}"] for i in range(5001)]), "csv", "5000")


def test_a_large_valid_file_is_accepted_in_one_go(setup_data):
    content = _csv([["Company name", "Customer level"]]
                   + [[f"Bulk {i}", "Gold"] for i in range(300)])
    result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                 extension="csv", dry_run=False)
    assert result.ok and result.created == 300
    assert Customer.objects.filter(level=setup_data["gold"]).count() == 300


# --- templates and export ---------------------------------------------------------------


def test_templates_have_the_header_row_of_each_kind(acme, acme_client, login_as, setup_data):
    login_as(acme_client, acme, _owner())
    for kind in ("customers", "contacts", "addresses"):
        response = acme_client.get(TEMPLATE_URL, {"kind": kind})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.xlsx"'
        rows = _workbook_rows(response.content)
        with tenant_context(acme):
            assert rows == [[header for _key, header in resource_for(kind).columns()]]
    assert _workbook_rows(acme_client.get(TEMPLATE_URL).content)[0] == CUSTOMER_HEADERS
    assert acme_client.get(TEMPLATE_URL, {"kind": "orders"}).status_code == 404


def test_chinese_export_headers_are_accepted_back(setup_data):
    from django.utils import translation

    customer_create(actor=None, code="RT-1", name="Round Trip", region=setup_data["gz"],
                    tags="a, b", level=setup_data["gold"], sales_rep=setup_data["rep"])
    with translation.override("zh-hans"):
        data, _name = imports.export_file(actor=_owner(), kind="customers", extension="xlsx",
                                          customers=Customer.objects.all())
    result = imports.import_file(actor=_owner(), kind="customers", content=data,
                                 extension="xlsx", dry_run=False)
    assert result.errors == [] and (result.created, result.updated) == (0, 1)
    customer = Customer.objects.get(code="RT-1")
    assert customer.region == setup_data["gz"] and customer.tags == ["a", "b"]


def _exporter(*roles):
    role = role_create(actor=_owner(), name_en="Exporter", permissions=["export_data"])
    user = staff_with_roles(*roles)
    user.groups.add(role.group)
    return user


def test_export_honours_the_list_filters_and_the_users_scope(acme, acme_client, login_as,
                                                             setup_data):
    with tenant_context(acme):
        rep = _exporter("sales_rep")
        mine = customer_create(actor=None, code="M-1", name="Mine Ltd", sales_rep=rep,
                               level=setup_data["gold"], region=setup_data["gz"])
        contact_save(actor=None, customer=mine, name="张三", phone="1", is_primary=True)
        address_save(actor=None, customer=mine, recipient="Chen", phone="2",
                     address="8 Tianhe Rd", region=setup_data["gz"])
        other = customer_create(actor=None, code="O-1", name="Other Ltd")
        contact_save(actor=None, customer=other, name="Li Si")
        customer_create(actor=None, code="M-2", name="Mine Too", sales_rep=rep)
    login_as(acme_client, acme, rep)
    response = acme_client.get(EXPORT_URL, {"kind": "customers", "format": "xlsx"})
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="customers-\d{8}\.xlsx"',
                        response["Content-Disposition"])
    rows = _workbook_rows(response.content)
    # a sales rep exporting has no view_finance: the finance columns are left out
    assert rows[0] == [h for h in CUSTOMER_HEADERS if h not in FINANCE_HEADERS]
    assert sorted(row[0] for row in rows[1:]) == ["M-1", "M-2"]
    first = dict(zip(rows[0], next(row for row in rows[1:] if row[0] == "M-1")))
    assert first["Region"] == "Guangdong/Guangzhou" and first["Customer level"] == "Gold"
    assert first["Sales rep (e-mail)"] == rep.email and first["Status"] == "Active"
    narrowed = _workbook_rows(acme_client.get(EXPORT_URL, {
        "kind": "customers", "level": str(setup_data["gold"].pk)}).content)
    assert [row[0] for row in narrowed[1:]] == ["M-1"]
    assert [row[0] for row in _workbook_rows(acme_client.get(
        EXPORT_URL, {"q": "too"}).content)[1:]] == ["M-2"]

    contacts = acme_client.get(EXPORT_URL, {"kind": "contacts", "format": "csv"})
    assert contacts["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="contacts-\d{8}\.csv"',
                        contacts["Content-Disposition"])
    assert contacts.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(contacts.content.decode("utf-8-sig"))))
    assert lines == [["Customer code", "Contact name", "Position", "Phone", "E-mail",
                      "Primary contact"], ["M-1", "张三", "", "1", "", "Yes"]]
    addresses = acme_client.get(EXPORT_URL, {"kind": "addresses", "format": "csv"})
    lines = list(csv.reader(io.StringIO(addresses.content.decode("utf-8-sig"))))
    assert lines[1] == ["M-1", "Chen", "2", "Guangdong/Guangzhou", "8 Tianhe Rd", "", "Yes"]
    with tenant_context(acme):
        entry = AuditLog.objects.filter(action="customer.export").latest("id")
        assert entry.actor == rep and entry.after["kind"] == "addresses"

    login_as(acme_client, acme, _owner())
    everyone = _workbook_rows(acme_client.get(EXPORT_URL).content)
    assert sorted(row[0] for row in everyone[1:]) == ["M-1", "M-2", "O-1"]
    assert acme_client.get(EXPORT_URL, {"kind": "orders"}).status_code == 400


def test_export_writes_formula_like_text_as_text(acme, acme_client, login_as, setup_data):
    with tenant_context(acme):
        customer_create(actor=None, code="F-1", name="=HYPERLINK(\"http://evil\")",
                        phone="+86 138")
    login_as(acme_client, acme, _owner())
    book = openpyxl.load_workbook(io.BytesIO(acme_client.get(EXPORT_URL).content))
    cell = book.active["B2"]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    content = acme_client.get(EXPORT_URL, {"format": "csv"}).content
    assert "'=HYPERLINK" in content.decode("utf-8-sig")
    with tenant_context(acme):
        result = imports.import_file(actor=_owner(), kind="customers", content=content,
                                     extension="csv", dry_run=False)
        assert result.errors == [] and result.updated == 1
        customer = Customer.objects.get(code="F-1")
        assert customer.name == '=HYPERLINK("http://evil")' and customer.phone == "+86 138"


@pytest.mark.parametrize("kind", ["customers", "contacts", "addresses"])
def test_export_queries_do_not_grow_with_the_rows(acme, acme_client, login_as, setup_data,
                                                  kind):
    def make(n):
        with tenant_context(acme):
            for i in range(n):
                customer = customer_create(actor=None, name=f"Q{i}", region=setup_data["gz"],
                                           level=setup_data["gold"],
                                           sales_rep=setup_data["rep"], tags="x")
                contact_save(actor=None, customer=customer, name=f"P{i}")
                address_save(actor=None, customer=customer, recipient="R", phone="1",
                             address=f"{i} Road", region=setup_data["gz"])

    login_as(acme_client, acme, _owner())
    acme_client.get(EXPORT_URL, {"kind": kind})  # warm up
    counts = []
    for n in (5, 35):
        make(n)
        with CaptureQueriesContext(connection) as queries:
            response = acme_client.get(EXPORT_URL, {"kind": kind})
        assert response.status_code == 200
        assert len(_workbook_rows(response.content)) == 1 + (5 if n == 5 else 40)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- the import page ---------------------------------------------------------------


def test_import_page_checks_then_confirms_in_one_audited_transaction(
        acme, acme_client, login_as, setup_data, clean_stash):
    login_as(acme_client, acme, _owner())
    page = acme_client.get(IMPORT_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="template-customers"' in html and "import-confirm" not in html
    with tenant_context(acme):
        customer_create(actor=None, code="OLD-1", name="Old Name")
    content = _xlsx([["Customer code", "Company name", "Customer level"],
                     ["OLD-1", "New Name", "Gold"], ["NEW-1", "Brand New", ""],
                     ["", "Another", "standard"]])
    response = _upload(acme_client, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-confirm"' in html and "import-errors" not in html
    assert re.search(r'data-testid="import-created">2<', html)
    assert re.search(r'data-testid="import-updated">1<', html)
    token = acme_client.session["customer_import"]["token"]
    with tenant_context(acme):
        assert Customer.objects.count() == 1
        assert default_storage.exists(f"private/imports/{token}.xlsx")
    response = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)
    assert response.status_code == 200
    assert "Imported 3 rows of customers: 2 new, 1 updated." in response.content.decode()
    with tenant_context(acme):
        assert set(Customer.objects.values_list("name", flat=True)) == {
            "New Name", "Brand New", "Another"}
        entry = AuditLog.objects.get(action="customer.import")
        assert entry.actor.email == "owner@acme.example"
        assert entry.after["created"] == 2 and entry.after["updated"] == 1
        assert not default_storage.exists(f"private/imports/{token}.xlsx")
    again = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer waiting" in again.content.decode()
    with tenant_context(acme):
        assert Customer.objects.count() == 3 and AuditLog.objects.filter(
            action="customer.import").count() == 1


def test_import_page_lists_row_errors_and_offers_no_confirmation(
        acme, acme_client, login_as, setup_data, clean_stash):
    login_as(acme_client, acme, _owner())
    content = _csv([["Customer code", "Company name", "E-mail", "Customer level",
                     "Credit limit"],
                    ["B-1", "Fine", "", "", ""],
                    ["B-2", "Bad Level", "", "Diamond", ""],
                    ["b-1", "Duplicate", "", "", ""],
                    ["B-4", "Bad Mail", "nope", "", "-1"]], encoding="gb18030")
    response = _upload(acme_client, content, name="客户.csv")
    assert response.status_code == 400
    assert _errors(response) == {("3", "Customer level"), ("4", "Customer code"),
                                 ("5", "E-mail"), ("5", "Credit limit")}
    html = response.content.decode()
    assert "import-confirm" not in html and "3 rows have problems." in html
    token = acme_client.session["customer_import"]["token"]
    assert acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}).status_code == 302
    assert acme_client.get(IMPORT_URL).status_code == 400  # the errors are still shown
    with tenant_context(acme):
        assert not default_storage.exists(f"private/imports/{token}.csv")  # not kept
    with tenant_context(acme):
        assert not Customer.objects.exists()


def test_confirm_imports_nothing_when_the_data_changed_since_the_check(
        acme, acme_client, login_as, setup_data, clean_stash):
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["Customer code", "Company name", "Customer level"],
                               ["X-1", "Ex", "Standard"], ["X-2", "Why", "Gold"]]), name="c.csv")
    token = acme_client.session["customer_import"]["token"]
    with tenant_context(acme):
        setup_data["gold"].delete()  # row 3 is no longer valid
    response = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token})
    assert response.status_code == 400
    assert _errors(response) == {("3", "Customer level")}
    assert "import-confirm" not in response.content.decode()
    with tenant_context(acme):
        assert not Customer.objects.exists()
        assert not AuditLog.objects.filter(action="customer.import").exists()
        assert not default_storage.exists(f"private/imports/{token}.csv")


def test_a_globex_session_cannot_use_an_acme_upload(acme, globex, acme_client, globex_client,
                                                    login_as, setup_data, clean_stash):
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["Company name"], ["Acme Only"]]), name="c.csv")
    token = acme_client.session["customer_import"]["token"]
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    response = globex_client.post(IMPORT_URL, {"action": "confirm", "token": token},
                                  follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert "alert-danger" in response.content.decode()
    with tenant_context(globex):
        assert not Customer.objects.filter(name="Acme Only").exists()
        assert not default_storage.exists(f"private/imports/{token}.csv")
    with tenant_context(acme):
        assert default_storage.exists(f"private/imports/{token}.csv")
        assert not Customer.objects.exists()
    assert acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}).status_code == 302
    with tenant_context(acme):
        assert Customer.objects.filter(name="Acme Only").exists()


def test_a_forged_token_is_never_used_as_a_path(acme, acme_client, login_as, setup_data,
                                                clean_stash):
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["Company name"], ["Real"]]), name="c.csv")
    session = acme_client.session
    session["customer_import"]["token"] = "../../../etc/passwd"
    session.save()
    response = acme_client.post(IMPORT_URL, {"action": "confirm",
                                             "token": "../../../etc/passwd"}, follow=True)
    assert "no longer waiting" in response.content.decode()
    with tenant_context(acme):
        assert not Customer.objects.exists()


def test_cancel_discards_the_upload(acme, acme_client, login_as, setup_data, clean_stash):
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["Company name"], ["Later"]]), name="c.csv")
    token = acme_client.session["customer_import"]["token"]
    acme_client.post(IMPORT_URL, {"action": "cancel"})
    with tenant_context(acme):
        assert not default_storage.exists(f"private/imports/{token}.csv")
    assert "customer_import" not in acme_client.session


@pytest.mark.parametrize("name,content,message", [
    ("big.csv", b"Company name\n" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
    ("old.xls", b"\xd0\xcf\x11\xe0 not supported", "Upload an Excel workbook (.xlsx) or a CSV"),
    ("notes.txt", b"Company name\nA\n", "Upload an Excel workbook (.xlsx) or a CSV"),
    ("fake.xlsx", b"Company name\nA\n", "could not be read as an Excel workbook"),
    ("empty.csv", b"", "empty"),
])
def test_wrong_files_are_refused_with_a_message(acme, acme_client, login_as, setup_data,
                                                name, content, message):
    login_as(acme_client, acme, _owner())
    response = _upload(acme_client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "customer_import" not in acme_client.session


# --- permissions -------------------------------------------------------------------


def test_export_needs_export_data(acme, acme_client, login_as, setup_data):
    login_as(acme_client, acme, setup_data["rep"])  # sales rep: no export_data
    assert acme_client.get(EXPORT_URL).status_code == 403
    assert acme_client.get(IMPORT_URL).status_code == 200  # but may import (manage_customers)
    with tenant_context(acme):
        viewer = staff_with_roles("shipping_clerk")  # no manage_customers
    login_as(acme_client, acme, viewer)
    assert acme_client.get(IMPORT_URL).status_code == 403
    assert acme_client.get(TEMPLATE_URL).status_code == 403


def test_dealers_get_403_everywhere(acme, acme_client, login_as):
    with tenant_context(acme):
        dealer = DealerFactory()
    login_as(acme_client, acme, dealer)
    for url in (IMPORT_URL, TEMPLATE_URL, EXPORT_URL):
        assert acme_client.get(url).status_code == 403
    response = acme_client.post(IMPORT_URL, {"action": "check", "kind": "customers",
                                             "file": SimpleUploadedFile("c.csv", b"a\nb\n")})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(acme_client):
    for url in (IMPORT_URL, TEMPLATE_URL, EXPORT_URL):
        response = acme_client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_stale_uploads_are_purged(in_acme):
    name = default_storage.save("private/imports/0123456789abcdef0123456789abcdef.csv",
                                io.BytesIO(b"a"))
    old = 1_600_000_000
    os.utime(default_storage.path(name), (old, old))
    imports.upload_purge()
    assert not default_storage.exists(name)


def test_with_a_worker_the_page_polls_until_the_check_and_the_import_are_done(
        acme, acme_client, login_as, setup_data, clean_stash, monkeypatch):
    from ordering.customers.tasks import customer_import_task

    queued = []
    monkeypatch.setattr(customer_import_task, "apply_async",
                        lambda kwargs: queued.append(kwargs))

    def work():
        with tenant_context(acme):
            customer_import_task.run(**queued.pop())

    login_as(acme_client, acme, _owner())
    response = _upload(acme_client, _csv([["Company name"], ["Async Co"]]), name="a.csv")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-running"' in html
    assert 'hx-get="/dashboard/customers/import/status/"' in html
    poll = {"HTTP_HX_REQUEST": "true"}
    assert 'data-state="checking"' in acme_client.get(
        "/dashboard/customers/import/status/", **poll).content.decode()
    work()
    status = acme_client.get("/dashboard/customers/import/status/", **poll).content.decode()
    assert 'data-testid="import-confirm"' in status and "hx-get" not in status
    token = acme_client.session["customer_import"]["token"]
    response = acme_client.post(IMPORT_URL, {"action": "confirm", "token": token})
    assert 'data-state="importing"' in response.content.decode()
    # a second confirmation while the first is queued does nothing
    assert acme_client.post(IMPORT_URL, {"action": "confirm", "token": token}).status_code == 302
    assert len(queued) == 1
    with tenant_context(acme):
        assert not Customer.objects.exists()
    work()
    done = acme_client.get("/dashboard/customers/import/status/", **poll)
    assert done.status_code == 204 and done["HX-Redirect"]
    page = acme_client.get(done["HX-Redirect"]).content.decode()
    assert "Imported 1 rows of customers: 1 new, 0 updated." in page
    with tenant_context(acme):
        assert Customer.objects.filter(name="Async Co").exists()
        assert not default_storage.listdir(imports.STASH_DIR)[1]  # nothing left behind
    assert "customer_import" not in acme_client.session


def test_a_job_that_stops_answering_reads_as_failed(acme, acme_client, login_as, setup_data,
                                                    clean_stash, monkeypatch):
    from ordering.customers.tasks import customer_import_task

    monkeypatch.setattr(customer_import_task, "apply_async", lambda kwargs: None)
    login_as(acme_client, acme, _owner())
    _upload(acme_client, _csv([["Company name"], ["Lost"]]), name="a.csv")
    monkeypatch.setattr(imports, "JOB_STALE_AFTER", imports.timedelta(seconds=-1))
    page = acme_client.get(IMPORT_URL)
    assert page.status_code == 400 and 'data-testid="import-failed"' in page.content.decode()
