from celery import shared_task


@shared_task(name="shared.tasks.platform_metrics_task")
def platform_metrics_task():
    """Beat, hourly, in public: the platform metrics' snapshot of the day (one pass over
    the public tables and one read of every tenant schema's orders)."""
    from django.db import connection

    from shared.services import platform_metrics_refresh

    connection.set_schema_to_public()
    row = platform_metrics_refresh()
    return {"day": row.day.isoformat(), "seconds": row.seconds}
