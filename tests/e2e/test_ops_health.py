"""An operator on a phone signs in to the console and checks the platform's health."""

import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import ops_sign_in
from tests.factories import OperatorFactory

PASSWORD = "Operator-pass-2026"


def test_operator_opens_the_health_page_on_a_phone(phone, live):
    email = f"ops-{uuid.uuid4().hex[:6]}@orderline.example"
    OperatorFactory(email=email, password=PASSWORD)
    ops_sign_in(phone, live, email, PASSWORD)
    expect(phone.get_by_test_id("tenant-table")).to_be_visible()

    phone.get_by_test_id("nav-health").click()
    expect(phone.get_by_role("heading", name="Platform health")).to_be_visible()
    for part in ("health-pool", "health-queues", "health-migrations", "health-periodic"):
        expect(phone.get_by_test_id(part)).to_be_visible()
    expect(phone.get_by_test_id("health-migrations")).to_contain_text("up to date")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
