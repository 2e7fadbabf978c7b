"""Move the tenant's business settings from its public ``tenants_tenant`` row into
the tenant's own settings row.

Runs in every tenant schema. The values come from the public row's columns while they
exist, else from ``public.tenants_settings_handover`` (where the public migration that
drops the columns leaves them for schemas not migrated yet); the template and pool
schemas, which have no tenant row, get the defaults. Either way the one row exists
afterwards.
"""

import json

from django.db import migrations

COLUMNS = ("self_registration", "stock_display", "allow_oversell", "workflow_off",
           "reserve_stock_at", "auto_receipt_days", "min_order_amount")


def _public_table_columns(cursor, table):
    cursor.execute("""SELECT column_name FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name = %s""", [table])
    return {name for (name,) in cursor.fetchall()}


def stored_values(cursor, schema_name):
    """The settings saved for ``schema_name`` in the public schema, or {}."""
    if set(COLUMNS) <= _public_table_columns(cursor, "tenants_tenant"):
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM public.tenants_tenant "
                       "WHERE schema_name = %s", [schema_name])
        row = cursor.fetchone()
        return dict(zip(COLUMNS, row)) if row else {}
    if _public_table_columns(cursor, "tenants_settings_handover"):
        cursor.execute("SELECT data FROM public.tenants_settings_handover "
                       "WHERE schema_name = %s", [schema_name])
        row = cursor.fetchone()
        data = row[0] if row else {}
        if isinstance(data, str):
            data = json.loads(data)
        return {k: v for k, v in data.items() if k in COLUMNS}
    return {}


def move_values(apps, schema_editor):
    TenantSettings = apps.get_model("tenant_settings", "TenantSettings")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        values = stored_values(cursor, connection.schema_name)
        if _public_table_columns(cursor, "tenants_settings_handover"):
            cursor.execute("DELETE FROM public.tenants_settings_handover WHERE schema_name = %s",
                           [connection.schema_name])
    if values.get("workflow_off") is None:
        values.pop("workflow_off", None)
    TenantSettings.objects.update_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):

    dependencies = [
        ("tenant_settings", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_values, migrations.RunPython.noop),
    ]
