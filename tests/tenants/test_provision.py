"""tenant_provision: the three paths, equal content types, atomicity, validation, races."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django_tenants.utils import schema_exists, tenant_context

from core.exceptions import ApplicationError
from ordering.settings.models import TenantSettings
from roles.models import LoginLog
from roles.permissions import is_administrator
from tenants import schemas
from tenants.enums import ProvisionPath, TenantStatus
from tenants.exceptions import ProvisionError, SubdomainError, SubdomainTakenError
from tenants.models import Domain, PoolSchema, Tenant
from tenants.services import tenant_provision

PASSWORD = "Owner-pass-2026"


def _provision(slug, path=None, **extra):
    return tenant_provision(name=f"Company {slug}", slug=slug, owner_email=f"boss@{slug}.example",
                            owner_password=PASSWORD, path=path, **extra)


def test_provision_by_each_path_gives_a_working_tenant(db):
    schemas.pool_fill(1)
    made = {path: _provision(f"path-{path}", path=path) for path in ProvisionPath.values}
    for path, result in made.items():
        tenant = result.tenant
        assert result.path == path
        assert tenant.provisioned_by == path
        assert tenant.status == TenantStatus.TRIAL
        assert tenant.trial_ends_at is not None
        assert Domain.objects.get(tenant=tenant).domain == f"path-{path}.localhost"
        assert schemas.is_up_to_date(tenant.schema_name)
        with tenant_context(tenant):
            owner = get_user_model().objects.get()
            assert owner.email == f"boss@path-{path}.example"
            assert owner.check_password(PASSWORD)
            assert is_administrator(owner)
            # a fresh schema is empty apart from its owner
            assert LoginLog.objects.count() == 0
            # the business settings row comes with the schema, whatever the path
            assert TenantSettings.objects.filter(pk=1).count() == 1


def test_pool_is_used_first_and_a_taken_schema_leaves_the_pool(db):
    schemas.pool_drain()
    schemas.pool_fill(2)
    pooled = set(PoolSchema.objects.values_list("schema_name", flat=True))
    result = _provision("from-pool")
    assert result.path == ProvisionPath.POOL
    assert PoolSchema.objects.count() == 1
    assert not (pooled - set(PoolSchema.objects.values_list("schema_name", flat=True))) & {
        name for name in pooled if schema_exists(name)}


def test_clone_is_used_when_the_pool_is_empty(db):
    schemas.pool_drain()
    assert _provision("from-clone").path == ProvisionPath.CLONE


def test_migrate_is_used_when_the_template_is_missing(db):
    schemas.pool_drain()
    with connection.cursor() as cursor:
        cursor.execute('ALTER SCHEMA "tenant_template" RENAME TO "tenant_template_away"')
    try:
        assert _provision("from-migrate").path == ProvisionPath.MIGRATE
    finally:
        with connection.cursor() as cursor:
            cursor.execute('ALTER SCHEMA "tenant_template_away" RENAME TO "tenant_template"')


def test_forced_path_that_cannot_be_served_is_a_clear_error(db):
    schemas.pool_drain()
    with pytest.raises(ProvisionError):
        _provision("pool-empty", path=ProvisionPath.POOL)
    assert not Tenant.objects.filter(slug="pool-empty").exists()


def test_stale_pool_schemas_are_never_handed_out(db):
    schemas.pool_drain()
    name = schemas.pool_add_one()
    PoolSchema.objects.filter(schema_name=name).update(fingerprint="built-with-old-migrations")
    assert _provision("not-stale").path == ProvisionPath.CLONE
    assert schemas.pool_discard_stale() == 1
    assert not schema_exists(name)


def test_content_type_ids_are_equal_in_pool_clone_and_migrated_tenants(db):
    schemas.pool_fill(1)
    tenants = [_provision(f"ct-{path}", path=path).tenant for path in ProvisionPath.values]
    ContentType.objects.clear_cache()
    public_ids = {(ct.app_label, ct.model): ct.id for ct in ContentType.objects.all()}
    assert ("roles", "user") in public_ids
    for tenant in tenants:
        with tenant_context(tenant):
            ContentType.objects.clear_cache()
            ids = {(ct.app_label, ct.model): ct.id for ct in ContentType.objects.all()}
            assert ids == public_ids
            # permissions in the tenant point at those same ids
            with connection.cursor() as cursor:
                cursor.execute("SELECT DISTINCT content_type_id FROM auth_permission")
                assert {row[0] for row in cursor.fetchall()} <= set(public_ids.values())
            user_ct = ContentType.objects.get_for_model(get_user_model())
            assert user_ct.id == public_ids[("roles", "user")]


def test_clone_copies_every_table_index_and_constraint_of_the_template(db):
    schemas.clone_template("zz_clone_check")

    def shape(schema):
        with connection.cursor() as cursor:
            # Names too: a later migration drops or alters constraints and indexes by
            # name, and must find them on cloned tenants as on migrated ones.
            cursor.execute("""SELECT cl.relname, con.contype, con.conname
                              FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
                              JOIN pg_namespace n ON n.oid = cl.relnamespace
                              WHERE n.nspname = %s ORDER BY 1, 2, 3""", [schema])
            constraints = cursor.fetchall()
            cursor.execute("""SELECT tablename, indexname,
                                     replace(indexdef, %s, 'SCHEMA.') FROM pg_indexes
                              WHERE schemaname = %s ORDER BY 1, 2""", [f"{schema}.", schema])
            return constraints, cursor.fetchall()

    assert shape("zz_clone_check") == shape("tenant_template")
    # identity sequences continue after the copied rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM zz_clone_check.auth_permission")
        highest = cursor.fetchone()[0]
        cursor.execute("""INSERT INTO zz_clone_check.auth_permission (name, content_type_id, codename)
                          SELECT 'x', content_type_id, 'probe_clone' FROM zz_clone_check.auth_permission
                          LIMIT 1 RETURNING id""")
        assert cursor.fetchone()[0] > highest


def test_provision_failure_leaves_nothing_behind(db, monkeypatch):
    import roles.services

    def explode(**kwargs):
        raise RuntimeError("owner creation failed")

    monkeypatch.setattr(roles.services, "user_create", explode)
    with pytest.raises(RuntimeError):
        _provision("half-made")
    assert not Tenant.objects.filter(slug="half-made").exists()
    assert not Domain.objects.filter(domain="half-made.localhost").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't_half_made%%'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("", "required"),
        ("ab", "too_short"),
        ("a" * 31, "too_long"),
        ("-acme", "hyphen_edge"),
        ("acme-", "hyphen_edge"),
        ("Acme Foods", "bad_characters"),
        ("acme_foods", "bad_characters"),
        ("café", "bad_characters"),
        ("ac--me", "double_hyphen"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("ops", "reserved"),
        ("static", "reserved"),
        ("mail", "reserved"),
        ("api", "reserved"),
        ("acme", "subdomain_taken"),
    ],
)
def test_each_invalid_subdomain_has_its_own_error(db, slug, code):
    with pytest.raises(SubdomainError) as info:
        _provision(slug)
    assert info.value.code == code
    assert info.value.fields["slug"]


def test_uppercase_subdomain_is_normalised(db):
    result = tenant_provision(name="Mixed", slug="  Mixed-Case  ", owner_email="a@mixed.example",
                              owner_password=PASSWORD)
    assert result.tenant.slug == "mixed-case"


def test_owner_email_and_password_are_validated(db):
    with pytest.raises(ApplicationError) as info:
        tenant_provision(name="X", slug="weak-pass", owner_email="not-an-email",
                         owner_password="123")
    assert set(info.value.fields) == {"owner_email", "owner_password"}
    assert not Tenant.objects.filter(slug="weak-pass").exists()


def test_two_simultaneous_signups_for_one_subdomain_make_exactly_one_tenant(committed_db):
    barrier = threading.Barrier(2)
    outcomes = []

    def signup(n):
        try:
            barrier.wait()
            tenant_provision(name=f"Racer {n}", slug="race-same", path=ProvisionPath.CLONE,
                             owner_email=f"racer{n}@example.com", owner_password=PASSWORD)
            outcomes.append("ok")
        except SubdomainTakenError:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=signup, args=(n,)) for n in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok", "taken"]
        assert Tenant.objects.filter(slug="race-same").count() == 1
        assert schema_exists(Tenant.objects.get(slug="race-same").schema_name)
    finally:
        for tenant in Tenant.objects.filter(slug="race-same"):
            tenant.delete(force_drop=True)
