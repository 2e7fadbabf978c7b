"""The permission catalog and the built-in roles, pinned."""

from django.contrib.auth.models import Permission
from django.utils import translation

from roles.catalog import BUILTIN_ROLES, CODENAMES, PERMISSIONS
from roles.models import Role
from tenants import schemas
from tenants.enums import ProvisionPath
from tenants.services import tenant_provision
from django_tenants.utils import tenant_context

PINNED = {
    "view_catalog", "manage_catalog", "manage_prices", "view_customers", "manage_customers",
    "access_all_customers", "view_orders", "place_orders", "cancel_orders", "review_orders",
    "amend_orders", "finance_review", "outbound_review", "manage_stock", "ship_orders",
    "manage_returns", "record_payments", "confirm_payments", "adjust_balances",
    "view_finance", "manage_credit", "manage_statements", "manage_quotes", "manage_promotions",
    "view_reports",
    "export_data",
    "manage_settings", "manage_announcements", "manage_staff", "manage_roles",
    "manage_api_keys", "manage_billing", "view_audit_log",
}


def test_catalog_is_pinned_and_has_at_least_27_permissions():
    assert CODENAMES == PINNED
    assert len(PERMISSIONS) == len(CODENAMES) >= 27


def test_every_permission_has_english_and_chinese_labels():
    for perm in PERMISSIONS:
        with translation.override("en"):
            english = str(perm.label)
        with translation.override("zh-hans"):
            chinese = str(perm.label)
        assert english and chinese != english, perm.codename


def test_each_tenant_has_the_catalog_and_the_eight_roles(in_acme):
    assert set(Permission.objects.filter(content_type__app_label="roles")
               .values_list("codename", flat=True)) >= CODENAMES
    for builtin in BUILTIN_ROLES:
        role = Role.objects.get(key=builtin.key)
        assert role.builtin
        assert set(role.group.permissions.values_list("codename", flat=True)) == set(
            builtin.permissions)


def test_administrator_has_everything_and_only_it_manages_staff():
    by_key = {role.key: role for role in BUILTIN_ROLES}
    assert by_key["system_administrator"].permissions == CODENAMES
    holders = {role.key for role in BUILTIN_ROLES if "manage_staff" in role.permissions}
    assert holders == {"system_administrator"}
    scoped = {role.key for role in BUILTIN_ROLES if "access_all_customers" not in role.permissions}
    assert scoped == {"regional_manager", "sales_rep"}


def test_tenants_made_by_every_path_get_the_roles(db):
    schemas.pool_fill(1)
    for path in ProvisionPath.values:
        tenant = tenant_provision(name=f"R {path}", slug=f"roles-{path}", path=path,
                                  owner_email=f"o@{path}.example", owner_password="Owner-pass-2026").tenant
        with tenant_context(tenant):
            assert Role.objects.filter(builtin=True).count() == 8
            assert Role.objects.get(key="system_administrator").group.user_set.count() == 1
