"""The business settings row: one per tenant schema, read through a cached selector,
written through ``settings_update`` (audited), moved out of the public schema."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from core.exceptions import PermissionDeniedError
from ordering.settings.models import TenantSettings
from ordering.settings.selectors import tenant_settings
from ordering.settings.services import settings_update
from roles.models import AuditLog
from tenants import schemas
from tests.factories.roles import staff_with_roles


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    # the schema switch (SET search_path) is every request's anyway
    return value, sum(not q["sql"].startswith("SET search_path") for q in ctx.captured_queries)


def test_every_tenant_schema_and_the_template_have_exactly_one_row(acme, globex):
    for schema in (acme.schema_name, globex.schema_name, schemas.template_schema_name()):
        with schema_context(schema):
            assert list(TenantSettings.objects.values_list("pk", flat=True)) == [1]


def test_a_second_row_is_refused(in_acme):
    with pytest.raises(IntegrityError), transaction.atomic():
        TenantSettings.objects.create(id=2)


def test_one_query_cold_none_warm_none_within_a_request(acme):
    with tenant_context(acme):
        row, cold = _queries(tenant_settings)
        assert cold == 1
        assert _queries(tenant_settings) == (row, 0)  # the memo
    # a new request (a new tenant object, as the middleware hands out) reads the cache
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(pk=acme.pk)):
        again, warm = _queries(tenant_settings)
    assert warm == 0 and again.min_order_amount == row.min_order_amount


def test_a_missing_row_is_created_on_first_read(in_acme):
    TenantSettings.objects.all().delete()
    assert tenant_settings().stock_display == "level"
    assert TenantSettings.objects.count() == 1


def test_each_tenant_reads_its_own_row(acme, globex):
    with tenant_context(acme):
        settings_update(actor=None, min_order_amount=Decimal("300.00"))
        assert tenant_settings().min_order_amount == Decimal("300.00")
    with tenant_context(globex):
        assert tenant_settings().min_order_amount == Decimal("0.00")
    with tenant_context(acme):
        assert tenant_settings().min_order_amount == Decimal("300.00")


def test_an_update_is_seen_at_once_by_memo_and_cache(acme, django_capture_on_commit_callbacks):
    from tenants.models import Tenant

    with tenant_context(acme):
        assert tenant_settings().allow_oversell is False  # memo and cache now warm
        with django_capture_on_commit_callbacks(execute=True):
            settings_update(actor=None, allow_oversell=True)
        assert tenant_settings().allow_oversell is True
    with tenant_context(Tenant.objects.get(pk=acme.pk)):
        assert tenant_settings().allow_oversell is True


def test_update_is_audited_and_needs_the_settings_permission(in_acme):
    lead = staff_with_roles("business_lead")
    settings_update(actor=lead, action="orders.settings", workflow_off=["receipt"],
                    auto_receipt_days=3)
    entry = AuditLog.objects.get(action="orders.settings")
    assert entry.before == {"workflow_off": [], "auto_receipt_days": 7}
    assert entry.after == {"workflow_off": ["receipt"], "auto_receipt_days": 3}
    with pytest.raises(PermissionDeniedError):
        settings_update(actor=staff_with_roles("sales_rep"), auto_receipt_days=1)
    assert tenant_settings().auto_receipt_days == 3


def test_the_data_migration_takes_the_values_kept_in_the_public_schema(in_acme):
    import json
    from importlib import import_module

    migration = import_module("ordering.settings.migrations.0002_move_values")
    schema = in_acme.schema_name
    with connection.cursor() as cursor:
        if "min_order_amount" in migration._public_table_columns(cursor, "tenants_tenant"):
            cursor.execute("UPDATE public.tenants_tenant SET min_order_amount = 123.45, "
                           "workflow_off = '{receipt}', self_registration = true "
                           "WHERE schema_name = %s", [schema])
        else:  # the columns are gone: the public migration left the values behind
            cursor.execute("INSERT INTO public.tenants_settings_handover (schema_name, data) "
                           "VALUES (%s, %s)", [schema, json.dumps({
                               "min_order_amount": "123.45", "workflow_off": ["receipt"],
                               "self_registration": True})])
        assert migration.stored_values(cursor, schemas.template_schema_name()) == {}
    TenantSettings.objects.all().delete()
    migration.move_values(django_apps, SimpleNamespace(connection=connection))
    row = TenantSettings.objects.get()
    assert (row.min_order_amount, row.workflow_off, row.self_registration) == (
        Decimal("123.45"), ["receipt"], True)
    assert row.stock_display == "level"  # untouched settings keep their values


def test_public_schema_reads_the_defaults(db):
    assert connection.schema_name == "public"
    assert tenant_settings().reserve_stock_at == "submit"
