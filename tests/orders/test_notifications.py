"""Notifications of order events: the right recipients, one per recipient per event,
in each recipient's language, e-mailed once even when the task runs twice."""

import pytest
from django.core import mail
from guardian.shortcuts import assign_perm

from ordering.notifications import selectors as inbox, services as inbox_services
from ordering.notifications.models import Notification
from ordering.orders import notify, workflow
from ordering.orders.enums import EventKind
from ordering.orders.models import OrderEvent
from tests.orders.conftest import place


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after its commit (the test itself runs
    in a transaction that never commits)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def _titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_new_order_tells_the_staff_of_the_first_step_only(shop, run):
    order = run(place, shop)
    for user in (shop.staff.admin, shop.staff.reviewer):
        assert _titles(user) == [f"Order {order.number} from Gold Trading awaits order review"]
    for user in (shop.staff.finance, shop.staff.warehouse, shop.staff.shipper,
                 shop.staff.sales, shop.dana.user):
        assert _titles(user) == []
    sent = {m.to[0] for m in mail.outbox}
    assert {"admin@acme.example", "rev@acme.example"} <= sent
    assert not sent & {"fin@acme.example", "wh@acme.example", "ship@acme.example",
                       "rep@acme.example", "dana@gold.example"}


def test_sales_rep_of_the_customer_hears_only_of_steps_it_approves(shop, run):
    assign_perm("customers.work_with_customer", shop.staff.sales, shop.customer)
    run(place, shop)
    assert _titles(shop.staff.sales) == []  # sales reps do not review orders


def test_dealer_hears_of_approval_rejection_and_shipping_in_its_language(shop, run):
    shop.dana.user.preferred_language = "zh-hans"
    shop.dana.user.save(update_fields=["preferred_language"])
    order = run(place, shop)
    run(workflow.transition, order=order, action=workflow.APPROVE, actor=shop.staff.reviewer)
    dealer = Notification.objects.get(recipient=shop.dana.user)
    assert order.number in dealer.title and "已通过审核" in dealer.title
    assert dealer.link == f"/shop/orders/{order.pk}/"
    other = run(place, shop)
    run(workflow.transition, order=other, action=workflow.REJECT, actor=shop.staff.reviewer,
                        reason="No stock this week")
    rejected = Notification.objects.filter(recipient=shop.dana.user,
                                           subject=notify.subject_of(other)).get()
    assert rejected.body == "No stock this week"
    # the finance reviewer now has one order waiting
    assert len(_titles(shop.staff.finance)) == 1


def test_staff_placing_on_behalf_tells_the_dealer(shop, run):
    order = run(place, shop, actor=shop.staff.admin, customer=shop.customer)
    assert [n.subject for n in Notification.objects.filter(recipient=shop.dana.user)] == [
        f"order:{order.pk}"]
    # the admin placed it: it is not told about its own action, only the reviewer is
    assert _titles(shop.staff.admin) == []


def test_a_task_that_runs_twice_notifies_and_emails_once(shop, run):
    order = run(place, shop)
    event = OrderEvent.objects.get(order=order, kind=EventKind.SUBMITTED)
    before = (Notification.objects.count(), len(mail.outbox))
    recipients = Notification.objects.filter(key=f"order-event:{event.pk}").count()
    assert recipients >= 2
    assert notify.order_event_deliver(event_id=event.pk) == recipients
    assert notify.order_event_deliver(event_id=event.pk) == recipients
    assert (Notification.objects.count(), len(mail.outbox)) == before


def test_unread_count_and_mark_read(shop, run):
    run(place, shop)
    run(place, shop)
    assert inbox.unread_count(shop.staff.reviewer) == 2
    first = inbox.notification_list(user=shop.staff.reviewer).first()
    assert inbox_services.mark_read(user=shop.staff.admin, pk=first.pk) == 0  # not theirs
    assert inbox_services.mark_read(user=shop.staff.reviewer, pk=first.pk) == 1
    assert inbox.unread_count(shop.staff.reviewer) == 1
    assert inbox_services.mark_read(user=shop.staff.reviewer) == 1
    assert inbox.unread_count(shop.staff.reviewer) == 0


def test_message_centre_pages_for_staff_and_dealers(shop, run, login_as):
    from tests.conftest import TenantClient, host_of

    order = run(place, shop)
    run(workflow.transition, order=order, action=workflow.APPROVE, actor=shop.staff.reviewer)
    reviewer = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.staff.reviewer)
    page = reviewer.get("/dashboard/notifications/")
    assert page.status_code == 200 and order.number in page.content.decode()
    note = Notification.objects.get(recipient=shop.staff.reviewer)
    other = Notification.objects.filter(recipient=shop.dana.user).get()
    # someone else's notification: nothing marked, back to the list
    response = reviewer.post(f"/dashboard/notifications/{other.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/notifications/"
    other.refresh_from_db()
    assert other.read_at is None
    response = reviewer.post(f"/dashboard/notifications/{note.pk}/open/")
    assert response["Location"] == note.link
    note.refresh_from_db()
    assert note.read_at is not None
    dana = login_as(TenantClient(host_of(shop.tenant)), shop.tenant, shop.dana.user)
    assert dana.get("/dashboard/notifications/").status_code == 403
    page = dana.get("/shop/notifications/")
    assert page.status_code == 200 and order.number in page.content.decode()
    assert dana.post("/shop/notifications/read/")["Location"] == "/shop/notifications/"
    assert inbox.unread_count(shop.dana.user) == 0
    assert reviewer.get("/shop/notifications/").status_code == 403
