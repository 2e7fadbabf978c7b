"""A schema editor that adds a column and its constraints in separate statements.

Django's PostgreSQL schema editor writes a new column's constraints inline:
``ALTER TABLE t ADD COLUMN c integer DEFAULT 0 NOT NULL CHECK ("c" >= 0)`` for a
``PositiveIntegerField``, ``… UNIQUE`` for ``unique=True`` and ``… CONSTRAINT x REFERENCES
…; SET CONSTRAINTS x IMMEDIATE`` for a foreign key. Citus refuses ``ADD COLUMN`` with an
inline ``CHECK``, ``UNIQUE`` or ``FOREIGN KEY`` on distributed (tenant) tables. Here
``add_field`` adds the bare column first, then each named constraint with its own
``ALTER TABLE … ADD CONSTRAINT``, one statement per ``execute()``. The result in the
database is the same on plain PostgreSQL.

Constraint names follow what PostgreSQL gives the inline forms (``<table>_<column>_check``,
``<table>_<column>_key``), so tables migrated before and after this editor match; Django's
hashed names are used when that would pass PostgreSQL's 63-character limit.
``tests/tenants/test_citus_migrations.py`` lints the SQL of every migration for it.
"""

from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

_MAX_NAME = 63


class DatabaseSchemaEditor(PostgresSchemaEditor):
    # Foreign keys are added by add_field below, never inline.
    sql_create_column_inline_fk = None

    _bare_column = False

    def _iter_column_sql(self, column_db_type, params, model, field, field_db_params,
                         include_default):
        parts = super()._iter_column_sql(column_db_type, params, model, field,
                                         field_db_params, include_default)
        for part in parts:
            if self._bare_column and part in ("PRIMARY KEY", "UNIQUE"):
                continue
            yield part

    def _column_constraint_name(self, table, column, pg_suffix, django_suffix):
        name = f"{table}_{column}_{pg_suffix}"
        if len(name) <= _MAX_NAME:
            return name
        return self._create_index_name(table, [column], suffix=django_suffix)

    def add_field(self, model, field):
        """Add the column, then its primary key, check, unique and foreign key constraints."""
        if field.many_to_many and field.remote_field.through._meta.auto_created:
            return self.create_model(field.remote_field.through)
        db_params = field.db_parameters(connection=self.connection)
        if db_params["type"] is None:
            return None
        self._bare_column = True
        try:
            definition, params = self.column_sql(model, field, include_default=True)
        finally:
            self._bare_column = False
        if col_type_suffix := field.db_type_suffix(connection=self.connection):
            definition += f" {col_type_suffix}"
        table = model._meta.db_table
        self.execute(
            self.sql_create_column % {
                "table": self.quote_name(table),
                "column": self.quote_name(field.column),
                "definition": definition,
            },
            params or None,
        )
        self._add_column_constraints(model, field, db_params)
        if (
            not field.has_db_default()
            and not self.skip_default_on_alter(field)
            and self.effective_default(field) is not None
        ):
            changes_sql, changes_params = self._alter_column_default_sql(
                model, None, field, drop=True)
            self.execute(self.sql_alter_column % {
                "table": self.quote_name(table), "changes": changes_sql}, changes_params)
        if (
            field.db_comment
            and self.connection.features.supports_comments
            and not self.connection.features.supports_comments_inline
        ):
            self.execute(*self._alter_column_comment_sql(
                model, field, db_params["type"], field.db_comment))
        self.deferred_sql.extend(self._field_indexes_sql(model, field))
        return None

    def _add_column_constraints(self, model, field, db_params):
        table = model._meta.db_table
        if field.primary_key:
            self.execute(self._create_primary_key_sql(model, field))
        if db_params["check"]:
            name = self._column_constraint_name(table, field.column, "check", "_check")
            self.execute(self._create_check_sql(model, name, db_params["check"]))
        if field.unique and not field.primary_key:
            name = self._column_constraint_name(table, field.column, "key", "_uniq")
            self.execute(self._create_unique_sql(model, [field], name=name))
        if (
            field.remote_field
            and self.connection.features.supports_foreign_keys
            and field.db_constraint
        ):
            statement = self._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
            self.execute(statement)
            # As Django's inline form does: rows changed later in the same transaction
            # are checked at once, so a following ALTER TABLE finds no pending triggers.
            self.execute(f"SET CONSTRAINTS {statement.parts['name']} IMMEDIATE")
