"""The message thread of an order: the dealer's company and the staff who may see the
order write to each other; each side sees how many messages it has not read. The
thread's machinery is shared (``ordering.notifications.threads``); this module says who
takes part (``_side``) and what the order's thread is (``THREAD``, also read by
``selectors.order_thread`` and ``selectors.with_unread``)."""

from django.utils.translation import gettext as _

from ordering.customers.services.guards import login_of
from ordering.notifications.threads import MAX_BODY, Thread
from ordering.orders.exceptions import OrderError, OrderNotFoundError, OrderPermissionError
from ordering.orders.models import OrderMessage, OrderThreadRead
from roles.enums import UserKind
from roles.permissions import can_reach, has_perm

__all__ = ["MAX_BODY", "THREAD", "message_post", "thread_open", "thread_read"]


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


def _notify(message):
    from ordering.orders.notify import notify_order_message

    notify_order_message(message)


THREAD = Thread(message_model=OrderMessage, read_model=OrderThreadRead, field="order",
                side=_side, error=OrderError, notify=_notify)


def message_post(*, actor, order, body):
    return THREAD.post(actor=actor, thing=order, body=body)


def thread_open(*, actor, order):
    """The order's messages (oldest first, ``selectors.order_thread``), marked read for
    the actor (one write, and only when something arrived since the actor last read)."""
    return THREAD.open(actor=actor, thing=order)


def thread_read(*, actor, order, at=None):
    """Upsert how far ``actor`` has read (one statement)."""
    THREAD.mark_read(actor=actor, thing=order, at=at)
