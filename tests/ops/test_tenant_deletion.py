"""Deleting a canceled tenant after its retention period: the operator types the
subdomain; the schema, files, cache entries, domains, warm-pool entry, Stripe mappings
and every other public row pointing at the tenant go; the platform audit records stay.
Refused before the retention period ends and when the typed subdomain differs. And the
export download: a signed link that works for an operator allowed to export, expires,
and is refused to anyone else."""

import datetime
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from billing.models import ConnectedAccount, Subscription, Usage
from billing.services import subscription_ensure
from core.exceptions import ApplicationError, PermissionDeniedError
from shared import exports
from shared.deletion import DeletionRefusedError, tenant_purge
from shared.models import ExportStatus, OperatorRole, PlatformAudit, TenantExport
from tenants.models import Domain, PoolSchema, Tenant
from tenants.services import tenant_provision
from tests.conftest import TenantClient
from tests.factories import OperatorFactory, UserFactory
from tests.factories.users import operator_login, operator_with_role


def _operator(role=None):
    return operator_with_role(role)


def _client(user):
    return operator_login(TenantClient(settings.BASE_DOMAIN), user)


def _canceled(tenant, *, days_ago):
    subscription = subscription_ensure(tenant=tenant)
    Subscription.objects.filter(pk=subscription.pk).update(
        status="canceled", status_changed_at=timezone.now() - datetime.timedelta(days=days_ago),
        stripe_customer_id=f"cus_{tenant.slug}", stripe_subscription_id=f"sub_{tenant.slug}")
    Tenant.objects.filter(pk=tenant.pk).update(status="canceled")
    return Tenant.objects.get(pk=tenant.pk)


@pytest.fixture
def doomed(db):
    """A throwaway tenant (in the test's transaction: rolled back with it) with a file,
    a cache entry, a Stripe account, usage, an export and its file."""
    slug = f"del-{secrets.token_hex(3)}"
    with override_settings(TENANT_PROVISION_DEFAULTS=[]):
        tenant = tenant_provision(name="Doomed Co", slug=slug, owner_email=f"o@{slug}.example",
                                  owner_password="Owner-pass-2026").tenant
    media = exports.tenant_media_root(tenant.schema_name)
    (media / "catalog").mkdir(parents=True, exist_ok=True)
    (media / "catalog" / "a.png").write_bytes(b"png")
    with tenant_context(tenant):
        cache.set("settings-probe", 1)
    connection.set_schema_to_public()
    ConnectedAccount.objects.create(tenant=tenant, account_id=f"acct_{slug}")
    Usage.objects.create(tenant=tenant, orders=3)
    PoolSchema.objects.create(schema_name=tenant.schema_name, fingerprint="x")
    export = TenantExport.objects.create(tenant=tenant, status=ExportStatus.DONE,
                                         file_name=f"{tenant.schema_name}-1-20260101000000.zip")
    exports.export_path(export).write_bytes(b"zip")
    # the cached resolution of its host is warm
    assert TenantClient(tenant.host).get("/login/").status_code == 200
    from django.utils import translation

    translation.activate("en")  # the request above spoke the tenant's language
    yield tenant, media, exports.export_path(export)
    import shutil

    shutil.rmtree(media, ignore_errors=True)
    exports.export_path(export).unlink(missing_ok=True)


