"""A tenant's export restores into a new tenant with the same rows in every table and
the same files (sha256): on a throwaway tenant with customers, products, an order, an
image and a ledger, committed (pg_dump reads what is committed), and cleaned up after."""

import io
import json
import secrets
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django_tenants.utils import tenant_context, schema_exists

from shared import exports
from shared.models import ExportStatus, PlatformAudit, TenantExport
from shared.restore import export_restore
from tenants import pgtools
from tenants.models import Tenant
from tenants.services import tenant_delete, tenant_provision
from tests.factories import OperatorFactory


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _counts(schema):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = pgtools.connect()
    try:
        with raw.cursor() as cursor:
            return {table: pgtools.row_count(cursor, schema, table)
                    for table, _columns in pgtools.schema_tables(cursor, schema)}
    finally:
        raw.close()


def _file_hashes(schema):
    root = exports.tenant_media_root(schema)
    return {relative: exports.sha256_of(path) for relative, path in exports.media_files(root)}


@pytest.fixture
def source(committed_db):
    """A throwaway tenant with data (dropped afterwards, with any tenant restored from it)."""
    from tests.orders.conftest import build_shop, place

    slug = f"exp-{secrets.token_hex(3)}"
    with override_settings(TENANT_PROVISION_DEFAULTS=[]):
        tenant = tenant_provision(name="Export Source Co", slug=slug,
                                  owner_email=f"owner@{slug}.example",
                                  owner_password="Owner-pass-2026", language="en").tenant
    made = [tenant]
    try:
        with tenant_context(tenant):
            from ordering.catalog.services.products import image_add

            shop = build_shop(tenant)
            image_add(actor=shop.staff.admin, product=shop.juice.product,
                      upload=SimpleUploadedFile("bottle.png", _png(), content_type="image/png"))
            order = place(shop, key="export-1")
            from ordering.finance.services import payments
            from django.utils import timezone

            payments.payment_record(actor=shop.dana.user, amount="20.00",
                                    paid_on=timezone.localdate(), reference="Bank 1")
        connection.set_schema_to_public()
        yield tenant, made, order
    finally:
        connection.set_schema_to_public()
        for each in made:
            for export in TenantExport.objects.filter(tenant_id=each.pk).exclude(file_name=""):
                exports.export_path(export).unlink(missing_ok=True)
            if Tenant.objects.filter(pk=each.pk).exists():
                tenant_delete(tenant=Tenant.objects.get(pk=each.pk))
            elif schema_exists(each.schema_name):
                pgtools.drop_schema(each.schema_name)


def test_export_then_restore_gives_the_same_rows_and_files(source, capsys):
    import time

    tenant, made, order = source
    operator = OperatorFactory()
    started = time.perf_counter()
    export = exports.export_request(operator=operator, tenant=tenant)  # runs on commit
    export_seconds = time.perf_counter() - started
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert export.progress == 100 and export.size > 0
    path = exports.export_path(export)
    assert path.is_file() and exports.sha256_of(path) == export.sha256
    assert exports.export_root() not in exports.tenant_media_root(tenant.schema_name).parents

    source_counts, source_files = _counts(tenant.schema_name), _file_hashes(tenant.schema_name)
    assert source_counts["orders_order"] == 1 and source_counts["customers_customer"] == 2
    assert len(source_files) >= 2  # the image and its thumbnail
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        names = set(bundle.namelist())
        assert manifest["schema"] == tenant.schema_name
        assert manifest["tables"] == source_counts
        assert {f["path"]: f["sha256"] for f in manifest["files"]} == source_files
        assert {"database.dump", "data/orders_order.csv", "data/customers_customer.csv"} <= names
        assert "data/django_session.csv" not in names
        header = bundle.read("data/roles_user.csv").decode().splitlines()[0].split(",")
        assert "email" in header and "password" not in header
        orders_csv = bundle.read("data/orders_order.csv").decode()
        assert order.number in orders_csv
        documents = [n for n in names if n.startswith("documents/")]
        assert any(n.startswith("documents/orders/") and order.number in n for n in documents)
        assert any(n.startswith("documents/statements/") for n in documents)
        assert bundle.read(next(n for n in documents if n.endswith(".pdf")))[:5] == b"%PDF-"

    started = time.perf_counter()
    restored = export_restore(operator=operator, tenant=tenant, export=export.pk,
                              slug=f"{tenant.slug}-r", name="Restored Co")
    made.append(restored)
    with capsys.disabled():
        print(f"\nexport {export_seconds:.2f} s ({export.size} bytes, {export.tables} tables, "
              f"{export.rows} rows, {export.files} files); restore "
              f"{time.perf_counter() - started:.2f} s")
    assert restored.schema_name != tenant.schema_name
    assert restored.status == "suspended" and restored.domains.get().domain == restored.host
    assert restored.subscription.status == "suspended"
    assert not restored.subscription.stripe_customer_id
    assert _counts(restored.schema_name) == source_counts
    assert _file_hashes(restored.schema_name) == source_files
    with tenant_context(restored):
        from ordering.orders.models import Order

        assert Order.objects.get().number == order.number
    connection.set_schema_to_public()
    record = PlatformAudit.objects.get(action="tenant.restore", tenant_id=restored.pk)
    assert record.before["export"] == export.pk and record.after["schema"] == restored.schema_name
    assert PlatformAudit.objects.filter(action="tenant.export", tenant_id=tenant.pk).exists()
    # the restored schema is a working tenant: a request on its host resolves it
    from tests.conftest import TenantClient

    assert TenantClient(restored.host).get("/login/").status_code == 200
    # a second export while one runs is refused; a finished one allows another
    TenantExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    from core.exceptions import ConflictError

    with pytest.raises(ConflictError):
        exports.export_request(operator=operator, tenant=tenant)
    TenantExport.objects.filter(pk=export.pk).update(status=ExportStatus.DONE)
