"""TENANT_LIMIT_SET_CALLS is on: the search_path is set once per schema switch,
not before every query. These tests prove it stays right across rollbacks
(django-tenants issue 1262), on real transactions."""

from django.conf import settings
from django.db import connection, transaction

from tenants.models import Tenant


def current_schema():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def test_limit_set_calls_is_enabled():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_savepoint_rollback_then_tenant_switch_reads_the_right_schema(committed_db):
    acme = Tenant.objects.get(slug="acme")
    globex = Tenant.objects.get(slug="globex")
    try:
        connection.set_tenant(acme)
        with transaction.atomic():
            assert current_schema() == acme.schema_name
            try:
                with transaction.atomic():  # savepoint
                    connection.set_tenant(globex)
                    assert current_schema() == globex.schema_name
                    raise RuntimeError("roll the savepoint back")
            except RuntimeError:
                pass
            # PostgreSQL reverted the SET issued inside the savepoint to acme, while
            # the connection still has globex selected: the next query must re-issue
            # it and read globex, never silently acme.
            assert connection.schema_name == globex.schema_name
            assert current_schema() == globex.schema_name
            connection.set_tenant(acme)
            assert current_schema() == acme.schema_name
    finally:
        connection.set_schema_to_public()


def test_savepoint_rollback_without_switch_keeps_reading_the_outer_schema(committed_db):
    acme = Tenant.objects.get(slug="acme")
    globex = Tenant.objects.get(slug="globex")
    try:
        connection.set_tenant(acme)
        with transaction.atomic():
            current_schema()
            try:
                with transaction.atomic():
                    connection.set_tenant(globex)
                    current_schema()
                    connection.set_tenant(acme)
                    assert current_schema() == acme.schema_name
                    raise RuntimeError
            except RuntimeError:
                pass
            assert current_schema() == acme.schema_name
    finally:
        connection.set_schema_to_public()


def test_full_rollback_then_query_reads_the_selected_schema(committed_db):
    globex = Tenant.objects.get(slug="globex")
    try:
        try:
            with transaction.atomic():
                connection.set_tenant(globex)
                assert current_schema() == globex.schema_name
                raise RuntimeError
        except RuntimeError:
            pass
        assert current_schema() == globex.schema_name
        connection.set_schema_to_public()
        assert current_schema() == "public"
    finally:
        connection.set_schema_to_public()
