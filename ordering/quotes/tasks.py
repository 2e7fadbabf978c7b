"""Background work of quotations (thin: the work lives in services and in
``ordering.quotes.notify``)."""

from celery import shared_task

from ordering.notifications.tasks import TASK_OPTIONS


@shared_task(name="ordering.quotes.tasks.quotations_expire_task")
def quotations_expire_task():
    """Per tenant (fanned out hourly by beat): close quotations past their validity."""
    from ordering.quotes.services import quotations_expire

    return quotations_expire()


@shared_task(name="ordering.quotes.tasks.quotation_reminders_task")
def quotation_reminders_task():
    """Per tenant (fanned out hourly by beat): remind dealers of quotations about to
    expire (once per version, however often it runs)."""
    from ordering.quotes.notify import quotation_reminders

    return quotation_reminders()


# --- notifications (what they say and to whom: ordering.quotes.notify) ---------------


@shared_task(name="ordering.quotes.tasks.inquiry_event_notify_task", **TASK_OPTIONS)
def inquiry_event_notify_task(event_id):
    """Write the in-site notifications of an inquiry's status change and send their
    e-mails (idempotent: safe to run twice)."""
    from ordering.quotes.notify import inquiry_event_deliver

    return inquiry_event_deliver(event_id=event_id)


@shared_task(name="ordering.quotes.tasks.inquiry_notice_task", **TASK_OPTIONS)
def inquiry_notice_task(inquiry_id, what, key, actor_id=None, user_id=None):
    from ordering.quotes.notify import inquiry_notice_deliver

    return inquiry_notice_deliver(inquiry_id=inquiry_id, what=what, key=key,
                                  actor_id=actor_id, user_id=user_id)


@shared_task(name="ordering.quotes.tasks.inquiry_message_notify_task", **TASK_OPTIONS)
def inquiry_message_notify_task(message_id):
    from ordering.quotes.notify import inquiry_message_deliver

    return inquiry_message_deliver(message_id=message_id)
