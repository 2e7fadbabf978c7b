"""Citus refuses ``ALTER TABLE … ADD COLUMN`` with an inline CHECK, UNIQUE, PRIMARY KEY or
FOREIGN KEY on distributed tables. Every migration's SQL, for the public schema and for
a tenant schema, must add the column and its constraints in separate statements
(``core/db/backend/schema.py``)."""

import re

import pytest
import sqlparse
from django.db import connection
from django.db.backends.postgresql.schema import DatabaseSchemaEditor as DjangoSchemaEditor
from django.db.migrations.loader import MigrationLoader

from core.db.backend.schema import DatabaseSchemaEditor
from tenants import schemas

pytestmark = pytest.mark.django_db

_ADD_COLUMN = re.compile(r"\bADD\s+COLUMN\b", re.IGNORECASE)
_INLINE_CONSTRAINT = re.compile(r"\b(CHECK|UNIQUE|REFERENCES|PRIMARY\s+KEY)\b", re.IGNORECASE)


def inline_constraints(statements):
    """The statements that add a column together with a constraint."""
    found = []
    for text in statements:
        for statement in sqlparse.split(text):
            if _ADD_COLUMN.search(statement) and _INLINE_CONSTRAINT.search(statement):
                found.append(statement)
    return found


def migration_sql(schema_name, only=None):
    """``sqlmigrate`` output of every migration on disk (or of ``only``), as run in
    ``schema_name`` (the router decides which apps migrate there)."""
    connection.set_schema(schema_name)
    try:
        loader = MigrationLoader(connection)
        collected = {}
        for key in sorted(only or loader.disk_migrations):
            collected[key] = loader.collect_sql([(loader.graph.nodes[key], False)])
        return collected
    finally:
        connection.set_schema_to_public()


@pytest.mark.parametrize("schema_name", ["public", schemas.template_schema_name()])
def test_no_migration_adds_a_column_with_an_inline_constraint(schema_name):
    collected = migration_sql(schema_name)
    assert sum(len(sql) for sql in collected.values()) > 100  # the lint saw real SQL
    offenders = {f"{app}.{name}": found for (app, name), sql in collected.items()
                 if (found := inline_constraints(sql))}
    assert offenders == {}


def test_the_lint_catches_what_djangos_own_editor_writes(monkeypatch):
    # roles 0004 adds a PositiveIntegerField: Django writes ADD COLUMN … CHECK inline.
    monkeypatch.setattr(connection, "SchemaEditorClass", DjangoSchemaEditor)
    key = ("roles", "0004_security_stamp_region_names")
    assert inline_constraints(migration_sql("public", only=[key])[key])


def test_the_column_and_its_check_are_separate_statements():
    key = ("roles", "0004_security_stamp_region_names")
    sql = migration_sql("public", only=[key])[key]
    add = [s for s in sql if _ADD_COLUMN.search(s)]
    assert add == ['ALTER TABLE "roles_user" ADD COLUMN "security_stamp" integer '
                   'DEFAULT 0 NOT NULL;']
    assert ('ALTER TABLE "roles_user" ADD CONSTRAINT "roles_user_security_stamp_check" '
            'CHECK ("security_stamp" >= 0);') in sql


def test_add_field_splits_unique_and_foreign_key(monkeypatch):
    """A unique foreign key column: bare column, then the named UNIQUE, then the FK."""
    from django.db import models

    from roles.models import User

    field = models.OneToOneField(User, on_delete=models.CASCADE, null=True,
                                 related_name="+")
    field.set_attributes_from_name("buddy")
    field.model = User
    with connection.schema_editor(collect_sql=True) as editor:
        assert isinstance(editor, DatabaseSchemaEditor)
        editor.add_field(User, field)
        collected = list(editor.collected_sql)
    assert inline_constraints(collected) == []
    statements = [s for text in collected for s in sqlparse.split(text)]
    assert statements[0] == 'ALTER TABLE "roles_user" ADD COLUMN "buddy_id" bigint NULL;'
    assert any('ADD CONSTRAINT "roles_user_buddy_id_key" UNIQUE' in s for s in statements)
    fk = [s for s in statements if "FOREIGN KEY" in s]
    assert len(fk) == 1 and 'REFERENCES "roles_user" ("id")' in fk[0]
    assert any(s.startswith("SET CONSTRAINTS") for s in statements)