def test_deletion_purges_everything_but_the_audit_record(doomed):
    tenant, media, export_file = doomed
    tenant = _canceled(tenant, days_ago=settings.TENANT_RETENTION_DAYS + 1)
    PlatformAudit.objects.create(operator_email="ops@example.com", action="tenant.suspend",
                                 tenant=tenant, tenant_label=tenant.name)
    schema, pk, host = tenant.schema_name, tenant.pk, tenant.host
    operator = _operator(OperatorRole.ADMIN)
    response = _client(operator).post(f"/ops/tenants/{pk}/", {
        "action": "delete", "delete-confirm": tenant.slug, "delete-reason": "Retention over"})
    assert response.status_code == 302 and response["Location"] == "/ops/"
    assert not Tenant.objects.filter(pk=pk).exists()
    assert not schema_exists(schema)
    assert not media.exists() and not export_file.exists()
    assert not [key for key in cache._cache if key.startswith(f"{schema}:")]
    assert not Domain.objects.filter(tenant_id=pk).exists()
    assert not Domain.objects.filter(domain=host).exists()
    assert not PoolSchema.objects.filter(schema_name=schema).exists()
    assert not Subscription.objects.filter(tenant_id=pk).exists()
    assert not Subscription.objects.filter(stripe_customer_id=f"cus_{tenant.slug}").exists()
    assert not ConnectedAccount.objects.filter(tenant_id=pk).exists()
    assert not Usage.objects.filter(tenant_id=pk).exists()
    assert not TenantExport.objects.filter(tenant_id=pk).exists()
    assert set(PlatformAudit.objects.filter(tenant_id=pk).values_list("action", flat=True)) \
        == {"tenant.suspend", "tenant.delete"}
    record = PlatformAudit.objects.get(tenant_id=pk, action="tenant.delete")
    assert record.before["schema"] == schema and record.before["stripe_account"] == \
        f"acct_{tenant.slug}" and record.reason == "Retention over"
    # its host is now unknown: the cached resolution went with it
    assert TenantClient(host).get("/login/").status_code == 404


def test_deletion_is_refused_before_the_retention_period_ends(doomed):
    tenant, media, _file = doomed
    operator = _operator(OperatorRole.ADMIN)
    subscription_ensure(tenant=tenant)
    with pytest.raises(DeletionRefusedError, match="canceled"):
        tenant_purge(operator=operator, tenant=tenant, confirm=tenant.slug)
    tenant = _canceled(tenant, days_ago=5)
    with pytest.raises(DeletionRefusedError):
        tenant_purge(operator=operator, tenant=tenant, confirm=tenant.slug)
    page = _client(operator).post(f"/ops/tenants/{tenant.pk}/", {
        "action": "delete", "delete-confirm": tenant.slug})
    assert page.status_code == 409 and "kept until" in page.content.decode()
    # the clock moved past the retention period: allowed
    later = timezone.localdate() + datetime.timedelta(days=settings.TENANT_RETENTION_DAYS)
    tenant_purge(operator=operator, tenant=tenant, confirm=tenant.slug, today=later)
    assert not schema_exists(tenant.schema_name)


def test_deletion_is_refused_when_the_typed_subdomain_differs(doomed):
    tenant, media, _file = doomed
    tenant = _canceled(tenant, days_ago=settings.TENANT_RETENTION_DAYS + 1)
    operator = _operator(OperatorRole.ADMIN)
    with pytest.raises(ApplicationError, match="exactly"):
        tenant_purge(operator=operator, tenant=tenant, confirm="acme")
    page = _client(operator).post(f"/ops/tenants/{tenant.pk}/", {
        "action": "delete", "delete-confirm": tenant.slug.upper() + "x"})
    assert page.status_code == 400
    assert Tenant.objects.filter(pk=tenant.pk).exists() and schema_exists(tenant.schema_name)
    assert media.exists()
    with pytest.raises(PermissionDeniedError):
        tenant_purge(operator=_operator(OperatorRole.FINANCE), tenant=tenant,
                     confirm=tenant.slug)


# --- the download link ------------------------------------------------------------------


@pytest.fixture
def acme_export(acme):
    export = TenantExport.objects.create(
        tenant=acme, status=ExportStatus.DONE, size=3, sha256="x",
        file_name=f"{acme.schema_name}-9-20260101000000.zip",
        finished_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(hours=72))
    path = exports.export_path(export)
    path.write_bytes(b"zip")
    yield export
    path.unlink(missing_ok=True)


def test_the_download_link_works_for_an_operator_and_is_audited(acme, acme_export):
    operator = _operator(OperatorRole.FINANCE)
    client = _client(operator)
    page = client.get(f"/ops/tenants/{acme.pk}/").content.decode()
    url = exports.download_url(acme_export)
    assert 'data-testid="ops-export-download"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"zip"
    assert "attachment" in response["Content-Disposition"]
    record = PlatformAudit.objects.get(action="tenant.export_download", tenant_id=acme.pk)
    assert record.operator_email == operator.email and record.after["export"] == acme_export.pk
    # the export root is private: not under the media or static roots
    root = exports.export_root()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert Path(public).resolve() not in [root, *root.parents]


