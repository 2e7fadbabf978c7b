"""Nobody but a system administrator manages staff, roles, API keys or billing
(SPEC §3), whatever their other roles hold; and the edge cases review found."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, PermissionDeniedError
from roles.catalog import ADMINISTRATOR_ONLY, CODENAMES
from roles.models import ApiKey, AuditLog, LoginLog, Region, Role
from roles.permissions import can_reach
from roles.services import role_admin
from roles.services import staff as staff_services
from roles.services.api_keys import api_key_create
from roles.services.regions import region_create
from tests.conftest import TenantClient
from tests.factories.roles import staff_with_roles

User = get_user_model()


def _owner():
    return User.objects.get(email="owner@acme.example")


@pytest.mark.parametrize("perm", sorted(ADMINISTRATOR_ONLY))
def test_custom_roles_cannot_hold_administrator_only_permissions(in_acme, perm):
    with pytest.raises(ApplicationError) as info:
        role_admin.role_create(actor=_owner(), name_en="Sneaky", permissions=[perm, "view_orders"])
    assert info.value.code == "administrator_only"
    assert not Role.objects.filter(name_en="Sneaky").exists()
    role = role_admin.role_create(actor=_owner(), name_en="Plain", permissions=["view_orders"])
    with pytest.raises(ApplicationError):
        role_admin.role_update(actor=_owner(), role=role, name_en="Plain",
                               permissions=["view_orders", perm])


def test_api_refuses_a_custom_role_with_staff_management(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
    response = acme_client.post("/api/v1/roles/", {"name_en": "Backdoor",
                                                    "permissions": ["manage_staff"]},
                                content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "administrator_only"


@pytest.mark.parametrize("write", ["invite", "update", "disable", "reset", "role", "key"])
def test_services_refuse_non_administrators_whatever_the_view_checked(in_acme, write):
    lead = staff_with_roles("business_lead")
    member = staff_with_roles("sales_rep")
    admin_role = Role.objects.get(key="system_administrator")
    before = (set(member.groups.values_list("pk", flat=True)), member.is_active,
              AuditLog.objects.count(), ApiKey.objects.count(), Role.objects.count())
    calls = {
        "invite": lambda: staff_services.staff_invite(
            actor=lead, email="new@acme.example", name="N", roles=[admin_role],
            site_url="http://acme.localhost"),
        "update": lambda: staff_services.staff_update(
            actor=lead, user=lead, name="L", phone="", roles=[admin_role]),
        "disable": lambda: staff_services.staff_set_active(actor=lead, user=_owner(),
                                                           active=False),
        "reset": lambda: staff_services.staff_send_password_reset(
            actor=lead, user=_owner(), site_url="http://acme.localhost"),
        "role": lambda: role_admin.role_create(actor=lead, name_en="X",
                                               permissions=["view_orders"]),
        "key": lambda: api_key_create(actor=lead, user=_owner(), name="owner key"),
    }
    with pytest.raises(PermissionDeniedError):
        calls[write]()
    member.refresh_from_db()
    assert before == (set(member.groups.values_list("pk", flat=True)), member.is_active,
                      AuditLog.objects.count(), ApiKey.objects.count(), Role.objects.count())
    assert not User.objects.filter(email="new@acme.example").exists()


def test_rejected_api_patch_changes_nothing(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = _owner()
        login_as(acme_client, acme, owner)
        audits = AuditLog.objects.count()
    response = acme_client.patch(f"/api/v1/staff/{owner.pk}/",
                                 {"name": "Changed Anyway", "is_active": False},
                                 content_type="application/json")
    assert response.status_code == 400
    with tenant_context(acme):
        owner.refresh_from_db()
        assert owner.name != "Changed Anyway" and owner.is_active
        assert AuditLog.objects.count() == audits


def test_reenabling_does_not_revive_old_sessions_or_keys(acme, login_as):
    with tenant_context(acme):
        member = staff_with_roles("business_lead")
        key, raw = api_key_create(actor=_owner(), user=member, name="ERP")
    browser = TenantClient("acme.localhost")
    login_as(browser, acme, member)
    assert browser.get("/dashboard/").status_code == 200
    with tenant_context(acme):
        staff_services.staff_set_active(actor=_owner(), user=member, active=False)
        staff_services.staff_set_active(actor=_owner(), user=member, active=True)
        key.refresh_from_db()
        assert key.revoked_at is not None
    assert browser.get("/dashboard/").status_code == 302
    assert TenantClient("acme.localhost").get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401


@pytest.mark.parametrize(("path", "params"), [
    ("/dashboard/staff/", {"role": "²"}),
    ("/api/v1/staff/", {"role": "²"}),
    ("/dashboard/audit/", {"since": "garbage", "until": "2026-13-45"}),
])
def test_odd_filters_are_ignored_not_a_500(acme, acme_client, login_as, path, params):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
    assert acme_client.get(path, params).status_code == 200


@pytest.mark.parametrize("path", ["/dashboard/staff/?q=a%00b", "/login/?next=%00"])
def test_nul_bytes_are_a_clear_400(acme, acme_client, login_as, path):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
    assert acme_client.get(path).status_code == 400


def test_nul_byte_in_a_form_post_is_a_400(acme_client):
    assert acme_client.post("/login/", {"username": "a\x00b", "password": "x"}).status_code == 400


def test_a_deleted_custom_role_name_can_be_used_again(in_acme):
    first = role_admin.role_create(actor=_owner(), name_en="Again", permissions=["view_orders"])
    role_admin.role_create(actor=_owner(), name_en="Other", permissions=["view_orders"])
    role_admin.role_delete(actor=_owner(), role=first)
    role_admin.role_create(actor=_owner(), name_en="Other", permissions=["view_orders"])
    entry = AuditLog.objects.filter(action="role.delete").latest("id")
    assert entry.before["members"] == []


def test_logs_are_append_only_in_bulk_too(in_acme):
    AuditLog.objects.create(action="probe")
    LoginLog.objects.create(identifier="x@example.com", success=False)
    with pytest.raises(ValueError):
        AuditLog.objects.update(action="rewritten")
    with pytest.raises(ValueError):
        AuditLog.objects.all().delete()
    with pytest.raises(ValueError):
        LoginLog.objects.filter(success=False).delete()
    with pytest.raises(ValueError):
        LoginLog.objects.first().delete()


def test_deleting_an_account_keeps_its_log_rows(in_acme):
    user = staff_with_roles("sales_rep", email="leaver@acme.example")
    entry = AuditLog.objects.create(actor=user, actor_label=user.email, action="probe")
    user.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_label == "leaver@acme.example"


def test_can_reach_refuses_models_that_declare_no_scope(in_acme):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        can_reach(staff_with_roles("sales_rep"), _owner())


def test_region_api_shows_scoped_users_only_their_regions(acme, acme_client, login_as):
    from guardian.shortcuts import assign_perm

    with tenant_context(acme):
        south = region_create(actor=None, name="South")
        city = region_create(actor=None, name="South City", parent=south)
        region_create(actor=None, name="North")
        manager = staff_with_roles("regional_manager")
        assign_perm("roles.work_in_region", manager, south)
        login_as(acme_client, acme, manager)
    names = {row["name"] for row in acme_client.get("/api/v1/regions/").json()}
    assert names == {"South", "South City"}
    assert city.parent_id == south.pk


def test_top_level_region_names_are_unique(in_acme):
    region_create(actor=None, name="Hebei")
    with pytest.raises(ApplicationError):
        region_create(actor=None, name="Hebei")


def test_role_page_reveals_nothing_before_the_permission_check(acme, acme_client, login_as):
    assert TenantClient("acme.localhost").get("/dashboard/roles/999999/").status_code == 302
    with tenant_context(acme):
        login_as(acme_client, acme, staff_with_roles("sales_rep"))
        existing = Role.objects.get(key="sales_rep").pk
    assert acme_client.get("/dashboard/roles/999999/").status_code == 403
    assert acme_client.get(f"/dashboard/roles/{existing}/").status_code == 403
