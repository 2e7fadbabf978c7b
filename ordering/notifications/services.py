"""Who hears of an order event, and telling them: in the site and by e-mail, in each
recipient's language, once.

``notify_order_event`` is called by the workflow (and shipments, amendments) inside the
order's transaction; it only queues ``order_event_notify_task`` for after the commit.
The task writes one ``Notification`` per recipient (unique on recipient + event, so a
retried task writes nothing twice) and e-mails each one whose ``emailed_at`` is empty,
under a row lock (two runs at once send once).

Recipients:
- the dealer (the login that ordered and the company's primary login): when the order is
  approved at order review, rejected, cancelled by the supplier, amended, shipped, and
  when staff placed it on the dealer's behalf;
- staff: when an order arrives at a step they approve (their role has the step's
  permission and the customer is in their scope).
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.notifications.models import Notification
from roles.enums import UserKind
from roles.permissions import can_reach

log = logging.getLogger(__name__)


_muted = threading.local()


@contextmanager
def muted():
    """Record events without telling anyone (loading demo history, data migrations)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def notify_order_event(event):
    if getattr(_muted, "on", False):
        return
    from ordering.notifications.tasks import order_event_notify_task

    enqueue_on_commit(order_event_notify_task, event.pk)


def notify_order_message(message):
    if getattr(_muted, "on", False):
        return
    from ordering.notifications.tasks import order_message_notify_task

    enqueue_on_commit(order_message_notify_task, message.pk)


def notify_return_event(event):
    if getattr(_muted, "on", False):
        return
    from ordering.notifications.tasks import return_event_notify_task

    enqueue_on_commit(return_event_notify_task, event.pk)


def _dealer_users(order):
    users = {}
    if order.login_id and order.login.user.is_active:
        users[order.login.user_id] = order.login.user
    for login in order.customer.logins.filter(is_primary=True).select_related("user"):
        if login.user.is_active:
            users[login.user_id] = login.user
    return list(users.values())


def _staff_for(order, perm):
    candidates = get_user_model().objects.filter(
        kind=UserKind.STAFF, is_active=True, groups__permissions__codename=perm,
        groups__permissions__content_type__app_label="roles").distinct()
    return [user for user in candidates if can_reach(user, order)]


def _dealer_message(event, order):
    from ordering.orders.enums import EventKind, OrderStatus

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
    from django.db import connection

    return {"number": order.number or f"#{order.pk}",
            "supplier": getattr(connection.tenant, "name", ""),
            "customer": order.customer.name}


def _link(name, order):
    try:
        return reverse(name, args=[order.pk])
    except NoReverseMatch:
        return ""


def _language(user):
    from django.db import connection

    return (getattr(user, "preferred_language", "") or
            getattr(connection.tenant, "default_language", "") or settings.LANGUAGE_CODE)


