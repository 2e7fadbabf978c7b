"""The order desk in 简体中文, in a real browser.

The shipping clerk of acme works in Simplified Chinese: the ship form's date field shows
today's date (an ISO value that ``<input type="date">`` understands, not the Chinese
``2026/12/06`` input format), and 确认发货 records the shipment the first time.
"""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_order_staff_journey import PASSWORD, _place, _set_workflow, world  # noqa: F401

pytestmark = pytest.mark.e2e


def test_shipping_clerk_ships_an_order_in_chinese(browser, live, world):  # noqa: F811
    from ordering.orders.enums import OrderStatus
    from ordering.orders.models import Order
    from roles.models import User

    acme = _set_workflow(world["acme"], ["order_review", "finance_review", "outbound_review"])
    order = _place(world)
    assert order.status == OrderStatus.SHIPPING
    shipper, tag = world["staff"]["shipper"], world["tag"]
    with tenant_context(acme):
        User.objects.filter(pk=shipper.pk).update(preferred_language="zh-hans")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        sign_in(page, live, shipper.email, PASSWORD)
        page.wait_for_url("**/dashboard/")
        page.goto(live.tenant("acme", f"/dashboard/orders/{order.pk}/"))
        form = page.get_by_test_id("ship-form")
        date = form.locator("input[name=shipped_on]")
        today = timezone.localdate().isoformat()
        expect(date).to_have_attribute("value", today)
        expect(date).to_have_value(today)  # the browser shows it: the field is not empty
        form.get_by_label("物流公司").select_option(label=f"Quay Express {tag}")
        form.get_by_label("物流单号").fill(f"QE-{tag}-CN")
        form.get_by_test_id("ship-submit").click()
        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.get_by_test_id("shipment")).to_have_count(1)
        expect(page.locator(".invalid-feedback")).to_have_count(0)
    finally:
        context.close()

    with tenant_context(acme):
        order = Order.objects.get(pk=order.pk)
        assert order.status == OrderStatus.RECEIPT
        shipment = order.shipments.get()
        assert shipment.shipped_on == timezone.localdate()
        assert shipment.tracking_number == f"QE-{tag}-CN"
