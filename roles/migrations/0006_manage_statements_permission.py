"""The manage_statements permission (issue statements of account, answer disputes),
given to the finance reviewer; the system administrator and business lead get it
with everything else."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return  # roles belong to tenants; operators have none
    from roles.catalog import sync_builtin_roles

    sync_builtin_roles(
        Group=apps.get_model("auth", "Group"),
        Permission=apps.get_model("auth", "Permission"),
        ContentType=apps.get_model("contenttypes", "ContentType"),
        Role=apps.get_model("roles", "Role"),
    )


class Migration(migrations.Migration):
    dependencies = [("roles", "0005_view_finance_permission")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
