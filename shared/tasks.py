"""Background jobs of the public schema's own domain (thin: they call services)."""

from celery import shared_task


@shared_task(name="shared.tasks.tenant_export_task")
def tenant_export_task(export_id):
    """Queued by ``shared.exports.export_request`` (in public): make the export's zip."""
    from shared.exports import export_run

    export = export_run(export_id)
    return export.status if export is not None else None


@shared_task(name="shared.tasks.tenant_exports_purge_task")
def tenant_exports_purge_task():
    """Beat, hourly, in public: remove expired export files and abandoned work folders."""
    from shared.exports import exports_purge

    return exports_purge()


@shared_task(name="shared.tasks.impersonations_expire_task")
def impersonations_expire_task():
    """Beat, every 10 minutes, in public: close the support sessions whose time ran out
    without a further request (each tenant's audit log gets its "ended" entry)."""
    from shared.impersonation import impersonations_expire

    return impersonations_expire()


@shared_task(name="shared.tasks.platform_metrics_task")
def platform_metrics_task():
    """Beat, hourly, in public: the platform metrics' snapshot of the day (one pass over
    the public tables and one read of every tenant schema's orders)."""
    from django.db import connection

    from shared.services import platform_metrics_refresh

    connection.set_schema_to_public()
    row = platform_metrics_refresh()
    return {"day": row.day.isoformat(), "seconds": row.seconds}
