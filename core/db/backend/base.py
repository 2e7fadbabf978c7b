"""The database wrapper: django-tenants' (search_path per tenant) with our schema editor."""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper

from core.db.backend.schema import DatabaseSchemaEditor


class DatabaseWrapper(TenantDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
