from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from django.db.models.signals import post_migrate

        import roles.exceptions  # noqa: F401 - registers the app's error codes

        post_migrate.connect(_sync_builtin_roles, sender=self,
                             dispatch_uid="orderline.roles.sync_builtin_roles")


def _sync_builtin_roles(sender, using, apps=None, **kwargs):
    """After every migrate of a tenant schema (and the template), bring the catalog's
    permissions and the built-in roles up to date, as create_permissions does for
    Django's own: adding a permission to roles/catalog.py needs no data migration."""
    from django.db import connections

    connection = connections[using]
    if getattr(connection, "schema_name", "public") == "public":
        return
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from roles.catalog import sync_builtin_roles
    from roles.models import Role

    sync_builtin_roles(Group=Group, Permission=Permission, ContentType=ContentType, Role=Role)
