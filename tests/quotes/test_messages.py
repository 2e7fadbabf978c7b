"""The message thread along an inquiry (the order threads' machinery): the dealer's
company and the staff who quote for the customer write to each other, unread counts per
side on the inquiry list, the other side is told, outsiders and other tenants see
nothing."""

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.notifications.models import Notification
from ordering.notifications.threads import MAX_BODY, Thread
from ordering.quotes import messages, selectors, services
from ordering.quotes.models import Inquiry, InquiryMessage
from tests.factories.roles import staff_with_roles
from tests.quotes.conftest import ask

pytestmark = pytest.mark.usefixtures("mailbox")


def _unread(user, inquiry=None):
    """``{number: unread}`` from the inquiry list as ``user`` sees it."""
    rows = selectors.inquiry_list(actor=user, with_unread=True)
    return {row.number: row.unread_messages for row in rows
            if inquiry is None or row.pk == inquiry.pk}


def _told(user):
    return list(Notification.objects.filter(recipient=user, kind="message").order_by("id")
                .values_list("title", "body"))


def test_dealer_and_staff_talk_on_an_inquiry(shop, run):
    inquiry = ask(shop)
    run(messages.message_post, actor=shop.dana.user, inquiry=inquiry, body="Any discount?")
    run(messages.message_post, actor=shop.dana.user, inquiry=inquiry, body="  For 500?  ")
    assert _unread(shop.staff.sales) == {inquiry.number: 2}
    assert _unread(shop.staff.admin, inquiry) == {inquiry.number: 2}
    assert _unread(shop.dana.user) == {inquiry.number: 0}  # its own messages
    # nobody is assigned: the staff who quote for Gold Trading are told of each message
    title = f"Dana wrote about inquiry {inquiry.number}"
    assert _told(shop.staff.sales) == [(title, "Any discount?"), (title, "For 500?")]
    assert len(_told(shop.staff.admin)) == 2
    thread = messages.thread_open(actor=shop.staff.sales, inquiry=inquiry)
    assert [(m.body, m.from_dealer, m.author) for m in thread] == [
        ("Any discount?", True, shop.dana.user), ("For 500?", True, shop.dana.user)]
    assert _unread(shop.staff.sales) == {inquiry.number: 0}
    assert _unread(shop.staff.admin, inquiry) == {inquiry.number: 2}  # per person
    run(messages.message_post, actor=shop.staff.sales, inquiry=inquiry, body="Yes: 7.00.")
    assert _unread(shop.dana.user) == {inquiry.number: 1}
    assert _unread(shop.viewer.user) == {inquiry.number: 1}
    assert _told(shop.dana.user) == [
        (f"{shop.staff.sales.name or shop.staff.sales.email} wrote about inquiry "
         f"{inquiry.number}", "Yes: 7.00.")]
    assert _told(shop.staff.sales) == [(title, "Any discount?"), (title, "For 500?")]
    assert "dana@gold.example" in {m.to[0] for m in mail.outbox}
    # a view-only login of the company reads and writes in the thread too
    assert [m.body for m in messages.thread_open(actor=shop.viewer.user, inquiry=inquiry)][
        -1] == "Yes: 7.00."
    assert _unread(shop.viewer.user) == {inquiry.number: 0}
    assert _unread(shop.dana.user) == {inquiry.number: 1}


def test_a_dealers_message_tells_only_the_assignee(shop, run):
    inquiry = ask(shop)
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.sales)
    run(messages.message_post, actor=shop.dana.user, inquiry=inquiry, body="Hello")
    assert len(_told(shop.staff.sales)) == 1
    assert _told(shop.staff.admin) == []


def test_outsiders_cannot_read_or_write(shop):
    inquiry = ask(shop)
    other_rep = staff_with_roles("sales_rep", email="rep2@acme.example")
    for actor, error in ((shop.olga.user, NotFoundError), (other_rep, NotFoundError),
                         (shop.staff.warehouse, PermissionDeniedError),
                         (None, PermissionDeniedError)):
        with pytest.raises(error):
            messages.message_post(actor=actor, inquiry=inquiry, body="hi")
        with pytest.raises(error):
            messages.thread_open(actor=actor, inquiry=inquiry)
    for body in ("   ", "x" * (MAX_BODY + 1)):
        with pytest.raises(ApplicationError) as caught:
            messages.message_post(actor=shop.dana.user, inquiry=inquiry, body=body)
        assert "body" in caught.value.fields
    assert not InquiryMessage.objects.exists()


def test_threads_stay_with_their_inquiry_and_tenant(shop, globex):
    ours, theirs = ask(shop), ask(shop, actor=shop.olga.user)
    messages.message_post(actor=shop.dana.user, inquiry=ours, body="Ours")
    messages.message_post(actor=shop.olga.user, inquiry=theirs, body="Theirs")
    assert [m.body for m in messages.thread_open(actor=shop.dana.user, inquiry=ours)] == ["Ours"]
    assert _unread(shop.olga.user) == {theirs.number: 0}
    assert _unread(shop.staff.admin) == {ours.number: 1, theirs.number: 1}
    assert _unread(shop.staff.sales) == {ours.number: 1}  # not their customer's
    with tenant_context(globex):
        admin = staff_with_roles("system_administrator", email="admin@globex.example")
        assert list(selectors.inquiry_list(actor=admin, with_unread=True)) == []
        with pytest.raises(NotFoundError):
            selectors.inquiry_detail(actor=admin, pk=ours.pk)
        assert not InquiryMessage.objects.exists()
        assert messages.THREAD.messages(actor=admin, thing=Inquiry(pk=ours.pk)) == []


def test_the_list_with_unread_counts_keeps_its_query_budget(shop, django_assert_max_num_queries):
    inquiries = [ask(shop) for _ in range(5)]
    for n, inquiry in enumerate(inquiries):
        for i in range(n):
            messages.message_post(actor=shop.dana.user, inquiry=inquiry, body=f"Q{i}")
        messages.message_post(actor=shop.staff.admin, inquiry=inquiry, body="A")
    for actor, expected in ((shop.staff.sales, [4, 3, 2, 1, 0]),
                            (shop.dana.user, [1, 1, 1, 1, 1])):
        actor = type(actor).objects.get(pk=actor.pk)  # nothing memoised
        with django_assert_max_num_queries(10):
            rows = list(selectors.inquiry_list(actor=actor, with_unread=True))
            assert [r.unread_messages for r in rows] == expected
            [(r.customer.name, r.assigned_to, r.latest_version) for r in rows]


def test_orders_and_inquiries_share_one_thread_machinery():
    from ordering.orders.services import messages as order_messages

    assert isinstance(order_messages.THREAD, Thread) and isinstance(messages.THREAD, Thread)
    assert order_messages.MAX_BODY == messages.MAX_BODY == MAX_BODY
