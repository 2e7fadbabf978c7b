"""Background work of the catalog (thin: the work lives in services)."""

from celery import shared_task


@shared_task
def thumbnail_task(image_id):
    from ordering.catalog.services.images import thumbnail_make

    return thumbnail_make(image_id=image_id)


@shared_task(name="ordering.catalog.tasks.catalog_import_task")
def catalog_import_task(*, token, dry_run, user_id, language="", ip=None):
    """Check or run a catalog import (``services.imports.job_run``)."""
    from ordering.catalog.services.imports import job_run

    job_run(token=token, dry_run=dry_run, user_id=user_id, language=language, ip=ip)