def test_the_download_link_expires(acme, acme_export, monkeypatch):
    client = _client(_operator())
    url = exports.download_url(acme_export)
    later = timezone.now() + datetime.timedelta(seconds=settings.TENANT_EXPORT_LINK_SECONDS + 5)
    import time

    monkeypatch.setattr(time, "time", lambda: later.timestamp())
    response = client.get(url)
    assert response.status_code == 410
    assert not PlatformAudit.objects.filter(action="tenant.export_download").exists()
    monkeypatch.undo()
    assert client.get(url.replace(url.rsplit(":", 1)[1], "forged/")).status_code == 404
    # a file past its keeping time is purged and its link dies with it
    TenantExport.objects.filter(pk=acme_export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert exports.exports_purge() == 1
    assert not exports.export_path(acme_export).exists()
    assert TenantExport.objects.get(pk=acme_export.pk).status == ExportStatus.EXPIRED
    assert client.get(url).status_code == 410


def test_the_download_link_refuses_everyone_else(acme, globex, acme_export, login_as):
    url = exports.download_url(acme_export)
    anonymous = TenantClient(settings.BASE_DOMAIN)
    assert anonymous.get(url).status_code == 302  # to the operators' sign-in
    anonymous.force_login(UserFactory(), backend="roles.backends.EmailBackend")
    assert anonymous.get(url).status_code == 403
    assert _client(_operator(OperatorRole.SUPPORT)).get(url).status_code == 403
    # under another tenant's id the link names no export
    assert _client(_operator()).get(url.replace(f"/{acme.pk}/", f"/{globex.pk}/")) \
        .status_code == 404
    # a tenant's staff on their own (or another tenant's) host do not reach /ops/ at all
    with tenant_context(globex):
        from django.contrib.auth import get_user_model

        owner = get_user_model().objects.get(email="owner@globex.example")
    connection.set_schema_to_public()
    for host, tenant in (("globex.localhost", globex), ("acme.localhost", acme)):
        client = TenantClient(host)
        if tenant == globex:
            login_as(client, globex, owner)
        assert client.get(url).status_code == 404
    assert not PlatformAudit.objects.filter(action="tenant.export_download").exists()


def test_the_export_card_polls_while_an_export_runs(acme):
    TenantExport.objects.create(tenant=acme, status=ExportStatus.RUNNING, progress=40,
                                step="tables")
    client = _client(_operator())
    page = client.get(f"/ops/tenants/{acme.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'aria-valuenow="40"' in page
    fragment = client.get(f"/ops/tenants/{acme.pk}/exports/")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "Writing the tables" in fragment.content.decode()
    assert client.post(f"/ops/tenants/{acme.pk}/", {"action": "export"}).status_code == 409


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_export_and_delete_cards_speak_the_readers_language(acme, acme_export, language):
    from tests.test_untranslated_sweep import english_runs, visible_text

    TenantExport.objects.create(tenant=acme, status=ExportStatus.RUNNING, progress=55,
                                step="files")
    subscription = subscription_ensure(tenant=acme)
    Subscription.objects.filter(pk=subscription.pk).update(
        status="canceled", status_changed_at=timezone.now() - datetime.timedelta(days=400))
    operator = OperatorFactory(email="olive@orderline.example", name="Olive Operator",
                               preferred_language=language)
    client = _client(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/ops/tenants/{acme.pk}/").content.decode()
    fragment = client.get(f"/ops/tenants/{acme.pk}/exports/").content.decode()
    for testid in ("ops-export-card", "ops-export-download", "ops-restore-form",
                   "ops-delete-form"):
        assert f'data-testid="{testid}"' in page
    if language == "en":
        assert "Delete for good" in page and "Copying the files" in fragment
    else:
        assert "永久删除" in page and "正在复制文件" in fragment
        from shared.impersonation import tenant_staff

        # the support card lists the tenant's staff by name: their data, not the interface
        allowed = {acme.name, acme.slug, acme.host, "Olive Operator", "Orderline",
                   *(label.split(" <")[0] for _pk, label in tenant_staff(acme))}
        assert english_runs(visible_text(page), allowed) == []
        assert english_runs(visible_text(fragment), allowed) == []
