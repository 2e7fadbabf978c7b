"""The message thread of an order: the dealer's company and the staff who may see the
order write to each other; each side sees how many messages it has not read
(``selectors.order_thread`` and ``selectors.with_unread`` read them)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordering.orders.exceptions import OrderError, OrderNotFoundError, OrderPermissionError
from ordering.customers.services.guards import login_of
from ordering.orders.models import OrderMessage, OrderThreadRead
from roles.enums import UserKind
from roles.permissions import can_reach, has_perm

MAX_BODY = 2000


def _side(actor, order):
    """True for the dealer's side, False for staff; raises when the actor may not."""
    if getattr(actor, "kind", None) == UserKind.DEALER:
        login = login_of(actor)
        if login is None or login.customer_id != order.customer_id or not actor.is_active:
            raise OrderNotFoundError(_("No such order."))
        return True
    if not has_perm(actor, "view_orders"):
        raise OrderPermissionError(_("You do not have permission to do this."))
    if not can_reach(actor, order):
        raise OrderNotFoundError(_("No such order."))
    return False


@transaction.atomic
def message_post(*, actor, order, body):
    from_dealer = _side(actor, order)
    body = (body or "").strip()
    if not body:
        raise OrderError(_("Write a message."), fields={"body": [_("Write a message.")]})
    if len(body) > MAX_BODY:
        raise OrderError(_("Keep the message under %(n)d characters.") % {"n": MAX_BODY},
                               fields={"body": [_("Too long.")]})
    message = OrderMessage.objects.create(order=order, author=actor, from_dealer=from_dealer,
                                          body=body)
    thread_read(actor=actor, order=order, at=message.created_at)
    from ordering.orders.notify import notify_order_message

    notify_order_message(message)
    return message


def thread_open(*, actor, order):
    """The order's messages (oldest first, ``selectors.order_thread``), marked read for
    the actor (one write, and only when something arrived since the actor last read)."""
    from ordering.orders.selectors import order_thread

    _side(actor, order)
    messages = order_thread(actor=actor, order=order)
    if messages and (messages[-1].seen is None or messages[-1].seen < messages[-1].created_at):
        thread_read(actor=actor, order=order, at=messages[-1].created_at)
    return messages


def thread_read(*, actor, order, at=None):
    """Upsert how far ``actor`` has read (one statement)."""
    OrderThreadRead.objects.bulk_create(
        [OrderThreadRead(order=order, user=actor, read_at=at or timezone.now())],
        update_conflicts=True, unique_fields=["order", "user"], update_fields=["read_at"])


