"""The message thread along an inquiry: the dealer's company and the staff who quote
for the customer write to each other; each side sees how many messages it has not read.
The machinery is the order threads' (``ordering.notifications.threads``); this module
says who takes part and what the inquiry's thread is (``THREAD``, also read by
``selectors.inquiry_list(with_unread=True)``)."""

from ordering.notifications.threads import MAX_BODY, Thread
from ordering.quotes import workflow
from ordering.quotes.exceptions import QuoteError
from ordering.quotes.models import InquiryMessage, InquiryThreadRead

__all__ = ["MAX_BODY", "THREAD", "message_post", "thread_open", "thread_read"]


def _side(actor, inquiry):
    """True for the dealer's side (a login of the inquiry's company, view-only logins
    too), False for staff (``manage_quotes`` reaching the customer); else not found or
    not allowed."""
    if workflow.actor_kind(actor) == workflow.DEALER:
        workflow.dealer_login(actor, inquiry, write=False)
        return True
    workflow.staff_check(actor, inquiry, edit=False)
    return False


def _notify(message):
    from ordering.quotes.notify import notify_inquiry_message

    notify_inquiry_message(message)


THREAD = Thread(message_model=InquiryMessage, read_model=InquiryThreadRead, field="inquiry",
                side=_side, error=QuoteError, notify=_notify)


def message_post(*, actor, inquiry, body):
    """A message on the inquiry from ``actor``; the other side is told."""
    return THREAD.post(actor=actor, thing=inquiry, body=body)


def thread_open(*, actor, inquiry):
    """The inquiry's messages, oldest first (each with ``seen``: when ``actor`` last read
    the thread), marked read for the actor."""
    return THREAD.open(actor=actor, thing=inquiry)


def thread_read(*, actor, inquiry, at=None):
    """Mark the thread read for ``actor`` up to ``at`` (now)."""
    THREAD.mark_read(actor=actor, thing=inquiry, at=at)
