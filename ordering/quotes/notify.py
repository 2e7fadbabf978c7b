"""Who hears of an inquiry, a quotation or an inquiry message, and what they are told.

``notify_inquiry_event`` is called by ``workflow.transition`` (every status change)
inside the inquiry's transaction, ``notify_inquiry_notice`` by the services for what
is not a status change (a new inquiry, an assignment), ``notify_inquiry_message`` by
the thread; each only queues its task (``ordering.quotes.tasks``) for after the commit.
The task decides the recipients and the words here and hands them to the inbox
(``ordering.notifications.services.deliver``), which writes and e-mails each
notification once per key. ``quotation_reminders`` (a periodic task per tenant) tells
the dealer two days before its quotation's last valid day, once per version.

Recipients:
- the dealer (the login that asked and the company's primary login): a quotation sent,
  a reminder before it expires, its expiry, an acceptance by staff on its behalf, a
  message from staff;
- the staff on the inquiry: its assignee, else everyone with ``manage_quotes`` who
  reaches the customer: a new inquiry, a counter-offer, a decline, a withdrawal, an
  acceptance, a message from the dealer;
- the assignee, when an inquiry is assigned to them.
Nobody is told of their own doing.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.notifications import recipients
from ordering.notifications.services import deliver, is_muted
from ordering.quotes import workflow
from ordering.quotes.enums import InquiryStatus
from roles.permissions import can_reach, has_perm

DEALER_PAGE, STAFF_PAGE = "shop:inquiry-detail", "dashboard:inquiry-detail"
EMAIL_TEMPLATE = "email/inquiry_event"
CREATED, ASSIGNED = "created", "assigned"
REMIND_DAYS = 2  # the dealer is reminded on valid_until - 2 days


# --- queued from the services and the workflow -------------------------------------------


def notify_inquiry_event(event):
    if is_muted():
        return
    from ordering.quotes.tasks import inquiry_event_notify_task

    enqueue_on_commit(inquiry_event_notify_task, event.pk)


def notify_inquiry_notice(inquiry, what, *, actor=None, user=None):
    """A new inquiry (``CREATED``) or an assignment to ``user`` (``ASSIGNED``). The key is
    fixed now: a task run twice tells once, a second assignment tells again."""
    if is_muted():
        return
    from ordering.quotes.tasks import inquiry_notice_task

    key = f"inquiry-{what}:{inquiry.pk}"
    if what == ASSIGNED:
        key += f":{getattr(user, 'pk', '')}:{int(inquiry.updated_at.timestamp() * 1e6)}"
    enqueue_on_commit(inquiry_notice_task, inquiry.pk, what, key,
                      getattr(actor, "pk", None), getattr(user, "pk", None))


def notify_inquiry_message(message):
    if is_muted():
        return
    from ordering.quotes.tasks import inquiry_message_notify_task

    enqueue_on_commit(inquiry_message_notify_task, message.pk)


# --- whom -------------------------------------------------------------------------------


def subject_of(inquiry):
    """The inbox's ``subject`` of the notifications about ``inquiry``."""
    return f"inquiry:{inquiry.pk}"


def _quoting_staff(inquiry):
    """The inquiry's assignee (while they may still quote for the customer), else the
    staff with ``manage_quotes`` who reach the customer."""
    assignee = inquiry.assigned_to
    if assignee is not None and assignee.is_active and has_perm(assignee, "manage_quotes") \
            and can_reach(assignee, inquiry):
        return [assignee]
    return recipients.staff_with("manage_quotes", inquiry)


def _names(inquiry, **more):
    return {"number": inquiry.number, "customer": inquiry.customer.name,
            "supplier": recipients.supplier_name(), **more}


def _load(queryset, pk):
    return queryset.filter(pk=pk).select_related(
        "inquiry", "inquiry__customer", "inquiry__login__user", "inquiry__assigned_to").first()


def _tell_dealer(inquiry, *, key, kind, title, body="", skip=None):
    return deliver(recipients.dealer_users(inquiry), key=key, kind=kind, title=title,
                   body=body, link=recipients.link(DEALER_PAGE, inquiry),
                   subject=subject_of(inquiry), skip=skip, email_template=EMAIL_TEMPLATE)


def _tell_staff(users, inquiry, *, key, kind, title, body="", skip=None):
    return deliver(users, key=key, kind=kind, title=title, body=body,
                   link=recipients.link(STAFF_PAGE, inquiry), subject=subject_of(inquiry),
                   skip=skip, email_template=EMAIL_TEMPLATE)


# --- what -------------------------------------------------------------------------------

_STAFF_TITLES = {
    workflow.COUNTER: lambda n: _("%(customer)s countered quotation %(number)s") % n,
    workflow.DECLINE: lambda n: _("%(customer)s declined quotation %(number)s") % n,
    workflow.WITHDRAW: lambda n: _("%(customer)s withdrew inquiry %(number)s") % n,
    workflow.ACCEPT: lambda n: _("Quotation %(number)s from %(customer)s was accepted") % n,
}


