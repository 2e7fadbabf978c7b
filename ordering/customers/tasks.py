"""Background work of the customers app (thin: the services do the work)."""

from celery import shared_task


@shared_task(name="ordering.customers.tasks.customer_import_task")
def customer_import_task(*, token, dry_run, user_id, language="", ip=None):
    """Check or run a customer import (``services.imports.job_run``)."""
    from ordering.customers.services.imports import job_run

    job_run(token=token, dry_run=dry_run, user_id=user_id, language=language, ip=ip)
