"""Notifications of inquiries and quotations: who hears of each step (and who does not),
in the recipient's language, written and e-mailed once even when a task runs twice; the
reminder two days before a quotation's last valid day, once per version."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import trans_real

from ordering.notifications.models import Notification
from ordering.quotes import notify, services, workflow
from ordering.quotes.models import InquiryEvent, Quotation
from tests.factories.roles import staff_with_roles
from tests.quotes.conftest import accept, answer, ask, soon

pytestmark = pytest.mark.usefixtures("mailbox")


@pytest.fixture
def other_rep(shop):
    """A sales rep who does not work with Gold Trading."""
    return staff_with_roles("sales_rep", email="rep2@acme.example")


def _titles(user, kind=None):
    notes = Notification.objects.filter(recipient=user)
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes.order_by("id").values_list("title", flat=True))


def _page(name, inquiry):
    try:
        return reverse(name, args=[inquiry.pk])
    except NoReverseMatch:  # the page is not built yet
        return ""


def _mailed():
    return sorted(message.to[0] for message in mail.outbox)


def test_a_new_inquiry_tells_the_staff_who_quote_for_the_customer(shop, run, other_rep):
    inquiry = run(ask, shop, note="For the fair")
    title = f"New inquiry {inquiry.number} from Gold Trading"
    assert _titles(shop.staff.admin) == [title] and _titles(shop.staff.sales) == [title]
    for user in (other_rep, shop.staff.reviewer, shop.staff.warehouse, shop.dana.user,
                 shop.olga.user):
        assert _titles(user) == []
    note = Notification.objects.get(recipient=shop.staff.sales)
    assert (note.kind, note.body, note.subject, note.link) == (
        "quote.created", "For the fair", f"inquiry:{inquiry.pk}",
        _page("dashboard:inquiry-detail", inquiry))
    sent = set(_mailed())
    assert {"admin@acme.example", "rep@acme.example"} <= sent  # and the tenant's owner
    assert not sent & {"rep2@acme.example", "rev@acme.example", "wh@acme.example",
                       "dana@gold.example", "olga@other.example"}
    assert "Open the order" not in mail.outbox[0].body
    # Other Stores' inquiry: the rep does not work with that customer
    other = run(ask, shop, actor=shop.olga.user)
    assert len(_titles(shop.staff.admin)) == 2 and len(_titles(shop.staff.sales)) == 1
    assert other.number in _titles(shop.staff.admin)[1]


def test_an_assignment_tells_the_assignee_and_then_only_they_hear(shop, run, other_rep):
    inquiry = run(ask, shop)
    Notification.objects.all().delete()
    run(services.inquiry_assign, actor=shop.staff.admin, inquiry=inquiry,
        assignee=shop.staff.sales)
    assert _titles(shop.staff.sales) == [
        f"Inquiry {inquiry.number} from Gold Trading was assigned to you"]
    assert _titles(shop.staff.admin) == []  # its own doing
    run(services.inquiry_assign, actor=shop.staff.admin, inquiry=inquiry,
        assignee=shop.staff.admin)
    run(services.inquiry_assign, actor=shop.staff.admin, inquiry=inquiry,
        assignee=shop.staff.sales)
    assert len(_titles(shop.staff.sales, "quote.assigned")) == 2  # assigned again: told again
    assert _titles(shop.staff.admin) == []
    quotation = run(answer, shop, inquiry, actor=shop.staff.sales)
    run(services.quotation_counter, actor=shop.dana.user, inquiry=inquiry,
        counters=[{"line": quotation.lines.first().pk, "wanted_price": "7.00"}])
    assert _titles(shop.staff.sales, "quote.counter") == [
        f"Gold Trading countered quotation {inquiry.number}"]
    for user in (shop.staff.admin, other_rep):  # only the assignee hears
        assert _titles(user, "quote.counter") == []


def test_a_quotation_tells_the_dealer_in_its_language(shop, run, monkeypatch):
    # a Chinese wording for the test (the catalog is translated after merging)
    catalog = trans_real.translation("zh-hans")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "%(supplier)s sent quotation %(number)s (version "
                        "%(version)s), valid until %(date)s",
                        "%(supplier)s 发来报价单 %(number)s（第 %(version)s 版），有效期至 %(date)s")
    shop.dana.user.preferred_language = "zh-hans"
    shop.dana.user.save(update_fields=["preferred_language"])
    shop.viewer.user.preferred_language = "en"
    shop.viewer.user.save(update_fields=["preferred_language"])
    inquiry = run(ask, shop)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(answer, shop, inquiry, valid_until=soon(10), note="Prices include the crates")
    until = soon(10).isoformat()
    note = Notification.objects.get(recipient=shop.dana.user)
    assert note.title == f"Acme Beverages 发来报价单 {inquiry.number}（第 1 版），有效期至 {until}"
    assert (note.kind, note.body, note.link) == (
        "quote.quoted", "Prices include the crates", _page("shop:inquiry-detail", inquiry))
    assert _mailed() == ["dana@gold.example"]
    assert "报价单" in mail.outbox[0].subject
    # the view-only login did not ask and is not the primary; another company hears nothing;
    # the staff who quoted are not told of their own quotation
    for user in (shop.viewer.user, shop.olga.user, shop.staff.admin, shop.staff.sales):
        assert _titles(user) == []
    # a second version says so
    run(services.quotation_counter, actor=shop.dana.user, inquiry=inquiry,
        counters=[{"line": Quotation.objects.get().lines.first().pk, "wanted_price": "7"}])
    shop.dana.user.preferred_language = "en"
    shop.dana.user.save(update_fields=["preferred_language"])
    run(answer, shop, inquiry, valid_until=soon(12))
    assert _titles(shop.dana.user, "quote.quoted")[-1] == (
        f"Acme Beverages sent quotation {inquiry.number} (version 2), valid until "
        f"{soon(12).isoformat()}")


@pytest.mark.parametrize("step, title", [
    ("counter", "Gold Trading countered quotation {number}"),
    ("decline", "Gold Trading declined quotation {number}"),
    ("withdraw", "Gold Trading withdrew inquiry {number}"),
    ("accept", "Quotation {number} from Gold Trading was accepted"),
])
def test_the_dealers_answer_tells_the_staff_who_quote_for_it(shop, run, other_rep, step, title):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    if step == "counter":
        run(services.quotation_counter, actor=shop.dana.user, inquiry=inquiry,
            counters=[{"line": quotation.lines.first().pk, "wanted_price": "7.00"}])
    elif step == "decline":
        run(services.quotation_decline, actor=shop.dana.user, inquiry=inquiry,
            reason="Too dear")
    elif step == "withdraw":
        run(services.inquiry_withdraw, actor=shop.dana.user, inquiry=inquiry)
    else:
        run(accept, shop, inquiry)
    expected = [title.format(number=inquiry.number)]
    kind = f"quote.{step}"
    assert _titles(shop.staff.admin, kind) == expected
    assert _titles(shop.staff.sales, kind) == expected
    for user in (other_rep, shop.staff.reviewer, shop.dana.user, shop.olga.user):
        assert _titles(user, kind) == []
    if step == "decline":
        assert Notification.objects.get(recipient=shop.staff.sales, kind=kind).body == "Too dear"


def test_staff_accepting_on_the_dealers_behalf_tells_the_dealer_too(shop, run):
    inquiry = ask(shop)
    answer(shop, inquiry)
    run(accept, shop, inquiry, actor=shop.staff.sales)
    assert _titles(shop.dana.user, "quote.accepted") == [
        f"Acme Beverages accepted quotation {inquiry.number} for you"]
    assert _titles(shop.staff.admin, "quote.accept") == [
        f"Quotation {inquiry.number} from Gold Trading was accepted"]
    assert _titles(shop.staff.sales, "quote.accept") == []  # its own doing
    # the dealer accepting itself is not told of its own doing
    second = ask(shop)
    answer(shop, second, decline_crate=True)
    run(accept, shop, second)
    assert len(_titles(shop.dana.user, "quote.accepted")) == 1


def test_expiry_tells_the_dealer(shop, run):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    assert run(services.quotations_expire) == 1
    assert _titles(shop.dana.user, "quote.expired") == [
        f"Quotation {inquiry.number} has expired: ask Acme Beverages for a new one"]
    assert _titles(shop.staff.admin, "quote.expired") == []
    assert _titles(shop.olga.user) == []


def test_a_task_that_runs_twice_notifies_and_emails_once(shop, run):
    inquiry = run(ask, shop)
    run(answer, shop, inquiry)
    event = InquiryEvent.objects.get(inquiry=inquiry, action=workflow.QUOTE)
    before = (Notification.objects.count(), len(mail.outbox))
    assert Notification.objects.filter(key=f"inquiry-event:{event.pk}").count() == 1
    assert notify.inquiry_event_deliver(event_id=event.pk) == 1
    assert notify.inquiry_event_deliver(event_id=event.pk) == 1
    key = Notification.objects.get(kind="quote.created", recipient=shop.staff.sales).key
    told = Notification.objects.filter(key=key).count()
    assert told >= 2  # the administrators and the rep
    assert notify.inquiry_notice_deliver(inquiry_id=inquiry.pk, what=notify.CREATED,
                                         key=key) == told
    assert (Notification.objects.count(), len(mail.outbox)) == before
    assert notify.inquiry_event_deliver(event_id=0) == 0


def test_nobody_hears_while_muted(shop, run):
    from ordering.notifications.services import muted

    with muted():
        inquiry = run(ask, shop)
        run(answer, shop, inquiry)
    assert not Notification.objects.exists() and mail.outbox == []


# --- the reminder before expiry ----------------------------------------------------------


def _sent_days_ago(quotation, days=7):
    Quotation.objects.filter(pk=quotation.pk).update(
        created_at=timezone.now() - timedelta(days=days))


def test_the_dealer_is_reminded_two_days_before_once_per_version(shop, run):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry, valid_until=soon(2))
    _sent_days_ago(quotation)
    Notification.objects.all().delete()
    later = ask(shop)
    _sent_days_ago(answer(shop, later, valid_until=soon(3)))  # not yet
    assert notify.quotation_reminders() == 1
    assert notify.quotation_reminders() == 1  # hourly: the same reminder, not a new one
    reminder = Notification.objects.get(kind="quote.expiring")
    assert reminder.recipient == shop.dana.user
    assert reminder.title == (f"Quotation {inquiry.number} is valid until "
                              f"{soon(2).isoformat()}: answer it before it expires")
    assert reminder.key == f"quotation-reminder:{quotation.pk}"
    assert _mailed() == ["dana@gold.example"]
    # the day after, still once; a day the task missed is caught up the next day
    assert notify.quotation_reminders(today=timezone.localdate() + timedelta(days=1)) == 2
    assert Notification.objects.filter(kind="quote.expiring").count() == 2
    assert _mailed() == ["dana@gold.example", "dana@gold.example"]
    # a new version is a new quotation: reminded again when its day comes
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": quotation.lines.first().pk, "wanted_price": "7"}])
    _sent_days_ago(answer(shop, inquiry, valid_until=soon(2)))
    assert notify.quotation_reminders() == 1
    assert Notification.objects.filter(recipient=shop.dana.user,
                                       kind="quote.expiring").count() == 3


def test_no_reminder_for_answered_expired_or_just_sent_quotations(shop, run):
    accepted, countered, expired, fresh = (ask(shop) for _ in range(4))
    for inquiry in (accepted, countered, expired):
        _sent_days_ago(answer(shop, inquiry, valid_until=soon(2)))
    accept(shop, accepted)
    services.quotation_counter(actor=shop.dana.user, inquiry=countered, counters=[
        {"line": countered.quotations.get().lines.first().pk, "wanted_price": "7"}])
    Quotation.objects.filter(inquiry=expired).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    services.quotations_expire()
    answer(shop, fresh, valid_until=soon(2))  # sent today: its own notice gave the date
    assert notify.quotation_reminders() == 0
    assert not Notification.objects.filter(kind="quote.expiring").exists()


def test_the_reminder_task_is_fanned_out_to_every_tenant():
    entry = settings.CELERY_BEAT_SCHEDULE["quotes-remind"]
    assert entry["task"] == "tenants.tasks.fan_out_task"
    assert entry["args"] == ["ordering.quotes.tasks.quotation_reminders_task"]
    from ordering.quotes.tasks import quotation_reminders_task

    assert quotation_reminders_task.name == entry["args"][0]


def test_a_counter_offer_left_unanswered_until_expiry_tells_the_staff_too(shop, run):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": quotation.lines.first().pk, "wanted_price": "7.00"}])
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.sales)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    assert run(services.quotations_expire) == 1
    assert _titles(shop.staff.sales, "quote.expired") == [
        f"Quotation {inquiry.number} for Gold Trading expired with its counter-offer "
        "unanswered"]
    assert len(_titles(shop.dana.user, "quote.expired")) == 1
    assert _titles(shop.olga.user) == []
