"""Every tenant schema (and the template the pool is cloned from) gets the catalog
permissions and the eight built-in roles. Existing system-administrator groups keep
their members."""

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
    dependencies = [
        ("roles", "0002_roles_regions_audit_apikeys"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
