"""The clone and pool paths stay Citus-safe without a Citus cluster in CI: every
``execute()`` carries one SQL statement, and ``setval`` only gets literals (Citus sends
``setval(…, (SELECT max(id) …))`` to the worker, whose identity range refuses it)."""

import re
from contextlib import contextmanager

import pytest
import sqlparse
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from tenants import schemas
from tenants.enums import ProvisionPath
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db

_SETVAL_WITH_QUERY = re.compile(r"setval\s*\(.*\(\s*SELECT\b", re.IGNORECASE | re.DOTALL)


class CitusRefused(AssertionError):
    pass


@contextmanager
def citus_like_cursor():
    """Refuse what the Citus coordinator refuses (or mis-routes); record the rest."""
    seen = []

    def refuse(execute, sql, params, many, context):
        text = str(sql)
        statements = [s for s in sqlparse.split(text) if s.strip().rstrip(";").strip()]
        if len(statements) > 1:
            raise CitusRefused(f"{len(statements)} statements in one execute(): {text[:300]}")
        if _SETVAL_WITH_QUERY.search(text):
            raise CitusRefused(f"setval with a subquery: {text[:300]}")
        seen.append(text)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield seen


def test_the_wrapper_refuses_what_the_old_clone_path_sent():
    with citus_like_cursor(), pytest.raises(CitusRefused, match="2 statements"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1;\nSELECT 2")
    with citus_like_cursor(), pytest.raises(CitusRefused, match="subquery"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('public.tenants_tenant', 'id'), "
                           "COALESCE((SELECT max(id) FROM public.tenants_tenant), 0) + 1, false)")


def test_clone_sends_one_statement_per_call_and_literal_setvals():
    with citus_like_cursor() as seen:
        schemas.clone_template("zz_citus_clone")
    setvals = [sql for sql in seen if "setval(" in sql]
    assert setvals, "identity sequences were not moved past the copied rows"
    assert any(sql.startswith("ALTER INDEX") for sql in seen)
    assert any("ADD CONSTRAINT" in sql and "FOREIGN KEY" in sql for sql in seen)
    with connection.cursor() as cursor:
        # The sequence is past the copied rows: a new permission gets a fresh id.
        cursor.execute("SELECT max(id) FROM zz_citus_clone.auth_permission")
        top = cursor.fetchone()[0]
        cursor.execute("""INSERT INTO zz_citus_clone.auth_permission
                              (name, content_type_id, codename)
                          SELECT 'x', content_type_id, 'probe_citus'
                          FROM zz_citus_clone.auth_permission LIMIT 1 RETURNING id""")
        assert cursor.fetchone()[0] == top + 1


@pytest.mark.parametrize("path", [ProvisionPath.CLONE, ProvisionPath.POOL])
def test_provisioning_by_clone_and_pool_is_citus_safe(path):
    schemas.pool_drain()
    with citus_like_cursor():
        if path == ProvisionPath.POOL:
            schemas.pool_fill(1)
        result = tenant_provision(name="Citus Co", slug=f"citus-{path}",
                                  owner_email="boss@citus.example",
                                  owner_password="Owner-pass-2026", path=path)
    assert result.path == path
    with tenant_context(result.tenant):
        assert get_user_model().objects.get().email == "boss@citus.example"


def test_functions_and_triggers_are_cloned_and_bind_to_the_copy():
    """The finance ledger guards itself with a trigger: the template stays cloneable, and
    the clone's trigger calls the clone's function on the clone's table."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA zz_trigger_source")
        cursor.execute("CREATE TABLE zz_trigger_source.ledger (id int PRIMARY KEY, amount int)")
        cursor.execute("INSERT INTO zz_trigger_source.ledger VALUES (1, 10)")
        cursor.execute("""CREATE FUNCTION zz_trigger_source.ledger_append_only()
                          RETURNS trigger LANGUAGE plpgsql AS $$
                          BEGIN RAISE EXCEPTION 'append-only (%)', TG_TABLE_SCHEMA; END $$""")
        cursor.execute("""CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE
                          ON zz_trigger_source.ledger FOR EACH ROW
                          EXECUTE FUNCTION zz_trigger_source.ledger_append_only()""")
    assert schemas.uncloneable_objects("zz_trigger_source") == []
    with citus_like_cursor():
        schemas.clone_schema("zz_trigger_source", "zz_trigger_copy")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT n.nspname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                          JOIN pg_namespace n ON n.oid = p.pronamespace
                          JOIN pg_class c ON c.oid = t.tgrelid
                          JOIN pg_namespace cn ON cn.oid = c.relnamespace
                          WHERE cn.nspname = 'zz_trigger_copy'""")
        assert cursor.fetchall() == [("zz_trigger_copy",)]  # the copy's own function
        cursor.execute("SAVEPOINT refused")
        with pytest.raises(Exception, match=r"append-only \(zz_trigger_copy\)"):
            cursor.execute("UPDATE zz_trigger_copy.ledger SET amount = 11")
        cursor.execute("ROLLBACK TO SAVEPOINT refused")
        cursor.execute("SELECT amount FROM zz_trigger_copy.ledger")
        assert cursor.fetchall() == [(10,)]