def _deliver(users, *, key, kind, title, body, link, order, skip=None):
    """One notification per user (``title()`` in the user's language), written once per
    ``key`` and e-mailed once; ``skip`` is the user who caused it. Returns how many."""
    count = 0
    for user in users:
        if user.pk == skip:
            continue
        with translation.override(_language(user)):
            text = str(title())
        note, created = Notification.objects.get_or_create(
            recipient=user, key=key, defaults={"kind": kind, "title": text, "body": body,
                                               "link": link, "order": order})
        if created:
            forget_unread(user.pk)
        count += 1
        _email(note, user)
    return count


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
    key, body = f"order-event:{event.pk}", event.reason or ""
    count = 0
    if _dealer_message(event, order):
        count += _deliver(_dealer_users(order), key=key, kind=f"dealer.{event.kind}",
                          title=lambda: _dealer_message(event, order), body=body,
                          link=_link("shop:order-detail", order), order=order,
                          skip=event.actor_id)
    step = STEP_BY_STATUS.get(event.to_status)
    if step is not None and step.perm and order.status == event.to_status:
        count += _deliver(
            _staff_for(order, step.perm), key=key, kind=f"staff.{step.status}",
            title=lambda: _("Order %(number)s from %(customer)s awaits %(step)s") % {
                **_names(order), "step": str(step.label).lower()},
            body=body, link=_link("dashboard:order-detail", order), order=order,
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
    return users or _staff_for(order, "review_orders")


def order_message_deliver(*, message_id):
    from ordering.orders.models import OrderMessage

    message = OrderMessage.objects.filter(pk=message_id).select_related(
        "order", "order__customer", "order__login__user", "author").first()
    if message is None:
        return 0
    order = message.order
    if message.from_dealer:
        users, link = _staff_on_order(order), _link("dashboard:order-detail", order)
    else:
        users, link = _dealer_users(order), _link("shop:order-detail", order)
    author = (message.author.name or message.author.email) if message.author_id else ""
    return _deliver(users, key=f"order-message:{message.pk}", kind="message",
                    title=lambda: _("%(author)s wrote about order %(number)s") % {
                        **_names(order), "author": author},
                    body=message.body[:500], link=link, order=order, skip=message.author_id)


def return_event_deliver(*, event_id):
    """A new return tells the staff who handle returns; a decision tells the dealer."""
    from ordering.orders.enums import ReturnStatus
    from ordering.orders.models import ReturnEvent

    event = ReturnEvent.objects.filter(pk=event_id).select_related(
        "request", "request__order", "request__order__customer",
        "request__order__login__user").first()
    if event is None:
        return 0
    request, order = event.request, event.request.order
    names = {**_names(order), "return": request.number}
    if event.status == ReturnStatus.REQUESTED:
        users = _staff_for(order, "manage_returns")
        title_of = lambda: _("Return %(return)s from %(customer)s awaits review") % names  # noqa: E731
        link = _link("dashboard:return-detail", request)
    else:
        users = _dealer_users(order)
        messages = {
            ReturnStatus.APPROVED: lambda: _("Return %(return)s was approved: please send "
                                             "the goods") % names,
            ReturnStatus.REJECTED: lambda: _("Return %(return)s was rejected") % names,
            ReturnStatus.RECEIVED: lambda: _("The goods of return %(return)s arrived") % names,
            ReturnStatus.COMPLETED: lambda: _("Return %(return)s was refunded") % names,
        }
        title_of = messages.get(event.status)
        link = _link("shop:return-detail", request)
        if title_of is None:
            return 0
    return _deliver(users, key=f"return-event:{event.pk}", kind=f"return.{event.status}",
                    title=title_of, body=event.note, link=link, order=order,
                    skip=event.actor_id)


def _email(note, user):
    """Send the notification's e-mail once (row lock: two runs at once send once)."""
    if not user.email:
        return
    with transaction.atomic():
        locked = Notification.objects.select_for_update().filter(pk=note.pk,
                                                                 emailed_at__isnull=True).first()
        if locked is None:
            return
        from django.db import connection

        host = getattr(connection.tenant, "host", "") or ""
        context = {"title": locked.title, "body": locked.body, "name": user.name or user.email,
                   "url": f"https://{host}{locked.link}" if host and locked.link else ""}
        with translation.override(_language(user)):
            subject = " ".join(render_to_string("email/order_event_subject.txt", context).split())
            text = render_to_string("email/order_event_body.txt", context)
        EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])


# --- the message centre -----------------------------------------------------------------


def _unread_key(user_id):
    from django.db import connection

    return f"notifications:unread:{connection.schema_name}:{user_id}"


def forget_unread(user_id):
    """Drop the cached unread count (a notification was written or read)."""
    from django.core.cache import cache

    cache.delete(_unread_key(user_id))
    transaction.on_commit(lambda: cache.delete(_unread_key(user_id)), robust=True)


def unread_count(user):
    """The bell's number: cached per user (every page shows it), dropped on change."""
    from django.core.cache import cache

    if not getattr(user, "is_authenticated", False):
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, 300)
    return count


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)


def mark_read(*, user, pk=None):
    """Mark one notification (or all of the user's) read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    changed = qs.update(read_at=timezone.now())
    if changed:
        forget_unread(user.pk)
    return changed
