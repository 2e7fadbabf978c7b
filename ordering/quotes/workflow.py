"""The inquiry's workflow, as one table, and the one function that moves an inquiry.

    new → in progress → quoted ⇄ countered → accepted
                     ↘ declined · expired (→ quoted again) · withdrawn

``TRANSITIONS`` says, for each action, the statuses it starts from, where it goes and
who may take it: the dealer (a login of the inquiry's company that may order), staff
(``manage_quotes`` on the customer; when the inquiry is assigned, only the assignee or
someone who works with every customer) or the platform (the expiry task).

``transition()`` is the only code that assigns ``Inquiry.status`` and
``Quotation.status`` (a test greps for it): it locks the inquiry row, checks the
action and the actor, moves the inquiry, settles the latest round's status, writes
an ``InquiryEvent`` and queues its notifications (``ordering.quotes.notify``).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _, pgettext_lazy

from ordering.quotes.enums import DealerStatus, InquiryStatus, RoundStatus
from ordering.quotes.exceptions import (QuoteConflictError, QuoteErrorCode, QuoteNotFoundError,
                                        QuotePermissionError)
from roles.enums import UserKind
from roles.permissions import can_reach, has_perm, sees_all_customers

S = InquiryStatus
DEALER, STAFF, PLATFORM = "dealer", "staff", "platform"

START, QUOTE, COUNTER, ACCEPT, DECLINE, WITHDRAW, EXPIRE = (
    "start", "quote", "counter", "accept", "decline", "withdraw", "expire")


@dataclass(frozen=True)
class Move:
    sources: tuple
    target: str
    actors: frozenset


TRANSITIONS = {
    START: Move((S.NEW,), S.IN_PROGRESS, frozenset({STAFF})),
    QUOTE: Move((S.NEW, S.IN_PROGRESS, S.COUNTERED, S.EXPIRED), S.QUOTED, frozenset({STAFF})),
    COUNTER: Move((S.QUOTED,), S.COUNTERED, frozenset({DEALER})),
    ACCEPT: Move((S.QUOTED,), S.ACCEPTED, frozenset({DEALER, STAFF})),
    DECLINE: Move((S.QUOTED, S.COUNTERED), S.DECLINED, frozenset({DEALER})),
    WITHDRAW: Move((S.NEW, S.IN_PROGRESS, S.QUOTED, S.COUNTERED), S.WITHDRAWN,
                   frozenset({DEALER})),
    EXPIRE: Move((S.QUOTED, S.COUNTERED), S.EXPIRED, frozenset({PLATFORM})),
}
# What the latest round becomes with each action (QUOTE supersedes the previous one).
ROUND_AFTER = {COUNTER: RoundStatus.COUNTERED, ACCEPT: RoundStatus.ACCEPTED,
               DECLINE: RoundStatus.DECLINED, WITHDRAW: RoundStatus.WITHDRAWN,
               EXPIRE: RoundStatus.EXPIRED, QUOTE: RoundStatus.SUPERSEDED}
OPEN_STATUSES = (S.NEW, S.IN_PROGRESS, S.QUOTED, S.COUNTERED)
# set by the selectors on an inquiry read within a staff member's scope (their pk)
SCOPED = "_quotes_scoped_for"

ACTION_LABELS = {
    START: pgettext_lazy("inquiry action", "started"), QUOTE: pgettext_lazy("inquiry action", "quoted"),
    COUNTER: pgettext_lazy("inquiry action", "countered"),
    ACCEPT: pgettext_lazy("inquiry action", "accepted"),
    DECLINE: pgettext_lazy("inquiry action", "declined"),
    WITHDRAW: pgettext_lazy("inquiry action", "withdrawn"),
    EXPIRE: pgettext_lazy("inquiry action", "expired"),
}

_DEALER_STATUS = {
    S.NEW: DealerStatus.SUBMITTED, S.IN_PROGRESS: DealerStatus.SUBMITTED,
    # a quotation waits for the dealer's answer
    S.QUOTED: DealerStatus.NEEDS_ANSWER,
    # quoted, and the dealer's counter-offer is with the supplier
    S.COUNTERED: DealerStatus.QUOTED,
    S.ACCEPTED: DealerStatus.ACCEPTED,
    S.DECLINED: DealerStatus.CLOSED, S.EXPIRED: DealerStatus.CLOSED,
    S.WITHDRAWN: DealerStatus.CLOSED,
}


def dealer_status(status):
    """The dealer's simple status for a working status."""
    return _DEALER_STATUS[S(status)]


