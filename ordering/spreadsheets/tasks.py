"""Background work of spreadsheet imports."""

from celery import shared_task


@shared_task(name="ordering.spreadsheets.tasks.import_jobs_purge_task")
def import_jobs_purge_task():
    """Per tenant (fanned out daily by beat): delete import jobs older than
    ``IMPORT_JOBS_KEEP_DAYS`` days, their row errors and their files."""
    from ordering.spreadsheets.jobs import jobs_purge

    return jobs_purge()
