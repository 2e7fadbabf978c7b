"""Who hears of an order, a return or an order message, and what they are told.

``notify_order_event`` is called by the workflow (and shipments, amendments) inside the
order's transaction, ``notify_order_message`` and ``notify_return_event`` by their
services; each only queues its task (``ordering.orders.tasks``) for after the commit.
The task decides the recipients and the words here and hands them to the inbox
(``ordering.notifications.services.deliver``), which writes and e-mails each
notification once.

Recipients:
- the dealer (the login that ordered and the company's primary login): when the order is
  approved at order review, rejected, cancelled by the supplier, amended, shipped, and
  when staff placed it on the dealer's behalf; when a return is decided, received or
  refunded; when staff write in the order's thread;
- staff: when an order arrives at a step they approve (their role has the step's
  permission and the customer is in their scope); a new return (``manage_returns``);
  a dealer's message (the staff on the order, else the order reviewers).
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.notifications import recipients
from ordering.notifications.services import deliver, is_muted
from ordering.orders.enums import EventKind, OrderStatus, ReturnStatus
from roles.enums import UserKind
from roles.permissions import can_reach


def notify_order_event(event):
    if is_muted():
        return
    from ordering.orders.tasks import order_event_notify_task

    enqueue_on_commit(order_event_notify_task, event.pk)


def notify_order_message(message):
    if is_muted():
        return
    from ordering.orders.tasks import order_message_notify_task

    enqueue_on_commit(order_message_notify_task, message.pk)


def notify_return_event(event):
    if is_muted():
        return
    from ordering.orders.tasks import return_event_notify_task

    enqueue_on_commit(return_event_notify_task, event.pk)


def subject_of(order):
    """The inbox's ``subject`` of the notifications about ``order``."""
    return f"order:{order.pk}"


def _dealer_message(event, order):
    kind = event.kind
    if kind == EventKind.SUBMITTED and order.on_behalf:
        return _("%(supplier)s placed order %(number)s for you") % _names(order)
    if kind == EventKind.APPROVED and event.step == OrderStatus.ORDER_REVIEW:
        return _("Order %(number)s was approved") % _names(order)
    if kind == EventKind.REJECTED:
        return _("Order %(number)s was rejected") % _names(order)
    if kind == EventKind.CANCELLED and event.actor_id and _is_staff(event.actor):
        return _("Order %(number)s was cancelled by %(supplier)s") % _names(order)
    if kind == EventKind.AMENDED:
        return _("Order %(number)s was changed by %(supplier)s") % _names(order)
    if kind == EventKind.SHIPPED:
        return _("Order %(number)s has shipped") % _names(order)
    return None


def _is_staff(user):
    return user is not None and user.kind == UserKind.STAFF


def _names(order):
    return {"number": order.number or f"#{order.pk}",
            "supplier": recipients.supplier_name(),
            "customer": order.customer.name}


def order_event_deliver(*, event_id):
    """Notify everyone an order event concerns. Returns how many notifications exist for
    the event (new or from an earlier run)."""
    from ordering.orders.models import OrderEvent
    from ordering.orders.workflow import STEP_BY_STATUS

    event = OrderEvent.objects.filter(pk=event_id).select_related(
        "order", "order__customer", "order__login__user", "actor").first()
    if event is None:
        return 0
    order = event.order
    key, body, subject = f"order-event:{event.pk}", event.reason or "", subject_of(order)
    count = 0
    if _dealer_message(event, order):
        count += deliver(recipients.dealer_users(order), key=key, kind=f"dealer.{event.kind}",
                         title=lambda: _dealer_message(event, order), body=body,
                         link=recipients.link("shop:order-detail", order), subject=subject,
                         skip=event.actor_id)
    step = STEP_BY_STATUS.get(event.to_status)
    if step is not None and step.perm and order.status == event.to_status:
        count += deliver(
            recipients.staff_with(step.perm, order), key=key, kind=f"staff.{step.status}",
            title=lambda: _("Order %(number)s from %(customer)s awaits %(step)s") % {
                **_names(order), "step": str(step.label).lower()},
            body=body, link=recipients.link("dashboard:order-detail", order), subject=subject,
            skip=event.actor_id)
    return count


def _staff_on_order(order):
    """Staff who took part in the order (acted on it or wrote in its thread) and the
    customer's sales rep; if nobody yet, the order reviewers."""
    from ordering.orders.models import OrderEvent, OrderMessage

    ids = set(OrderEvent.objects.filter(order=order, actor__kind=UserKind.STAFF)
              .values_list("actor_id", flat=True))
    ids |= set(OrderMessage.objects.filter(order=order, from_dealer=False)
               .values_list("author_id", flat=True))
    if order.customer.sales_rep_id:
        ids.add(order.customer.sales_rep_id)
    users = [u for u in get_user_model().objects.filter(pk__in=ids - {None}, is_active=True)
             if can_reach(u, order)]
    return users or recipients.staff_with("review_orders", order)


def order_message_deliver(*, message_id):
    from ordering.orders.models import OrderMessage

    message = OrderMessage.objects.filter(pk=message_id).select_related(
        "order", "order__customer", "order__login__user", "author").first()
    if message is None:
        return 0
    order = message.order
    if message.from_dealer:
        users, link = _staff_on_order(order), recipients.link("dashboard:order-detail", order)
    else:
        users, link = recipients.dealer_users(order), recipients.link("shop:order-detail", order)
    author = (message.author.name or message.author.email) if message.author_id else ""
    return deliver(users, key=f"order-message:{message.pk}", kind="message",
                   title=lambda: _("%(author)s wrote about order %(number)s") % {
                       **_names(order), "author": author},
                   body=message.body[:500], link=link, subject=subject_of(order),
                   skip=message.author_id)


def return_event_deliver(*, event_id):
    """A new return tells the staff who handle returns; a decision tells the dealer."""
    from ordering.orders.models import ReturnEvent

    event = ReturnEvent.objects.filter(pk=event_id).select_related(
        "request", "request__order", "request__order__customer",
        "request__order__login__user").first()
    if event is None:
        return 0
    request, order = event.request, event.request.order
    names = {**_names(order), "return": request.number}
    if event.status == ReturnStatus.REQUESTED:
        users = recipients.staff_with("manage_returns", order)
        title_of = lambda: _("Return %(return)s from %(customer)s awaits review") % names  # noqa: E731
        link = recipients.link("dashboard:return-detail", request)
    else:
        users = recipients.dealer_users(order)
        messages = {
            ReturnStatus.APPROVED: lambda: _("Return %(return)s was approved: please send "
                                             "the goods") % names,
            ReturnStatus.REJECTED: lambda: _("Return %(return)s was rejected") % names,
            ReturnStatus.RECEIVED: lambda: _("The goods of return %(return)s arrived") % names,
            ReturnStatus.COMPLETED: lambda: _("Return %(return)s was refunded") % names,
        }
        title_of = messages.get(event.status)
        link = recipients.link("shop:return-detail", request)
        if title_of is None:
            return 0
    return deliver(users, key=f"return-event:{event.pk}", kind=f"return.{event.status}",
                   title=title_of, body=event.note, link=link, subject=subject_of(order),
                   skip=event.actor_id)
