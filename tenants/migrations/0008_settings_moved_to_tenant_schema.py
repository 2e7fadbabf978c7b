"""The business settings leave the public Tenant row for the tenant's own schema
(``ordering.settings``, tenant migration ``tenant_settings.0002_move_values``).

``migrate_schemas`` migrates the public schema before the tenant schemas, so for
every tenant whose schema does not have its settings table yet, the values are first
left in ``public.tenants_settings_handover`` (schema name, JSON); the tenant migration
takes them from there and deletes its entry. Schemas that already have the table were
moved earlier and are skipped.
"""

from django.db import migrations

SETTINGS = ("self_registration", "stock_display", "allow_oversell", "workflow_off",
            "reserve_stock_at", "auto_receipt_days", "min_order_amount")


def hand_over(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("""CREATE TABLE IF NOT EXISTS public.tenants_settings_handover (
                              schema_name varchar(63) PRIMARY KEY,
                              data jsonb NOT NULL)""")
        cursor.execute("SELECT schema_name FROM public.tenants_tenant "
                       "WHERE schema_name <> 'public'")
        for (schema_name,) in cursor.fetchall():
            cursor.execute("SELECT to_regclass(%s)",
                           [f'"{schema_name}".tenant_settings_tenantsettings'])
            if cursor.fetchone()[0] is not None:
                continue  # already moved by the tenant migration
            pairs = ", ".join(
                f"'{name}', {name}::text" if name == "min_order_amount" else f"'{name}', {name}"
                for name in SETTINGS)
            cursor.execute(
                f"""INSERT INTO public.tenants_settings_handover (schema_name, data)
                    SELECT schema_name, jsonb_build_object({pairs})
                    FROM public.tenants_tenant WHERE schema_name = %s
                    ON CONFLICT (schema_name) DO UPDATE SET data = EXCLUDED.data""",
                [schema_name])


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0007_pool_health'),
    ]

    operations = [
        migrations.RunPython(hand_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='tenant',
            name='allow_oversell',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='auto_receipt_days',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='min_order_amount',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='reserve_stock_at',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='self_registration',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='stock_display',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='workflow_off',
        ),
    ]
