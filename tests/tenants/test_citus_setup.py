"""Citus setup step: ``public.django_content_type`` becomes a reference table before
tenant schemas exist, only when the ``citus`` extension is there, and only once."""

import pytest
from django.core.management import call_command
from django.db import connection

from tenants import schemas

pytestmark = pytest.mark.django_db


class FakeCitusCursor:
    """Answers like a Citus coordinator: the extension is installed, and a table is a
    reference table once ``create_reference_table`` ran for it."""

    def __init__(self, *, installed=True):
        self.installed = installed
        self.reference_tables = set()
        self.calls = []
        self._row = None

    def execute(self, sql, params=None):
        self.calls.append((sql, params))
        if "FROM pg_extension" in sql:
            self._row = (1,) if self.installed else None
        elif "FROM citus_tables" in sql:
            self._row = (1,) if params[0] in self.reference_tables else None
        elif "create_reference_table" in sql:
            self.reference_tables.add(params[0])
            self._row = ("",)
        else:
            raise AssertionError(f"unexpected SQL: {sql}")

    def fetchone(self):
        return self._row

    def fetchall(self):
        return [self._row] if self._row else []

    def create_calls(self):
        return [params for sql, params in self.calls if "create_reference_table" in sql]


def test_with_citus_content_types_become_a_reference_table_once():
    cursor = FakeCitusCursor()
    assert schemas.citus_reference_tables_ensure(cursor) == ["public.django_content_type"]
    assert cursor.create_calls() == [["public.django_content_type"]]
    # Idempotent: a second run (every migrate_all) sees the reference table and stops.
    assert schemas.citus_reference_tables_ensure(cursor) == []
    assert cursor.create_calls() == [["public.django_content_type"]]


def test_without_the_extension_the_step_does_nothing():
    cursor = FakeCitusCursor(installed=False)
    assert schemas.citus_reference_tables_ensure(cursor) == []
    assert cursor.create_calls() == []
    assert len(cursor.calls) == 1  # only the extension check


def test_on_plain_postgresql_nothing_is_sent_to_citus():
    with connection.cursor() as cursor:
        assert not schemas.citus_installed(cursor)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(str(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert schemas.citus_reference_tables_ensure() == []
    assert sent and not any("create_reference_table" in sql or "citus_tables" in sql
                            for sql in sent)


def test_migrate_all_runs_the_step_after_public_and_before_the_tenants(monkeypatch):
    order = []
    monkeypatch.setattr(schemas, "citus_reference_tables_ensure",
                        lambda cursor=None: order.append("citus") or [])
    monkeypatch.setattr(schemas, "template_ensure", lambda **kw: order.append("template"))
    monkeypatch.setattr(schemas, "pool_discard_stale", lambda: 0)

    def migrate_schemas(name, **options):
        order.append("tenants" if options.get("tenant") else "public")

    monkeypatch.setattr("tenants.management.commands.migrate_all.call_command",
                        migrate_schemas)
    monkeypatch.setattr(schemas, "migration_lag", lambda names: {"t_lagging": 1})
    monkeypatch.setattr("tenants.management.commands.migrate_all.migrate_tenant_schemas",
                        lambda names, **kw: order.append("tenants"))
    call_command("migrate_all", verbosity=0)
    assert order == ["public", "citus", "tenants", "template"]
