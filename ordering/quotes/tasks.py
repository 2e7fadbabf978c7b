"""Background work of quotations (thin: the work lives in services)."""

from celery import shared_task


@shared_task(name="ordering.quotes.tasks.quotations_expire_task")
def quotations_expire_task():
    """Per tenant (fanned out hourly by beat): close quotations past their validity."""
    from ordering.quotes.services import quotations_expire

    return quotations_expire()