def is_open(inquiry):
    return inquiry.status in OPEN_STATUSES


def actor_kind(actor):
    if actor is None:
        return PLATFORM
    return DEALER if getattr(actor, "kind", None) == UserKind.DEALER else STAFF


def dealer_login(actor, inquiry, *, write=True):
    """The dealer's login when it belongs to the inquiry's company (else not found)."""
    from ordering.customers.services.guards import login_of

    login = login_of(actor)
    if login is None or login.customer_id != inquiry.customer_id or not actor.is_active:
        raise QuoteNotFoundError(_("No such inquiry."))
    if write and not login.can_order:
        raise QuotePermissionError(_("Your login can only view."))
    return login


def staff_check(actor, inquiry, *, edit=True):
    """Staff with ``manage_quotes`` reaching the inquiry's customer; to edit an assigned
    inquiry, its assignee or someone who works with every customer."""
    if not has_perm(actor, "manage_quotes"):
        raise QuotePermissionError(_("You do not have permission to do this."))
    if getattr(inquiry, SCOPED, None) != actor.pk and not can_reach(actor, inquiry):
        raise QuoteNotFoundError(_("No such inquiry."))
    if edit and inquiry.assigned_to_id and inquiry.assigned_to_id != actor.pk \
            and not sees_all_customers(actor):
        raise QuotePermissionError(_("This inquiry is assigned to someone else."),
                                   code=QuoteErrorCode.NOT_ASSIGNED)


def check(inquiry, action, actor):
    """Raise unless ``actor`` may take ``action`` on ``inquiry`` now."""
    move = TRANSITIONS[action]
    kind = actor_kind(actor)
    if kind == DEALER:
        dealer_login(actor, inquiry)
    elif kind == STAFF:
        staff_check(actor, inquiry)
    if kind not in move.actors:
        raise QuotePermissionError(_("You do not have permission to do this."))
    if inquiry.status not in move.sources:
        raise QuoteConflictError(
            _("This inquiry is %(status)s: it cannot be %(action)s now.") % {
                "status": inquiry.get_status_display().lower(),
                "action": ACTION_LABELS[action]}, code=QuoteErrorCode.INVALID_TRANSITION)


def may(inquiry, action, actor):
    from core.exceptions import ApplicationError

    try:
        check(inquiry, action, actor)
    except ApplicationError:
        return False
    return True


def lock(inquiry_or_pk):
    """The inquiry, re-read under a row lock (so two transitions queue up)."""
    from ordering.quotes.models import Inquiry

    pk = getattr(inquiry_or_pk, "pk", inquiry_or_pk)
    inquiry = Inquiry.objects.select_for_update().filter(pk=pk).first()
    if inquiry is None:
        raise QuoteNotFoundError(_("No such inquiry."))
    return inquiry


def latest(inquiry):
    return inquiry.quotations.order_by("-version").first()


def transition(*, inquiry, action, actor, reason="", checked=False):
    """Perform ``action`` on ``inquiry`` for ``actor`` (None: the platform) and return
    the inquiry, locked and updated. The caller may hold the lock already and pass the
    locked row with ``checked=True`` after calling ``check`` itself."""
    from ordering.quotes.models import InquiryEvent
    from ordering.quotes.notify import notify_inquiry_event

    with transaction.atomic():
        if not checked:
            inquiry = lock(inquiry)
            check(inquiry, action, actor)
        before, target = inquiry.status, TRANSITIONS[action].target
        current = latest(inquiry)
        if current is not None and action in ROUND_AFTER and current.status in (
                RoundStatus.SENT, RoundStatus.COUNTERED):  # an expired round stays so
            current.status = ROUND_AFTER[action]
            current.save(update_fields=["status"])
        inquiry.status = target
        inquiry.save(update_fields=["status", "updated_at"])
        event = InquiryEvent.objects.create(inquiry=inquiry, action=action, from_status=before,
                                            to_status=target, reason=(reason or "").strip(),
                                            actor=actor if getattr(actor, "pk", None) else None)
        notify_inquiry_event(event)  # queued for after the commit
    return inquiry
