"""Tenant export and restore: how long the operator console's export of one tenant
takes (pg_dump of its schema, a CSV per table, its files, the order and statement
PDFs, packed into one zip), and how long restoring that export into a new tenant takes.

    .venv/bin/python -m bench.tenant_export --tenant acme

Uses an existing tenant (the demo's acme by default: run ``make demo`` first), prints
the times, the archive's size and the row counts, checks that the copy has the same
row count in every table, then deletes the copy and the export.
"""

import time

from bench._common import main


def run(tenant):
    import uuid

    from django.db import connection
    from django_tenants.utils import tenant_context

    from roles.enums import UserKind
    from roles.services.accounts import user_create
    from shared import exports, restore
    from shared.models import OperatorProfile, OperatorRole, TenantExport
    from tenants import pgtools
    from tenants.models import Tenant
    from tenants.services import tenant_delete

    connection.set_schema_to_public()
    source = Tenant.objects.filter(slug=tenant).first()
    if source is None:
        print(f"no tenant {tenant!r} here: load the demo first (make demo), or name another")
        return
    tag = uuid.uuid4().hex[:6]
    operator = user_create(email=f"bench-{tag}@orderline.example", kind=UserKind.OPERATOR)
    OperatorProfile.objects.create(user=operator, role=OperatorRole.ADMIN)
    copy = None
    try:
        started = time.perf_counter()
        export = exports.export_request(operator=operator, tenant=source)
        exports.export_run(export.pk)  # the background job, run here to time it
        export = TenantExport.objects.get(pk=export.pk)
        exported = time.perf_counter() - started
        if export.status != "done":
            raise SystemExit(f"the export failed: {export.error}")
        print(f"export of {source.slug}: {exported:.2f} s, {export.size / 1e6:.1f} MB zip, "
              f"{export.tables} tables, {export.rows} rows, {export.files} files")
        started = time.perf_counter()
        copy = restore.export_restore(operator=operator, tenant=source, export=export.pk,
                                      slug=f"copy{tag}", name=f"{source.name} (copy)")
        restored = time.perf_counter() - started
        print(f"restore into {copy.slug}: {restored:.2f} s")
        differ = []
        with tenant_context(source), connection.cursor() as cursor:
            tables = [table for table, _columns in pgtools.schema_tables(cursor, source.schema_name)
                      if table not in pgtools.NO_DATA_TABLES]
            before = {t: pgtools.row_count(cursor, source.schema_name, t) for t in tables}
        with connection.cursor() as cursor:
            for table in tables:
                after = pgtools.row_count(cursor, copy.schema_name, table)
                if after != before[table]:
                    differ.append((table, before[table], after))
        print("same row count in every table" if not differ else f"differ: {differ}")
    finally:
        connection.set_schema_to_public()
        if copy is not None:
            tenant_delete(tenant=Tenant.objects.get(pk=copy.pk))
        for leftover in TenantExport.objects.filter(requested_by=operator):
            path = exports.export_path(leftover) if leftover.file_name else None
            if path is not None and path.exists():
                path.unlink()
        TenantExport.objects.filter(requested_by=operator).delete()
        operator.delete()


if __name__ == "__main__":
    main(__doc__, run, ("--tenant", {"default": "acme"}))
