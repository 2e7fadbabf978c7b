"""The operator console's tenant actions: suspend, reactivate, extend a trial, change the
plan and paid period; the plans; drift and the platform audit log. Each action goes
through the billing lifecycle, changes exactly what the entitlement table says, is
written to the append-only platform audit log, and is allowed by the operator role
table (a matrix)."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from billing.models import Plan
from billing.services import subscription_ensure
from shared.models import Impersonation, OperatorRole, PlatformAudit
from tenants.models import Tenant
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.factories.users import operator_login, operator_with_role


def _operator(role=None):
    return operator_with_role(role)


def _client(user):
    client = TenantClient("localhost")
    operator_login(client, user)
    return client


def test_only_operators_open_the_tenant_page(public_client, acme):
    assert public_client.get(f"/ops/tenants/{acme.pk}/").status_code == 302
    public_client.force_login(UserFactory(), backend="roles.backends.EmailBackend")
    assert public_client.get(f"/ops/tenants/{acme.pk}/").status_code == 403
    page = _client(_operator()).get(f"/ops/tenants/{acme.pk}/")
    assert page.status_code == 200 and 'data-testid="ops-usage"' in page.content.decode()
    assert _client(_operator()).get("/ops/tenants/999999/").status_code == 404


def test_suspend_and_reactivate_change_what_the_entitlement_table_says(acme, login_as):
    subscription_ensure(tenant=acme)
    operator = _operator(OperatorRole.ADMIN)
    client = _client(operator)
    refused = client.post(f"/ops/tenants/{acme.pk}/", {"action": "suspend",
                                                       "suspend-reason": " "})
    assert refused.status_code == 400
    assert Tenant.objects.get(pk=acme.pk).status != "suspended"
    done = client.post(f"/ops/tenants/{acme.pk}/", {"action": "suspend",
                                                    "suspend-reason": "Chargeback"})
    assert done.status_code == 302
    acme = Tenant.objects.get(pk=acme.pk)
    assert acme.status == "suspended"
    from billing.lifecycle import entitlement

    rights = entitlement(acme.status)
    assert rights.staff_sign_in and not rights.can_order and not rights.can_write
    shop = TenantClient("acme.localhost")
    from django_tenants.utils import tenant_context
    from ordering.customers.models import CustomerLogin

    with tenant_context(acme):
        dealer = CustomerLogin.objects.select_related("user").first()
    if dealer is not None:
        login_as(shop, acme, dealer.user)
        paused = shop.get("/shop/")
        assert paused.status_code == 403
    record = PlatformAudit.objects.get(action="tenant.suspend")
    assert (record.operator_email, record.reason, record.tenant_id) == (
        operator.email, "Chargeback", acme.pk)
    assert record.before["status"] != "suspended" and record.after["status"] == "suspended"
    client.post(f"/ops/tenants/{acme.pk}/", {"action": "reactivate",
                                             "reactivate-reason": "Paid by transfer"})
    acme = Tenant.objects.get(pk=acme.pk)
    assert acme.status in ("trial", "active")
    assert PlatformAudit.objects.filter(action="tenant.reactivate", tenant_id=acme.pk).exists()


def test_extend_a_trial_and_change_the_plan_by_hand(acme):
    subscription = subscription_ensure(tenant=acme)
    type(subscription).objects.filter(pk=subscription.pk).update(
        trial_ends_at=timezone.now() + datetime.timedelta(days=2), stripe_subscription_id=None)
    Tenant.objects.filter(pk=acme.pk).update(status="trial", plan="trial")
    client = _client(_operator(OperatorRole.FINANCE))
    assert client.post(f"/ops/tenants/{acme.pk}/", {
        "action": "trial", "trial-days": "200", "trial-reason": "x"}).status_code == 400
    client.post(f"/ops/tenants/{acme.pk}/", {"action": "trial", "trial-days": "10",
                                             "trial-reason": "Trade fair lead"})
    subscription.refresh_from_db()
    assert subscription.trial_ends_at.date() == (timezone.now() + datetime.timedelta(days=12)
                                                 ).date()
    until = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(f"/ops/tenants/{acme.pk}/", {
        "action": "plan", "plan-plan": "pro", "plan-interval": "month",
        "plan-period_end": until.isoformat(), "plan-reason": "Invoice 2026-118 paid"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.plan.code, subscription.status, subscription.manual) == (
        "pro", "active", True)
    assert subscription.current_period_end.date() == until
    assert Tenant.objects.get(pk=acme.pk).plan == "pro"
    assert list(PlatformAudit.objects.filter(tenant_id=acme.pk).values_list(
        "action", flat=True).order_by("id")) == ["tenant.trial_extend", "tenant.plan_change"]


def test_a_plan_below_what_the_tenant_uses_is_refused_on_the_form(acme):
    subscription_ensure(tenant=acme)
    Plan.objects.filter(code="basic").update(max_customers=0)
    client = _client(_operator())
    response = client.post(f"/ops/tenants/{acme.pk}/", {
        "action": "plan", "plan-plan": "basic", "plan-interval": "month",
        "plan-period_end": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "plan-reason": "Downgrade asked"})
    from django_tenants.utils import tenant_context
    from ordering.customers.models import Customer

    with tenant_context(acme):
        has_customers = Customer.objects.exists()
    if has_customers:
        assert response.status_code == 400
        assert not PlatformAudit.objects.filter(action="tenant.plan_change").exists()


def _acme_owner(acme):
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    with tenant_context(acme):
        return get_user_model().objects.get(email="owner@acme.example")


@pytest.mark.parametrize("role, allowed", [
    (OperatorRole.ADMIN, {"view", "lifecycle", "billing", "audit", "operators", "impersonate",
                          "impersonate_write", "export", "restore", "delete", "domains",
                          "owner_invite"}),
    (OperatorRole.FINANCE, {"view", "lifecycle", "billing", "audit", "export"}),
    (OperatorRole.SUPPORT, {"view", "audit", "impersonate", "owner_invite"}),
])
def test_each_operator_role_does_exactly_what_the_table_says(acme, role, allowed,
                                                              monkeypatch):
    from shared import exports
    from shared.models import ExportStatus, TenantExport
    from shared.operators import OPS_PERMISSIONS

    assert {what for what, roles in OPS_PERMISSIONS.items() if role in roles} == allowed
    monkeypatch.setattr("shared.tasks.tenant_export_task.apply_async", lambda *a, **k: None)
    subscription_ensure(tenant=acme)
    client = _client(_operator(role))
    plan = Plan.objects.get(code="pro")
    done = TenantExport.objects.create(tenant=acme, status=ExportStatus.DONE, file_name="")
    # "restore" and "delete" pass the role check and are then refused by their own rule
    # (no file; not canceled): a 403 means the role, anything else the rule
    owner = _acme_owner(acme)
    support = client.post(f"/ops/tenants/{acme.pk}/", {
        "action": "impersonate", "impersonate-user": owner.pk, "impersonate-reason": "matrix"})
    opened = support.status_code == 302 and "/impersonate/" in support.url
    if opened:  # then try the second step in the support session
        session = TenantClient("acme.localhost")
        session.get("/" + support.url.split("/", 3)[3])
        session.post("/impersonate/writes/", {"reason": "matrix"})
    seen = {
        "domains": client.post(f"/ops/tenants/{acme.pk}/", {
            "action": "domain_add", "domain_add-domain": "matrix.acme-drinks.example"})
        .status_code == 302,
        "owner_invite": client.post(f"/ops/tenants/{acme.pk}/", {"action": "owner_invite"})
        .status_code == 302,
        "impersonate": opened,
        "impersonate_write": Impersonation.objects.filter(writes_at__isnull=False).exists(),
        "view": client.get(f"/ops/tenants/{acme.pk}/").status_code == 200,
        "audit": client.get("/ops/audit/").status_code == 200,
        "operators": client.get("/ops/operators/").status_code == 200,
        "billing": client.get(f"/ops/plans/{plan.pk}/").status_code == 200,
        "lifecycle": client.post(f"/ops/tenants/{acme.pk}/", {
            "action": "suspend", "suspend-reason": "matrix"}).status_code == 302,
        "export": client.post(f"/ops/tenants/{acme.pk}/", {"action": "export"})
        .status_code == 302 and client.get(exports.download_url(done)).status_code == 404,
        "restore": client.post(f"/ops/tenants/{acme.pk}/", {
            "action": "restore", "restore-export": done.pk, "restore-slug": "matrix-copy"})
        .status_code not in (403,),
        "delete": client.post(f"/ops/tenants/{acme.pk}/", {
            "action": "delete", "delete-confirm": "acme"}).status_code not in (403,),
    }
    assert {what for what, ok in seen.items() if ok} == allowed


def test_plans_are_edited_and_audited(db):
    plan = Plan.objects.get(code="basic")
    client = _client(_operator())
    page = client.get(f"/ops/plans/{plan.pk}/").content.decode()
    assert 'name="price_CNY_month"' in page
    response = client.post(f"/ops/plans/{plan.pk}/", {
        "max_staff": "5", "max_customers": "", "max_skus": "800", "max_orders": "600",
        "max_storage": "2048", "is_public": "on", "price_CNY_month": "299.00",
        "price_CNY_year": "2990.00"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.max_staff, plan.max_customers, plan.max_skus) == (5, None, 800)
    assert plan.prices.get(currency="CNY", interval="month").amount == 299
    record = PlatformAudit.objects.get(action="plan.update")
    assert record.after["max_staff"] == 5
    assert client.post(f"/ops/plans/{plan.pk}/", {"price_CNY_month": "-1",
                                                  "price_CNY_year": "1"}).status_code == 400


def test_the_platform_audit_log_cannot_be_changed_or_deleted(db):
    record = PlatformAudit.objects.create(operator_email="x@example.com", action="probe")
    for sql in ("UPDATE shared_platformaudit SET reason = 'changed' WHERE id = %s",
                "DELETE FROM shared_platformaudit WHERE id = %s"):
        with pytest.raises((IntegrityError, InternalError, ProgrammingError)):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [record.pk])
    assert PlatformAudit.objects.filter(pk=record.pk, reason="").exists()


def test_the_audit_log_and_drift_pages_list_and_search(db):
    PlatformAudit.objects.create(operator_email="ops@example.com", action="tenant.suspend",
                                 tenant_label="Acme (acme)", reason="Chargeback")
    PlatformAudit.objects.create(operator_email="ops@example.com", action="plan.update",
                                 reason="basic")
    client = _client(_operator(OperatorRole.SUPPORT))
    page = client.get("/ops/audit/?q=chargeback").content.decode()
    assert page.count('data-testid="audit-row"') == 1
    assert client.get("/ops/billing/drift/").status_code == 200


def test_the_audit_log_exports_as_searched_and_the_export_is_recorded(db):
    PlatformAudit.objects.create(operator_email="ops@example.com", action="tenant.suspend",
                                 tenant_label="Acme (acme)", reason="=HYPERLINK(\"x\")",
                                 after={"status": "suspended"})
    PlatformAudit.objects.create(operator_email="ops@example.com", action="plan.update",
                                 reason="basic")
    operator = _operator(OperatorRole.SUPPORT)
    response = _client(operator).get("/ops/audit/?q=acme&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="orderline-audit-')
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "tenant.suspend" in lines[1] and "plan.update" not in text
    assert "'=HYPERLINK" in text  # a formula stays text in a spreadsheet
    assert PlatformAudit.objects.filter(action="audit.export",
                                        operator_email=operator.email).exists()


def test_the_tenant_list_filters_sorts_and_shows_the_counted_usage(acme, globex,
                                                                  django_assert_max_num_queries):
    from billing.models import Usage

    Usage.objects.update_or_create(tenant=acme, defaults={"orders": 321, "storage": 12})
    Tenant.objects.filter(pk=globex.pk).update(status="suspended")
    client = _client(_operator(OperatorRole.SUPPORT))
    page = client.get("/ops/?sort=orders").content.decode()
    assert 'data-testid="tenant-orders">321<' in page
    assert page.index("acme.localhost") < page.index("globex.localhost")
    suspended = client.get("/ops/?status=suspended").content.decode()
    assert "globex.localhost" in suspended and "acme.localhost" not in suspended
    assert "acme.localhost" in client.get("/ops/?q=acme").content.decode()
    client.get("/ops/")
    with django_assert_max_num_queries(12):
        client.get("/ops/?sort=storage")


def test_the_tenant_list_filters_by_creation_date_and_last_activity(acme, globex):
    from billing.models import Usage

    now = timezone.now()
    Tenant.objects.filter(pk=acme.pk).update(created_at=now - datetime.timedelta(days=400))
    Tenant.objects.filter(pk=globex.pk).update(created_at=now - datetime.timedelta(days=3))
    Usage.objects.update_or_create(tenant=acme, defaults={
        "last_activity_at": now - datetime.timedelta(days=45)})
    Usage.objects.update_or_create(tenant=globex, defaults={
        "last_activity_at": now - datetime.timedelta(days=1)})
    client = _client(_operator(OperatorRole.SUPPORT))

    def hosts(query):
        page = client.get(f"/ops/?{query}").content.decode()
        return {slug for slug in ("acme", "globex") if f"{slug}.localhost" in page}

    week_ago = (now - datetime.timedelta(days=7)).date().isoformat()
    assert hosts(f"created_from={week_ago}") == {"globex"}
    assert hosts(f"created_to={week_ago}") == {"acme"}
    assert hosts("created_from=not-a-date") == {"acme", "globex"}  # ignored, not a 500
    assert hosts("activity=7d") == {"globex"}
    assert hosts("activity=idle30") == {"acme"}
    assert hosts("activity=30d") == {"globex"}
    Usage.objects.filter(tenant=globex).update(last_activity_at=None)
    assert hosts("activity=never") == {"globex"}
    page = client.get("/ops/?sort=activity&activity=&created_from=2020-01-01").content.decode()
    assert 'created_from=2020-01-01' in page or "2020-01-01" in page


def test_usage_refresh_records_the_latest_sign_in_or_order(acme):
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from billing.models import Usage
    from billing.services import usage_refresh

    moment = timezone.now() - datetime.timedelta(hours=5)
    with tenant_context(acme):
        get_user_model().objects.filter(email="owner@acme.example").update(last_login=moment)
    usage_refresh(tenant=acme)
    assert Usage.objects.get(tenant=acme).last_activity_at >= moment
