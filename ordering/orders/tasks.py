"""Background work of orders (thin: the work lives in services and the workflow)."""

from celery import shared_task


@shared_task(name="ordering.orders.tasks.advance_switched_off_task")
def advance_switched_off_task():
    from ordering.orders.workflow import advance_switched_off

    return advance_switched_off()


@shared_task(name="ordering.orders.tasks.receipt_confirm_overdue_task")
def receipt_confirm_overdue_task():
    """Per tenant (fanned out daily by beat): confirm receipt after the tenant's N days."""
    from ordering.orders.services.shipments import receipt_confirm_overdue

    return receipt_confirm_overdue()
