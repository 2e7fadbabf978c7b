"""Deploys at many tenants: ``migrate_all`` compares every schema's applied migrations
with the migrations on disk in one go and migrates only the schemas that lag."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import schemas
from tenants.management.commands import migrate_all
from tenants.models import Tenant
from tenants.services import tenant_provision

ROOT = Path(__file__).resolve().parent.parent.parent


def _tenant_schemas():
    return migrate_all.tenant_schema_names()


def test_up_to_date_schemas_do_not_lag_and_the_comparison_is_two_queries(db):
    names = _tenant_schemas()
    assert len(names) >= 2  # the shared test tenants
    with CaptureQueriesContext(connection) as queries:
        assert schemas.migration_lag(names) == {}
    assert len(queries) == 2


def test_a_missing_migration_and_a_schema_without_migrations_lag(db):
    acme = Tenant.objects.get(slug="acme").schema_name
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{acme}".django_migrations WHERE id = '
                       f'(SELECT max(id) FROM "{acme}".django_migrations)')
        cursor.execute('CREATE SCHEMA "t_empty_lag"')
    lag = schemas.migration_lag([acme, "t_empty_lag", *_tenant_schemas()])
    assert lag == {acme: 1, "t_empty_lag": len(schemas.expected_migrations())}


def test_the_comparison_spans_several_statements_past_the_chunk(db, monkeypatch):
    monkeypatch.setattr(schemas, "LAG_QUERY_CHUNK", 1)
    names = _tenant_schemas()
    with CaptureQueriesContext(connection) as queries:
        assert schemas.migration_lag(names) == {}
    assert len(queries) == 1 + len(names)


def test_a_deploy_with_nothing_new_migrates_no_tenant_schema(db, monkeypatch):
    migrated, template = [], []
    monkeypatch.setattr(migrate_all, "migrate_tenant_schemas",
                        lambda names, **kw: migrated.append(list(names)))
    monkeypatch.setattr(schemas, "migrate_schema", lambda name, **kw: template.append(name))
    monkeypatch.setattr(migrate_all, "call_command", lambda *a, **kw: None)  # public
    call_command("migrate_all", verbosity=0)
    assert migrated == [] and template == []  # the template is current too


@pytest.mark.xdist_group("committed")
def test_only_the_lagging_schemas_are_migrated_in_parallel(committed_db):
    """A real deploy, in a process of its own (the multiprocessing executor forks; a
    forked test process would share its database connection): two schemas lag, the
    others are not touched."""
    made = [tenant_provision(name=f"Lag {n}", slug=f"lag-{n}", owner_email=f"o@lag-{n}.example",
                             owner_password="Owner-pass-2026").tenant for n in (1, 2)]
    lagging = sorted(t.schema_name for t in made)
    others = [name for name in _tenant_schemas() if name not in lagging]
    try:
        for name in lagging:  # roll one app back for real in both schemas
            call_command("migrate_schemas", schema_name=name, app_label="customers",
                         migration_name="0001", verbosity=0)
        connection.set_schema_to_public()
        assert sorted(schemas.migration_lag(_tenant_schemas())) == lagging

        with connection.cursor() as cursor:
            before = {}
            for name in others:
                cursor.execute(f'SELECT max(id) FROM "{name}".django_migrations')
                before[name] = cursor.fetchone()[0]
        database = connection.settings_dict
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
                               f"{database['PORT']}/{database['NAME']}",
               "TENANT_MIGRATE_PROCESSES": "2"}
        done = subprocess.run([sys.executable, "manage.py", "migrate_all"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"2 of {len(others) + 2} tenant schema(s) lagged" in done.stdout

        assert schemas.migration_lag(_tenant_schemas()) == {}
        with connection.cursor() as cursor:
            for name in others:  # nothing was recorded anywhere else
                cursor.execute(f'SELECT max(id) FROM "{name}".django_migrations')
                assert cursor.fetchone()[0] == before[name]
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            for tenant in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Tenant.objects.filter(pk__in=[t.pk for t in made]).delete()
