"""A customer's finance fields (credit limit, terms, credit days, invoice and bank
details) are read and written only with view_finance: the rule (selectors.
customer_hidden_fields) and what the services, the edit form, the list's sorting and
the import template do with it. The role × surface table is in
tests/roles/test_permission_matrix.py."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from ordering.customers import selectors
from ordering.customers.models import Customer
from ordering.customers.services.customers import customer_create, customer_update
from ordering.customers.services.imports import template_file
from roles.catalog import BUILTIN_ROLES
from tests.factories.roles import staff_with_roles

SEES_FINANCE = {"system_administrator", "business_lead", "finance_reviewer"}


def test_view_finance_belongs_to_finance_the_lead_and_the_administrator_only():
    holders = {role.key for role in BUILTIN_ROLES if "view_finance" in role.permissions}
    assert holders == SEES_FINANCE


@pytest.mark.parametrize("role", [role.key for role in BUILTIN_ROLES])
def test_the_rule_per_role(in_acme, role):
    hidden = selectors.customer_hidden_fields(actor=staff_with_roles(role))
    assert hidden == (frozenset() if role in SEES_FINANCE
                      else frozenset(selectors.FINANCE_FIELDS))
    assert selectors.customer_hidden_fields(actor=None) == frozenset()  # the platform


def _customer(**values):
    return customer_create(actor=None, name="Bank Holder Ltd", tax_number="TAX-1",
                           bank_account="ACC-1", credit_limit="5000", **values)


def test_a_sales_rep_cannot_write_invoice_or_bank_details(in_acme):
    rep = staff_with_roles("sales_rep")
    customer = _customer(sales_rep=rep)
    with pytest.raises(ApplicationError) as caught:
        customer_update(actor=rep, customer=customer, bank_account="ATTACKER-ACC")
    assert "bank_account" in caught.value.fields
    with pytest.raises(ApplicationError):
        customer_create(actor=rep, name="New Ltd", tax_number="X")
    customer.refresh_from_db()
    assert customer.bank_account == "ACC-1"
    # the fields they may read still save, and re-sending an unchanged value is fine
    customer_update(actor=rep, customer=customer, phone="020-1", tax_number="TAX-1")
    customer.refresh_from_db()
    assert customer.phone == "020-1" and customer.tax_number == "TAX-1"


def test_the_lead_writes_them(in_acme):
    lead = staff_with_roles("business_lead")
    customer = _customer()
    customer_update(actor=lead, customer=customer, bank_account="ACC-2", credit_limit="1")
    customer.refresh_from_db()
    assert customer.bank_account == "ACC-2" and customer.credit_limit == Decimal("1.00")


def test_the_api_refuses_a_sales_reps_bank_details(acme, acme_client, login_as):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        customer = _customer(sales_rep=rep)
    login_as(acme_client, acme, rep)
    response = acme_client.patch(f"/api/v1/customers/{customer.pk}/",
                                 {"bank_account": "ATTACKER-ACC"},
                                 content_type="application/json")
    assert response.status_code == 400
    assert "bank_account" in response.json()["error"]["fields"]
    with tenant_context(acme):
        assert Customer.objects.get(pk=customer.pk).bank_account == "ACC-1"


def test_the_edit_form_leaves_the_fields_out_and_saving_keeps_them(acme, acme_client,
                                                                    login_as):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        customer = _customer(sales_rep=rep)
    login_as(acme_client, acme, rep)
    page = acme_client.get(f"/dashboard/customers/{customer.pk}/edit/")
    form = page.context["form"]
    assert not set(selectors.FINANCE_FIELDS) & set(form.fields)
    assert "ACC-1" not in page.content.decode()
    response = acme_client.post(f"/dashboard/customers/{customer.pk}/edit/",
                                {"code": customer.code, "name": "Bank Holder Ltd",
                                 "phone": "020-2", "tags": "", "sales_rep": rep.pk})
    assert response.status_code == 302, response.context["form"].errors
    with tenant_context(acme):
        saved = Customer.objects.get(pk=customer.pk)
    assert saved.phone == "020-2"
    assert (saved.bank_account, saved.tax_number, saved.credit_limit) == (
        "ACC-1", "TAX-1", Decimal("5000.00"))


def test_sorting_by_credit_is_for_finance_only(in_acme):
    clerk = staff_with_roles("shipping_clerk")
    finance = staff_with_roles("finance_reviewer")
    customer_create(actor=None, name="A Small", credit_limit="1")
    customer_create(actor=None, name="Z Big", credit_limit="999999")
    by_credit = [c.name for c in selectors.customer_list(actor=finance, sort="-credit")
                 if c.name in ("A Small", "Z Big")]
    assert by_credit == ["Z Big", "A Small"]
    clerk_sees = [c.name for c in selectors.customer_list(actor=clerk, sort="-credit")
                  if c.name in ("A Small", "Z Big")]
    assert clerk_sees == ["A Small", "Z Big"]  # by name: the hidden amount does not leak


def test_the_import_template_has_no_columns_the_user_may_not_read(in_acme):
    rep = staff_with_roles("sales_rep")
    lead = staff_with_roles("business_lead")
    rep_header = template_file(kind="customers", extension="csv", actor=rep)[0].decode()
    lead_header = template_file(kind="customers", extension="csv", actor=lead)[0].decode()
    assert "Tax number" not in rep_header and "Credit limit" not in rep_header
    assert "Tax number" in lead_header and "Credit limit" in lead_header


def test_the_import_page_lists_no_columns_the_user_may_not_read(acme, acme_client, login_as):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
    login_as(acme_client, acme, rep)
    guide = acme_client.get("/dashboard/customers/import/").context["guide"]
    keys = {column["key"] for kind in guide for column in kind["columns"]}
    assert "name" in keys and not keys & set(selectors.FINANCE_FIELDS)
