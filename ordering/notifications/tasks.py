from celery import shared_task


@shared_task(name="ordering.notifications.tasks.order_event_notify_task", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_event_notify_task(event_id):
    """Write the in-site notifications of an order event and send their e-mails
    (idempotent: safe to run twice)."""
    from ordering.notifications.services import order_event_deliver

    return order_event_deliver(event_id=event_id)


@shared_task(name="ordering.notifications.tasks.return_event_notify_task", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def return_event_notify_task(event_id):
    from ordering.notifications.services import return_event_deliver

    return return_event_deliver(event_id=event_id)


@shared_task(name="ordering.notifications.tasks.order_message_notify_task", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def order_message_notify_task(message_id):
    from ordering.notifications.services import order_message_deliver

    return order_message_deliver(message_id=message_id)