def inquiry_event_deliver(*, event_id):
    """Notify everyone an inquiry's status change concerns. Returns how many
    notifications exist for the event (new or from an earlier run)."""
    from ordering.quotes.models import InquiryEvent, Quotation

    event = _load(InquiryEvent.objects.select_related("actor"), event_id)
    if event is None:
        return 0
    inquiry, action = event.inquiry, event.action
    key, body, count = f"inquiry-event:{event.pk}", event.reason, 0
    if action == workflow.QUOTE:
        # the version this event sent: versions are numbered by the quote events
        number = InquiryEvent.objects.filter(inquiry=inquiry, action=workflow.QUOTE,
                                             pk__lte=event.pk).count()
        quotation = Quotation.objects.filter(inquiry=inquiry, version=number).first()
        if quotation is None:
            return 0
        names = _names(inquiry, version=number, date=quotation.valid_until.isoformat())
        count += _tell_dealer(
            inquiry, key=key, kind="quote.quoted", body=quotation.note, skip=event.actor_id,
            title=lambda: _("%(supplier)s sent quotation %(number)s (version %(version)s), "
                            "valid until %(date)s") % names)
    elif action == workflow.EXPIRE:
        count += _tell_dealer(inquiry, key=key, kind="quote.expired", skip=event.actor_id,
                              title=lambda: _("Quotation %(number)s has expired: ask "
                                              "%(supplier)s for a new one") % _names(inquiry))
    if action == workflow.EXPIRE and event.from_status == InquiryStatus.COUNTERED:
        # the dealer's counter-offer waited for the supplier until the quotation ran out
        count += _tell_staff(_quoting_staff(inquiry), inquiry, key=key, kind="quote.expired",
                             title=lambda: _("Quotation %(number)s for %(customer)s expired "
                                             "with its counter-offer unanswered") %
                             _names(inquiry))
    if action in _STAFF_TITLES:
        count += _tell_staff(_quoting_staff(inquiry), inquiry, key=key, kind=f"quote.{action}",
                             body=body, skip=event.actor_id,
                             title=lambda: _STAFF_TITLES[action](_names(inquiry)))
    if action == workflow.ACCEPT and workflow.actor_kind(event.actor) == workflow.STAFF:
        count += _tell_dealer(inquiry, key=key, kind="quote.accepted", skip=event.actor_id,
                              title=lambda: _("%(supplier)s accepted quotation %(number)s "
                                              "for you") % _names(inquiry))
    return count


def inquiry_notice_deliver(*, inquiry_id, what, key, actor_id=None, user_id=None):
    """A new inquiry tells the staff on it; an assignment tells the assignee (while the
    inquiry is still theirs)."""
    from ordering.quotes.models import Inquiry

    inquiry = Inquiry.objects.filter(pk=inquiry_id).select_related(
        "customer", "assigned_to").first()
    if inquiry is None:
        return 0
    if what == CREATED:
        users, title = _quoting_staff(inquiry), lambda: _(
            "New inquiry %(number)s from %(customer)s") % _names(inquiry)
    elif what == ASSIGNED and user_id and inquiry.assigned_to_id == user_id:
        users, title = [inquiry.assigned_to], lambda: _(
            "Inquiry %(number)s from %(customer)s was assigned to you") % _names(inquiry)
    else:
        return 0
    return _tell_staff(users, inquiry, key=key, kind=f"quote.{what}", title=title,
                       body=inquiry.note if what == CREATED else "", skip=actor_id)


def inquiry_message_deliver(*, message_id):
    """A message tells the other side: staff write to the dealer's people; the dealer
    writes to the staff on the inquiry."""
    from ordering.quotes.models import InquiryMessage

    message = _load(InquiryMessage.objects.select_related("author"), message_id)
    if message is None:
        return 0
    inquiry = message.inquiry
    author = (message.author.name or message.author.email) if message.author_id else ""
    options = {"key": f"inquiry-message:{message.pk}", "kind": "message",
               "body": message.body[:500], "skip": message.author_id,
               "title": lambda: _("%(author)s wrote about inquiry %(number)s") % _names(
                   inquiry, author=author)}
    if message.from_dealer:
        return _tell_staff(_quoting_staff(inquiry), inquiry, **options)
    return _tell_dealer(inquiry, **options)


# --- the reminder before expiry ----------------------------------------------------------


def quotation_reminders(*, today=None):
    """Tell the dealer of each quotation waiting for its answer that it expires soon: on
    its last valid day minus ``REMIND_DAYS`` (or a later day up to the last one, when
    the task did not run that day), unless the version was sent on or after that day
    (its own notification gave the date). Once per version (the inbox's key); safe to
    run every hour. Returns how many quotations were reminded (now or earlier)."""
    from ordering.quotes.enums import InquiryStatus, RoundStatus
    from ordering.quotes.models import Quotation

    today = today or timezone.localdate()
    due = Quotation.objects.filter(
        status=RoundStatus.SENT, inquiry__status=InquiryStatus.QUOTED,
        valid_until__gte=today, valid_until__lte=today + timedelta(days=REMIND_DAYS),
    ).select_related("inquiry", "inquiry__customer", "inquiry__login__user").order_by("pk")
    reminded = 0
    for quotation in due:
        remind_on = quotation.valid_until - timedelta(days=REMIND_DAYS)
        if quotation.created_at >= timezone.make_aware(datetime.combine(remind_on, time.min)):
            continue
        inquiry = quotation.inquiry
        names = _names(inquiry, date=quotation.valid_until.isoformat())
        _tell_dealer(inquiry, key=f"quotation-reminder:{quotation.pk}", kind="quote.expiring",
                     title=lambda: _("Quotation %(number)s is valid until %(date)s: answer "
                                     "it before it expires") % names)
        reminded += 1
    return reminded
