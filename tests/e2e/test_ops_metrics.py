"""An operator opens the platform metrics at a desk and on a phone: every chart is drawn
(a Chart.js instance on each canvas), the figures are on the page as text, and nothing
overflows the screen sideways."""

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import ops_sign_in
from tests.factories import OperatorFactory

pytestmark = pytest.mark.e2e
PASSWORD = "Operator-metrics-2026"
CHARTS = ("mrr", "signups", "active", "orders", "status", "plan")


@pytest.fixture
def snapshot(committed):
    """Today's figures, computed by the task's service (removed afterwards unless they
    were there before)."""
    from shared.models import PlatformMetric
    from shared.services import platform_metrics_refresh

    existed = PlatformMetric.objects.filter(day=timezone.localdate()).exists()
    row = platform_metrics_refresh()
    yield row
    if not existed:
        PlatformMetric.objects.filter(pk=row.pk).delete()


def _sign_in(page, live, email):
    ops_sign_in(page, live, email, PASSWORD)
    expect(page.get_by_test_id("tenant-table")).to_be_visible()


def _check_the_page(page, snapshot, width):
    page.get_by_test_id("nav-metrics").click()
    expect(page.get_by_role("heading", name="Platform metrics")).to_be_visible()
    figures = snapshot.payload
    expect(page.get_by_test_id("metric-tenants")).to_have_text(str(figures["tenants"]))
    expect(page.get_by_test_id("metric-active")).to_have_text(str(figures["active"]))
    expect(page.get_by_test_id("metric-orders")).to_have_text(str(figures["orders_recent"]))
    expect(page.get_by_test_id("metrics-computed")).to_contain_text("Computed")
    for name in CHARTS:
        canvas = page.locator(f'canvas[data-chart="{name}"]')
        canvas.scroll_into_view_if_needed()
        drawn = canvas.evaluate("c => { const chart = window.Chart.getChart(c); return chart ? "
                                "[chart.config.type, c.width, c.height] : null; }")
        assert drawn is not None, name
        assert drawn[1] > 0 and drawn[2] > 0, (name, drawn)
    assert page.evaluate("Object.keys(window.olCharts).length") == len(CHARTS)
    expect(page.get_by_test_id("status-row")).to_have_count(len(figures["by_status"]))
    assert page.get_by_test_id("status-row").evaluate_all(
        "rows => rows.map(r => r.dataset.status)") == [
        "trial", "active", "past_due", "suspended", "canceled"]
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, overflow


def test_operator_reads_the_metrics_at_a_desk_and_on_a_phone(browser, live, snapshot):
    email = f"ops-{uuid.uuid4().hex[:6]}@orderline.example"
    OperatorFactory(email=email, password=PASSWORD)
    for width, height, mobile in ((1280, 900, False), (390, 844, True)):
        context = browser.new_context(locale="en-US", viewport={"width": width, "height": height},
                                      is_mobile=mobile, has_touch=mobile)
        context.set_default_timeout(15000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            _sign_in(page, live, email)
            _check_the_page(page, snapshot, width)
            assert errors == []
        finally:
            context.close()
