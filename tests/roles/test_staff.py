"""Staff management: invitations, roles (union), custom roles, the last administrator,
disabling, API keys and the audit trail."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from roles.models import ApiKey, AuditLog, Role
from roles.permissions import has_perm, user_permissions
from roles.services import role_admin
from roles.services import staff as staff_services
from roles.services.api_keys import api_key_authenticate, api_key_create, api_key_revoke
from tests.conftest import TenantClient
from tests.factories.roles import staff_with_roles

User = get_user_model()


def _owner():
    return User.objects.get(email="owner@acme.example")


def _role(key):
    return Role.objects.get(key=key)


def test_invitation_email_link_sets_the_password_and_signs_in(acme, acme_client, login_as,
                                                              django_capture_on_commit_callbacks):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
        role_id = _role("order_reviewer").pk
    with django_capture_on_commit_callbacks(execute=True):
        response = acme_client.post("/dashboard/staff/invite/", {
            "email": "Nina@Acme.example", "name": "Nina", "phone": "", "language": "en",
            "roles": [role_id]})
    assert response.status_code == 302
    with tenant_context(acme):
        nina = User.objects.get(email="nina@acme.example")
        assert not nina.has_usable_password()
        assert user_permissions(nina) >= {"review_orders"}
        entry = AuditLog.objects.get(action="staff.invite")
        assert entry.actor.email == "owner@acme.example"
        assert entry.after["roles"] == [role_id]
    message = mail.outbox[-1]
    assert message.to == ["nina@acme.example"]
    path = re.search(r"http://acme\.localhost(/password/reset/\S+/)", message.body).group(1)
    client = TenantClient("acme.localhost")
    form = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form, {"new_password1": "Nina-pass-2026", "new_password2": "Nina-pass-2026"})
    response = client.post("/login/", {"username": "nina@acme.example",
                                       "password": "Nina-pass-2026"})
    assert response.status_code == 302 and response.url == "/dashboard/"


def test_invite_needs_a_role_and_a_new_email(in_acme):
    with pytest.raises(ApplicationError):
        staff_services.staff_invite(actor=_owner(), email="x@acme.example", name="X", roles=[],
                                    site_url="http://acme.localhost")
    with pytest.raises(ApplicationError) as info:
        staff_services.staff_invite(actor=_owner(), email="OWNER@acme.example", name="Dup",
                                    roles=[_role("sales_rep")], site_url="http://acme.localhost")
    assert info.value.code == "email_taken"


def test_two_roles_give_exactly_the_union(in_acme):
    user = staff_with_roles("shipping_clerk", "finance_reviewer")
    assert has_perm(user, "ship_orders") and has_perm(user, "finance_review")
    assert not has_perm(user, "review_orders")
    expected = set()
    for key in ("shipping_clerk", "finance_reviewer"):
        expected |= set(_role(key).group.permissions.values_list("codename", flat=True))
    assert user_permissions(user) == expected


def test_custom_role_grants_exactly_its_permissions(in_acme):
    role = role_admin.role_create(actor=_owner(), name_en="Catalog editor", name_zh="商品编辑",
                                  permissions=["view_catalog", "manage_catalog"])
    user = staff_with_roles()
    user.groups.add(role.group)
    assert user_permissions(user) == {"view_catalog", "manage_catalog"}
    role_admin.role_update(actor=_owner(), role=role, name_en="Catalog editor",
                           permissions=["view_catalog"])
    user = User.objects.get(pk=user.pk)
    assert user_permissions(user) == {"view_catalog"}
    role_admin.role_delete(actor=_owner(), role=role)
    assert not Role.objects.filter(pk=role.pk).exists()
    assert user_permissions(User.objects.get(pk=user.pk)) == frozenset()
    assert [e.action for e in AuditLog.objects.order_by("id")][-3:] == [
        "role.create", "role.update", "role.delete"]


@pytest.mark.parametrize("bad", [[], ["not_a_permission"]])
def test_custom_role_validation(in_acme, bad):
    with pytest.raises(ApplicationError):
        role_admin.role_create(actor=_owner(), name_en="Bad", permissions=bad)
    with pytest.raises(ApplicationError):
        role_admin.role_create(actor=_owner(), name_en="", name_zh="", permissions=["view_orders"])


def test_built_in_roles_cannot_be_changed_or_deleted(in_acme, acme, acme_client, login_as):
    role = _role("sales_rep")
    with pytest.raises(ApplicationError):
        role_admin.role_delete(actor=_owner(), role=role)
    with pytest.raises(ApplicationError):
        role_admin.role_update(actor=_owner(), role=role, name_en="X", permissions=["view_orders"])
    login_as(acme_client, acme, _owner())
    response = acme_client.delete(f"/api/v1/roles/{role.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "builtin_role"
    assert Role.objects.filter(pk=role.pk).exists()


def test_last_administrator_cannot_be_demoted_disabled_or_removed(in_acme):
    owner = _owner()
    with pytest.raises(staff_services.LastAdministratorError):
        staff_services.staff_update(actor=owner, user=owner, name="Owner", phone="",
                                    roles=[_role("business_lead")])
    with pytest.raises(staff_services.LastAdministratorError):
        staff_services.staff_set_active(actor=owner, user=owner, active=False)
    owner.refresh_from_db()
    assert owner.is_active and owner.groups.filter(role__key="system_administrator").exists()
    # with a second administrator, the first may step down
    second = staff_with_roles("system_administrator")
    staff_services.staff_update(actor=second, user=owner, name="Owner", phone="",
                                roles=[_role("business_lead")])
    with pytest.raises(staff_services.LastAdministratorError):
        staff_services.staff_set_active(actor=second, user=second, active=False)


def test_last_administrator_rule_over_the_api(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = _owner()
        login_as(acme_client, acme, owner)
        lead = _role("business_lead").pk
    response = acme_client.patch(f"/api/v1/staff/{owner.pk}/", {"roles": [lead]},
                                 content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "last_administrator"
    response = acme_client.patch(f"/api/v1/staff/{owner.pk}/", {"is_active": False},
                                 content_type="application/json")
    assert response.status_code == 400


def test_disabled_member_session_and_api_key_are_refused_at_once(acme, login_as):
    with tenant_context(acme):
        member = staff_with_roles("business_lead")
        _key, raw = api_key_create(actor=_owner(), user=member, name="ERP")
    browser = TenantClient("acme.localhost")
    login_as(browser, acme, member)
    api = TenantClient("acme.localhost")
    assert browser.get("/dashboard/").status_code == 200
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    with tenant_context(acme):
        staff_services.staff_set_active(actor=_owner(), user=member, active=False)
    assert browser.get("/dashboard/").status_code == 302  # signed out
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401
    with tenant_context(acme):
        assert AuditLog.objects.filter(action="staff.disable", object_id=str(member.pk)).exists()


def test_api_key_is_shown_once_stored_hashed_and_records_use(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
        owner_pk = _owner().pk
    response = acme_client.post("/dashboard/api-keys/", {"name": "ERP sync", "user": owner_pk})
    assert response.status_code == 200
    raw = re.search(r'data-testid="new-key-value">(ol_[^<]+)<', response.content.decode()).group(1)
    with tenant_context(acme):
        key = ApiKey.objects.get(name="ERP sync")
        assert raw not in key.key_hash and key.prefix in raw
        assert key.last_used_at is None
    assert raw not in acme_client.get("/dashboard/api-keys/").content.decode()
    api = TenantClient("acme.localhost")
    body = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").json()
    assert body["email"] == "owner@acme.example"
    assert api.get("/api/v1/staff/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    with tenant_context(acme):
        key.refresh_from_db()
        assert key.last_used_at is not None
        api_key_revoke(actor=_owner(), key=key)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Api-Key ol_nonsense_x").status_code == 401


def test_api_key_acts_with_its_users_permissions(in_acme):
    clerk = staff_with_roles("shipping_clerk")
    _key, raw = api_key_create(actor=_owner(), user=clerk, name="Label printer")
    assert api_key_authenticate(raw) == clerk
    client = TenantClient("acme.localhost")
    assert client.get("/api/v1/staff/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 403


def test_api_key_of_acme_is_refused_on_globex(acme, globex):
    with tenant_context(acme):
        _key, raw = api_key_create(actor=_owner(), user=_owner(), name="acme only")
    response = TenantClient("globex.localhost").get("/api/v1/me/",
                                                    HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


def test_acme_staff_get_nothing_from_globex(acme, globex, login_as):
    with tenant_context(acme):
        owner = _owner()
    with tenant_context(globex):
        globex_member = staff_with_roles("sales_rep", email="g-member@globex.example")
    client = TenantClient("acme.localhost")
    login_as(client, acme, owner)
    # acme's session cookie on globex's host is anonymous there
    stolen = TenantClient("globex.localhost")
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    assert stolen.get("/api/v1/staff/").status_code == 401
    assert stolen.get("/dashboard/staff/").status_code == 302
    # a globex id on acme's host is simply not there
    response = client.get(f"/api/v1/staff/{globex_member.pk}/")
    assert response.status_code == 404 or response.json()["email"] != "g-member@globex.example"
    assert "g-member@globex.example" not in client.get("/api/v1/staff/").content.decode()


def test_audit_log_is_append_only(in_acme):
    entry = AuditLog.objects.create(action="probe")
    entry.action = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_audit_and_login_log_pages_filter(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = _owner()
        member = staff_with_roles("sales_rep", email="filter-me@acme.example")
        staff_services.staff_set_active(actor=owner, user=member, active=False)
        login_as(acme_client, acme, owner)
    body = acme_client.get("/dashboard/audit/", {"action": "staff.disable"}).content.decode()
    assert "filter-me@acme.example" in body
    body = acme_client.get("/dashboard/audit/", {"action": "role."}).content.decode()
    assert "filter-me@acme.example" not in body
    TenantClient("acme.localhost").post("/login/", {"username": "ghost@acme.example",
                                                    "password": "x"})
    body = acme_client.get("/dashboard/audit/logins/", {"result": "failed"}).content.decode()
    assert "ghost@acme.example" in body
    data = acme_client.get("/api/v1/login-log/", {"result": "failed"}).json()
    assert any(row["identifier"] == "ghost@acme.example" for row in data["results"])


def test_staff_page_actions(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = _owner()
        member = staff_with_roles("sales_rep")
        login_as(acme_client, acme, owner)
        lead = _role("business_lead").pk
    response = acme_client.post(f"/dashboard/staff/{member.pk}/", {
        "action": "save", "name": "Renamed", "phone": "", "roles": [lead]})
    assert response.status_code == 302
    with tenant_context(acme):
        member.refresh_from_db()
        assert member.name == "Renamed"
        assert set(member.groups.values_list("role__key", flat=True)) == {"business_lead"}
    acme_client.post(f"/dashboard/staff/{member.pk}/", {"action": "disable"})
    with tenant_context(acme):
        member.refresh_from_db()
        assert not member.is_active
    # the last administrator cannot disable themselves: the page says why
    response = acme_client.post(f"/dashboard/staff/{owner.pk}/", {"action": "disable"},
                                follow=True)
    assert "last active system administrator" in response.content.decode()
    response = acme_client.post(f"/dashboard/staff/{member.pk}/", {
        "action": "save", "name": "X", "phone": "", "roles": []})
    assert response.status_code == 400


def test_profile_password_and_company_changes_are_audited(acme, acme_client, login_as):
    from tests.factories import PASSWORD

    with tenant_context(acme):
        owner = _owner()
        owner.set_password(PASSWORD)
        owner.save()
        login_as(acme_client, acme, owner)
    acme_client.post("/dashboard/profile/", {"name": "Alice", "phone": "",
                                             "preferred_language": "en"})
    acme_client.post("/password/change/", {"old_password": PASSWORD,
                                           "new_password1": "Changed-pass-2026",
                                           "new_password2": "Changed-pass-2026"})
    acme_client.post("/dashboard/settings/company/", {"name": "Acme Audited",
                                                      "default_language": "en",
                                                      "currency": "CNY"})
    with tenant_context(acme):
        actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
        assert actions[-3:] == ["user.profile_update", "user.password_change", "company.update"]
        entry = AuditLog.objects.get(action="company.update")
        assert entry.before["name"] == "Acme Beverages" and entry.after["name"] == "Acme Audited"
        assert entry.actor_id == owner.pk


def test_password_reset_and_api_keys_over_the_api(acme, acme_client, login_as,
                                                  django_capture_on_commit_callbacks):
    with tenant_context(acme):
        owner = _owner()
        member = staff_with_roles("shipping_clerk", email="api-reset@acme.example")
        login_as(acme_client, acme, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = acme_client.post(f"/api/v1/staff/{member.pk}/password-reset/")
    assert response.status_code == 202
    assert mail.outbox[-1].to == ["api-reset@acme.example"]
    assert "/password/reset/" in mail.outbox[-1].body

    response = acme_client.post("/api/v1/api-keys/", {"name": "WMS", "user": member.pk},
                                content_type="application/json")
    assert response.status_code == 201
    raw, key_id = response.json()["key"], response.json()["id"]
    listed = acme_client.get("/api/v1/api-keys/").json()["results"]
    assert [row["name"] for row in listed] == ["WMS"] and "key" not in listed[0]
    api = TenantClient("acme.localhost")
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").json()["email"] == \
        "api-reset@acme.example"
    assert acme_client.delete(f"/api/v1/api-keys/{key_id}/").status_code == 204
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401


def test_api_key_endpoints_are_for_administrators(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, staff_with_roles("business_lead"))
        owner_pk = _owner().pk
    assert acme_client.get("/api/v1/api-keys/").status_code == 403
    response = acme_client.post("/api/v1/api-keys/", {"name": "x", "user": owner_pk},
                                content_type="application/json")
    assert response.status_code == 403
    assert acme_client.post(f"/api/v1/staff/{owner_pk}/password-reset/").status_code == 403
    with tenant_context(acme):
        assert not ApiKey.objects.exists()
