"""A customers import in the browser, with the job kept in the tenant's database:
upload → checked → confirm → imported, the same page flow and messages as before."""

import uuid

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_staff_imports_customers_from_a_file(page, live):
    from ordering.customers.models import Customer
    from ordering.spreadsheets.models import ImportJob
    from tenants.models import Tenant
    from tests.conftest import OWNER_PASSWORD

    suffix = uuid.uuid4().hex[:6]
    company, filename = f"Sheet Foods {suffix}", f"customers-{suffix}.csv"
    sign_in(page, live, "owner@acme.example", OWNER_PASSWORD)
    page.wait_for_url(live.tenant("acme", "/dashboard/"))
    page.goto(live.tenant("acme", "/dashboard/customers/import/"))
    page.get_by_test_id("import-form").locator('input[type="file"]').set_input_files(
        {"name": filename, "mimeType": "text/csv",
         "buffer": f"Company name\n{company}\n".encode()})
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-rows")).to_have_text("1")
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_text("Imported 1 rows of customers: 1 new, 0 updated.")).to_be_visible()
    with tenant_context(Tenant.objects.get(slug="acme")):
        assert Customer.objects.filter(name=company).count() == 1
        # the outcome was shown: the job and its file are forgotten
        assert not ImportJob.objects.filter(filename=filename).exists()
