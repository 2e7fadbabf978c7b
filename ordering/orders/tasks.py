"""Background work of orders (thin: the work lives in services and the workflow)."""

from celery import shared_task

from ordering.notifications.tasks import TASK_OPTIONS


@shared_task(name="ordering.orders.tasks.advance_switched_off_task")
def advance_switched_off_task():
    from ordering.orders.workflow import advance_switched_off

    return advance_switched_off()


@shared_task(name="ordering.orders.tasks.receipt_confirm_overdue_task")
def receipt_confirm_overdue_task():
    """Per tenant (fanned out daily by beat): confirm receipt after the tenant's N days."""
    from ordering.orders.services.shipments import receipt_confirm_overdue

    return receipt_confirm_overdue()


# --- notifications (what they say and to whom: ordering.orders.notify) ---------------

_NOTIFY = TASK_OPTIONS


@shared_task(name="ordering.orders.tasks.order_event_notify_task", **_NOTIFY)
def order_event_notify_task(event_id):
    """Write the in-site notifications of an order event and send their e-mails
    (idempotent: safe to run twice)."""
    from ordering.orders.notify import order_event_deliver

    return order_event_deliver(event_id=event_id)


@shared_task(name="ordering.orders.tasks.return_event_notify_task", **_NOTIFY)
def return_event_notify_task(event_id):
    from ordering.orders.notify import return_event_deliver

    return return_event_deliver(event_id=event_id)


@shared_task(name="ordering.orders.tasks.order_message_notify_task", **_NOTIFY)
def order_message_notify_task(message_id):
    from ordering.orders.notify import order_message_deliver

    return order_message_deliver(message_id=message_id)


# The names these tasks had before they moved here: outbox rows and queued messages
# written under them before the upgrade still run (drop after one release).
@shared_task(name="ordering.notifications.tasks.order_event_notify_task", **_NOTIFY)
def _order_event_notify_task_old(event_id):
    return order_event_notify_task(event_id)


@shared_task(name="ordering.notifications.tasks.return_event_notify_task", **_NOTIFY)
def _return_event_notify_task_old(event_id):
    return return_event_notify_task(event_id)


@shared_task(name="ordering.notifications.tasks.order_message_notify_task", **_NOTIFY)
def _order_message_notify_task_old(message_id):
    return order_message_notify_task(message_id)
