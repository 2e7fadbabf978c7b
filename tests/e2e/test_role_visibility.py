"""Staff see what their role is for, on a phone: the shipping clerk opens a customer and
finds no credit limit, tax number or bank account; the sales rep reads the customer
levels with the count of their own customers and no way to change a level."""

import uuid

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_clerk_and_rep_see_only_what_their_role_is_for(phone, live):
    from ordering.customers.services.customers import customer_create, level_create
    from tenants.models import Tenant
    from tests.factories.roles import staff_with_roles
    from tests.factories.users import PASSWORD

    suffix = uuid.uuid4().hex[:6]
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        clerk = staff_with_roles("shipping_clerk", email=f"clerk-{suffix}@acme.example")
        rep = staff_with_roles("sales_rep", email=f"rep-{suffix}@acme.example")
        level = level_create(actor=None, name=f"Platinum {suffix}", price_percent=80)
        customer = customer_create(actor=None, name=f"Secretive Foods {suffix}",
                                   level=level, sales_rep=rep, credit_limit="77777",
                                   tax_number=f"TAX{suffix}", bank_account=f"ACC{suffix}")
        for n in range(3):  # not the rep's: they must not count for the rep
            customer_create(actor=None, name=f"Other {suffix} {n}", level=level)

    sign_in(phone, live, clerk.email, PASSWORD)
    phone.wait_for_url(live.tenant("acme", "/dashboard/"))
    phone.goto(live.tenant("acme", f"/dashboard/customers/{customer.pk}/"))
    expect(phone.get_by_test_id("customer-name")).to_have_text(customer.name)
    expect(phone.get_by_test_id("customer-credit")).to_have_count(0)
    expect(phone.get_by_test_id("customer-invoice")).to_have_count(0)
    body = phone.locator("body")
    for secret in ("77777", f"TAX{suffix}", f"ACC{suffix}"):
        expect(body).not_to_contain_text(secret)
    phone.context.clear_cookies()

    sign_in(phone, live, rep.email, PASSWORD)
    phone.wait_for_url(live.tenant("acme", "/dashboard/"))
    phone.goto(live.tenant("acme", "/dashboard/customers/levels/"))
    row = phone.get_by_test_id("levels-table").locator("tr", has_text=level.name)
    expect(row).to_contain_text("80%")
    expect(row.locator("td").nth(2)).to_have_text("1")  # theirs, not the tenant's 4
    expect(phone.get_by_test_id("levels-table")).to_contain_text("Your customers")
    expect(row.get_by_role("link", name="Edit")).to_have_count(0)
    expect(phone.get_by_test_id("level-create")).to_have_count(0)
    response = phone.goto(live.tenant("acme", f"/dashboard/customers/levels/{level.pk}/"))
    assert response.status == 403
