"""The order desk reads right in Simplified Chinese: "Order" is an order (订单号 on the
list, 订货单 on the printed sheet and the PDF), never a sort position (排序); the dealer's
cancel form asks for 取消原因, not a rejection reason; the "Open" tab is 进行中; dates
and quantities that share an English word (Ordered, Shipped, Requested, Received) are
told apart."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from ordering.orders import workflow
from ordering.orders.models import Order
from ordering.orders.services import returns
from ordering.orders.services.shipments import shipment_create
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place


@pytest.fixture
def chinese(acme, login_as):
    def _client(user):
        client = TenantClient(host_of(acme))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        return login_as(client, acme, user)

    return _client


def _text(response):
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _shipped(shop):
    order = place(shop)
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    shipment_create(actor=shop.staff.shipper, order=order,
                    quantities={line.pk: 4 for line in order.lines.all()})
    return Order.objects.get(pk=order.pk)


def test_staff_order_list_says_order_number_and_in_progress(shop, chinese):
    place(shop)
    text = _text(chinese(shop.staff.admin).get("/dashboard/orders/"))
    assert "订单号" in text and "进行中" in text
    assert "排序" not in text and "已开启" not in text


def test_printed_order_sheet_and_pdf_are_titled_order_sheet(shop, chinese, monkeypatch):
    order = _shipped(shop)
    client = chinese(shop.staff.warehouse)
    html = client.get(f"/dashboard/orders/{order.pk}/print/").content.decode()
    title = re.search(r'data-testid="sheet-title">([^<]*)<', html).group(1)
    assert title == "订货单"
    text = _text(client.get(f"/dashboard/orders/{order.pk}/print/"))
    assert "排序" not in text
    assert "订购数量" in text and "已发数量" in text  # the delivery note's columns
    detail = _text(client.get(f"/dashboard/orders/{order.pk}/"))
    assert "下单时间" in detail and "已发数量" in detail and "排序" not in detail

    pytest.importorskip("reportlab")
    import reportlab.platypus

    texts = []

    class Recording(reportlab.platypus.Paragraph):
        def __init__(self, text, *args, **kwargs):
            texts.append(text)
            super().__init__(text, *args, **kwargs)

    monkeypatch.setattr(reportlab.platypus, "Paragraph", Recording)
    assert client.get(f"/dashboard/orders/{order.pk}/pdf/").status_code == 200
    assert f"订货单 {order.number}" in texts and "下单时间" in texts
    assert not any("排序" in t for t in texts)


def test_dealer_cancel_form_asks_for_a_cancellation_reason(shop, chinese):
    order = place(shop)
    text = _text(chinese(shop.dana.user).get(f"/shop/orders/{order.pk}/"))
    assert "取消原因" in text and "驳回原因" not in text


def test_dealer_order_list_open_tab_is_in_progress(shop, chinese):
    place(shop)
    text = _text(chinese(shop.dana.user).get("/shop/orders/"))
    assert "进行中" in text and "已开启" not in text


def test_staff_return_page_tells_quantities_dates_and_reasons_apart(shop, chinese):
    order = _shipped(shop)
    item = returns.return_request(actor=shop.dana.user, order=order,
                                  quantities={order.lines.first().pk: 2}, reason="Leaked")
    item = returns.return_approve(actor=shop.staff.admin, request=item)
    client = chinese(shop.staff.admin)
    text = _text(client.get(f"/dashboard/returns/{item.pk}/"))
    assert "申请数量" in text and "申请时间" in text and "退货原因" in text
    assert "排序" not in text
    listing = _text(client.get("/dashboard/returns/"))
    assert "订单号" in listing and "申请时间" in listing


def test_application_rejection_and_sort_fields_keep_their_meaning():
    from frontend.dashboard.forms.applications import RejectForm
    from frontend.shop.forms.orders import CancelForm

    with translation.override("zh-hans"):
        assert str(CancelForm().fields["reason"].label) == "取消原因"
        assert str(RejectForm().fields["reason"].label) == "驳回原因"
        assert translation.pgettext("sort order", "Order") == "排序"
        assert translation.pgettext("sales order", "Order") == "订单"
        assert translation.pgettext("orders", "Open") == "进行中"
        from ordering.orders.models import Order as OrderModel, OrderLine
        assert str(OrderModel._meta.verbose_name) == "订单"
        assert str(OrderModel._meta.get_field("shipped_at").verbose_name) == "发货时间"
        assert str(OrderLine._meta.get_field("shipped_quantity").verbose_name) == "已发数量"
