"""Edge cases of tenancy, provisioning and sign-in found in review; each once broke."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django_tenants.utils import schema_exists, tenant_context

from core.background import enqueue_on_commit
from core.mail import email_send
from roles.backends import client_ip
from tenants import schemas
from tenants.enums import ProvisionPath, TenantStatus
from tenants.exceptions import SubdomainTakenError
from tenants.models import Domain, PoolSchema, Tenant
from tenants.services import tenant_delete, tenant_provision, tenant_set_status
from tenants.tasks import schema_probe_task
from tests.conftest import TenantClient
from tests.factories import PASSWORD, OperatorFactory, UserFactory
from tests.factories.users import totp_code


def _provision(slug, **extra):
    return tenant_provision(name=f"Co {slug}", slug=slug, owner_email=f"o@{slug}.example",
                            owner_password="Owner-pass-2026", **extra)


# --- cached resolution ------------------------------------------------------------------


def test_request_during_a_status_change_does_not_keep_a_stale_tenant_cached(committed_db):
    from django.core.cache import cache

    acme = Tenant.objects.get(slug="acme")
    cache.clear()
    client = TenantClient("acme.localhost")
    assert client.get("/shop/").status_code == 302  # served (to the login page)
    outcome = {}

    def request_in_between():
        try:
            outcome["status"] = TenantClient("acme.localhost").get("/shop/").status_code
        finally:
            connections.close_all()

    try:
        with transaction.atomic():
            tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
            other = threading.Thread(target=request_in_between)
            other.start()
            other.join()
        assert outcome["status"] == 302  # it read the old row before the commit...
        assert client.get("/shop/").status_code == 403  # ...and that cannot linger
    finally:
        tenant_set_status(tenant=Tenant.objects.get(slug="acme"), status=TenantStatus.TRIAL)


def test_deleted_tenant_host_is_a_404_not_the_public_schema(db):
    tenant = _provision("gone-co").tenant
    client = TenantClient("gone-co.localhost")
    assert client.get("/login/").status_code == 200
    tenant_delete(tenant=tenant)
    assert client.get("/login/").status_code == 404
    assert client.post("/password/reset/", {"email": "x@example.com"}).status_code == 404


@pytest.mark.parametrize("host", ["ACME.localhost", "acme.localhost.", "Acme.LocalHost"])
def test_host_names_are_case_and_trailing_dot_insensitive(acme, host):
    response = TenantClient(host).get("/login/")
    assert response.status_code == 200
    assert b"Acme Beverages" in response.content


def test_www_prefix_is_only_for_the_public_site(acme):
    assert TenantClient("www.acme.localhost").get("/login/").status_code == 404
    assert TenantClient("www.localhost").get("/").status_code == 200


def test_live_check_on_www_names_the_base_domain(db):
    body = TenantClient("www.localhost").get("/signup/check/", {"slug": "fresh-one"}).content
    assert b"fresh-one.localhost is available" in body


# --- provisioning -------------------------------------------------------------------------


def test_a_freed_subdomain_gets_a_new_schema_and_none_of_the_old_files(db):
    first = _provision("reused").tenant
    with tenant_context(first):
        default_storage.save("uploads/old.txt", ContentFile(b"old company"))
    tenant_delete(tenant=first)
    second = _provision("reused").tenant
    assert second.schema_name != first.schema_name
    assert not schema_exists(first.schema_name)
    with tenant_context(second):
        assert not default_storage.exists("uploads/old.txt")


def test_subdomain_that_is_someones_custom_domain_is_taken(acme):
    Domain.objects.create(domain="orders.localhost", tenant=acme, is_primary=False)
    with pytest.raises(SubdomainTakenError):
        _provision("orders")


def test_very_long_owner_email_is_a_clear_error(public_client):
    email = "a" * 250 + "@example.com"
    response = public_client.post("/signup/", {
        "name": "Long", "slug": "long-mail", "owner_name": "L", "owner_email": email,
        "owner_password": "Long-pass-2026", "language": "en"})
    assert response.status_code == 200
    assert not Tenant.objects.filter(slug="long-mail").exists()


def test_pool_row_without_its_schema_falls_back_to_clone(db):
    schemas.pool_drain()
    PoolSchema.objects.create(schema_name="pool_vanished", fingerprint=schemas.migrations_fingerprint())
    result = _provision("after-vanish")
    assert result.path == ProvisionPath.CLONE
    assert not PoolSchema.objects.filter(schema_name="pool_vanished").exists()


def test_clone_copies_generated_columns_and_serial_defaults_point_at_the_clone(db):
    template = schemas.template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{template}".zz_gen (id bigint GENERATED BY DEFAULT AS '
                       f'IDENTITY PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 2) STORED)')
        cursor.execute(f'INSERT INTO "{template}".zz_gen (a) VALUES (21)')
    assert schemas.uncloneable_objects(template) == []
    schemas.clone_template("zz_clone_gen")
    with connection.cursor() as cursor:
        cursor.execute("SELECT b FROM zz_clone_gen.zz_gen")
        assert cursor.fetchone()[0] == 42
        cursor.execute("INSERT INTO zz_clone_gen.zz_gen (a) VALUES (1) RETURNING id")
        assert cursor.fetchone()[0] == 2
        cursor.execute("""SELECT count(*) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
                          JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE n.nspname = 'zz_clone_gen'
                          AND pg_get_expr(d.adbin, d.adrelid) LIKE %s""", [f"%{template}%"])
        assert cursor.fetchone()[0] == 0
        # foreign keys of the clone point into the clone, never back at the template
        cursor.execute("""SELECT count(*) FROM pg_constraint con
                          JOIN pg_class src ON src.oid = con.conrelid
                          JOIN pg_namespace sn ON sn.oid = src.relnamespace
                          JOIN pg_class dst ON dst.oid = con.confrelid
                          JOIN pg_namespace dn ON dn.oid = dst.relnamespace
                          WHERE con.contype = 'f' AND sn.nspname = 'zz_clone_gen'
                          AND dn.nspname NOT IN ('zz_clone_gen', 'public')""")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("ddl", [
    "CREATE VIEW {t}.zz_view AS SELECT 1 AS one",
    # functions and triggers are cloned (tests/tenants/test_citus_clone.py); procedures not
    "CREATE PROCEDURE {t}.zz_proc() LANGUAGE sql AS $$SELECT 1$$",
    "CREATE SEQUENCE {t}.zz_free_seq",
    "CREATE TYPE {t}.zz_mood AS ENUM ('happy')",
])
def test_template_with_objects_a_clone_cannot_copy_is_migrated_instead(db, ddl):
    schemas.pool_drain()
    template = schemas.template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute(ddl.format(t=f'"{template}"'))
    assert schemas.uncloneable_objects(template) != []
    assert not schemas.template_is_ready()
    assert _provision("no-clone").path == ProvisionPath.MIGRATE


def test_content_type_added_between_two_tenants_has_one_id_in_both(db):
    before = _provision("ct-before").tenant
    added = ContentType.objects.create(app_label="probe", model="addedlater")
    after = _provision("ct-after").tenant
    for tenant in (before, after):
        with tenant_context(tenant):
            ContentType.objects.clear_cache()
            assert ContentType.objects.get_by_natural_key("probe", "addedlater").id == added.id


# --- sign-in ------------------------------------------------------------------------------


def test_lockout_cannot_be_dodged_by_letter_case_or_phone(in_acme, acme_client, settings):
    UserFactory(email="case@acme.example", phone="13700000000")
    variants = ["case@acme.example", "CASE@acme.example", "Case@Acme.Example", "13700000000",
                " case@acme.example "]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        acme_client.post("/login/", {"username": variants[attempt % len(variants)],
                                     "password": "guess"})
    response = acme_client.post("/login/", {"username": "cAsE@acme.example",
                                            "password": PASSWORD})
    assert response.status_code == 429


def test_failed_phone_login_is_linked_to_the_account(in_acme, acme_client):
    from roles.models import LoginLog

    user = UserFactory(phone="13600000000")
    acme_client.post("/login/", {"username": "13600000000", "password": "nope"})
    assert LoginLog.objects.get(identifier="13600000000").user_id == user.pk


def test_must_change_password_is_enforced_on_every_page(in_acme, acme, acme_client, login_as):
    user = UserFactory(must_change_password=True)
    login_as(acme_client, acme, user)
    for path in ("/dashboard/", "/dashboard/profile/", "/api/v1/me/"):
        response = acme_client.get(path)
        assert response.status_code == 302 and response.url == "/password/change/", path
    assert acme_client.get("/password/change/").status_code == 200
    acme_client.post("/password/change/", {"old_password": PASSWORD,
                                           "new_password1": "Chosen-pass-2026",
                                           "new_password2": "Chosen-pass-2026"})
    assert acme_client.get("/dashboard/").status_code == 200


def test_operator_with_an_initial_password_is_sent_to_change_it(public_client):
    OperatorFactory(email="newop@orderline.local", must_change_password=True)
    response = public_client.post("/ops/login/", {"username": "newop@orderline.local",
                                                  "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/password/change/"
    response = public_client.get("/password/change/")  # the second factor first
    assert response.status_code == 302 and response.url.startswith("/ops/2fa/verify/")
    response = public_client.post("/ops/2fa/verify/", {"token": totp_code(),
                                                       "next": "/password/change/"})
    assert response.url == "/password/change/"
    assert public_client.get("/password/change/").status_code == 200


def test_operators_can_be_deleted_in_public(db):
    operator = OperatorFactory()
    operator.delete()
    assert not get_user_model().objects.filter(pk=operator.pk).exists()


@pytest.mark.parametrize(("proxies", "forwarded", "remote", "expected"), [
    (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),
    (1, "6.6.6.6, 203.0.113.9", "10.0.0.1", "203.0.113.9"),
    (1, "", "10.0.0.1", "10.0.0.1"),
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "10.0.0.1", "203.0.113.9"),
])
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, remote,
                                                      expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected


# --- background ---------------------------------------------------------------------------


def test_task_queued_in_a_tenant_inside_a_public_transaction_runs_in_that_tenant(
        acme, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    monkeypatch.setattr(schema_probe_task, "apply_async",
                        lambda args=(), kwargs=None, **options: seen.append(
                            connection.schema_name))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            with tenant_context(acme):
                enqueue_on_commit(schema_probe_task)
    assert seen == [acme.schema_name]


def test_plain_text_email_is_not_html_escaped(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to="a@example.com", template="email/password_reset",
                   context={"url": "http://x/?a=1&b=2", "name": "O'Brien & Co",
                            "site": "acme.localhost"}, language="en")
    body = mail.outbox[0].body
    assert "O'Brien & Co" in body
    assert "http://x/?a=1&b=2" in body
