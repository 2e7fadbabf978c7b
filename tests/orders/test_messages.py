"""The message thread of an order: both sides write, unread counts per side, the other
side is notified, outsiders cannot read or write."""

import pytest
from guardian.shortcuts import assign_perm

from core.exceptions import ApplicationError, NotFoundError
from ordering.notifications.models import Notification
from ordering.orders import selectors
from ordering.orders.models import Order
from ordering.orders.services import messages
from tests.orders.conftest import place


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def _unread(order, user, dealer):
    return selectors.with_unread(Order.objects.filter(pk=order.pk), user,
                                dealer=dealer).get().unread_messages


def test_dealer_and_staff_talk_on_an_order(shop, run):
    order = place(shop)
    assign_perm("customers.work_with_customer", shop.staff.sales, shop.customer)
    shop.customer.sales_rep = shop.staff.sales
    shop.customer.save(update_fields=["sales_rep"])
    run(messages.message_post, actor=shop.dana.user, order=order, body="Can you ship Friday?")
    run(messages.message_post, actor=shop.dana.user, order=order, body="Also: side door.")
    assert _unread(order, shop.staff.sales, dealer=False) == 2
    assert _unread(order, shop.dana.user, dealer=True) == 0
    # the sales rep is the customer's: told of both messages
    assert Notification.objects.filter(recipient=shop.staff.sales, kind="message").count() == 2
    thread = messages.thread_open(actor=shop.staff.sales, order=order)
    assert [m.body for m in thread] == ["Can you ship Friday?", "Also: side door."]
    assert _unread(order, shop.staff.sales, dealer=False) == 0
    run(messages.message_post, actor=shop.staff.sales, order=order, body="Yes, Friday.")
    assert _unread(order, shop.dana.user, dealer=True) == 1
    assert Notification.objects.filter(recipient=shop.dana.user, kind="message").count() == 1


def test_outsiders_cannot_read_or_write(shop):
    order = place(shop)
    with pytest.raises(NotFoundError):
        messages.message_post(actor=shop.olga.user, order=order, body="hi")
    with pytest.raises(NotFoundError):
        messages.thread_open(actor=shop.olga.user, order=order)
    with pytest.raises(NotFoundError):  # a sales rep not assigned to this customer
        messages.thread_open(actor=shop.staff.sales, order=order)
    with pytest.raises(ApplicationError):
        messages.message_post(actor=shop.dana.user, order=order, body="   ")


def test_threads_over_the_api(shop, login_as, globex):
    from django_tenants.utils import tenant_context

    from tests.conftest import TenantClient, host_of
    from tests.factories.roles import staff_with_roles

    order = place(shop)
    dana = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.dana.user)
    posted = dana.post(f"/api/v1/my/orders/{order.pk}/messages/", {"body": "Hello"},
                       content_type="application/json")
    assert posted.status_code == 201 and posted.json()["from_dealer"] is True
    admin = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.staff.admin)
    assert [m["body"] for m in admin.get(f"/api/v1/orders/{order.pk}/messages/").json()] == [
        "Hello"]
    olga = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.olga.user)
    assert olga.get(f"/api/v1/my/orders/{order.pk}/messages/").status_code == 404
    with tenant_context(globex):
        boss = staff_with_roles("system_administrator", email="boss3@globex.example")
    stranger = login_as(TenantClient(host_of(globex)), globex, boss)
    assert stranger.get(f"/api/v1/orders/{order.pk}/messages/").status_code == 404


def test_order_pages_with_a_thread_stay_within_the_detail_budget(shop, login_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import TenantClient, host_of

    order = place(shop)
    for n in range(3):
        messages.message_post(actor=shop.dana.user, order=order, body=f"Question {n}")
        messages.message_post(actor=shop.staff.admin, order=order, body=f"Answer {n}")
    for user, url in ((shop.staff.admin, f"/dashboard/orders/{order.pk}/"),
                      (shop.dana.user, f"/shop/orders/{order.pk}/")):
        client = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, user)
        client.get(url)  # warm caches; the first view also marks the thread read
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and "Answer 2" in response.content.decode()
        assert len(queries) <= 15, (url, len(queries))
