"""The role × action matrix: every built-in role against every dashboard and API action.

Like pretix's test_permissions.py: one table says who may do what; for every denied
write the test also proves that nothing changed.
"""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from ordering.customers.models import Customer, CustomerLevel
from roles.catalog import BUILTIN_ROLES
from roles.models import ApiKey, Region, Role
from tenants.models import Tenant
from tests.factories.roles import staff_with_roles

ROLES = [role.key for role in BUILTIN_ROLES] + ["custom_everything_allowed"]

# name: (method, path, form/JSON data, is the path an API endpoint)
ACTIONS = {
    "dashboard": ("get", "/dashboard/", None, False),
    "profile": ("get", "/dashboard/profile/", None, False),
    "staff-list": ("get", "/dashboard/staff/", None, False),
    "staff-invite-page": ("get", "/dashboard/staff/invite/", None, False),
    "staff-invite": ("post", "/dashboard/staff/invite/", "invite", False),
    "roles-list": ("get", "/dashboard/roles/", None, False),
    "role-create": ("post", "/dashboard/roles/new/", "role", False),
    "audit-log": ("get", "/dashboard/audit/", None, False),
    "login-log": ("get", "/dashboard/audit/logins/", None, False),
    "api-keys": ("get", "/dashboard/api-keys/", None, False),
    "api-key-create": ("post", "/dashboard/api-keys/", "key", False),
    "company-profile": ("get", "/dashboard/settings/company/", None, False),
    "company-profile-save": ("post", "/dashboard/settings/company/", "profile", False),
    "regions": ("get", "/dashboard/settings/regions/", None, False),
    "region-create": ("post", "/dashboard/settings/regions/", "region", False),
    "billing": ("get", "/dashboard/billing/", None, False),
    "api-staff-list": ("get", "/api/v1/staff/", None, True),
    "api-staff-invite": ("post", "/api/v1/staff/", "invite", True),
    "api-roles": ("get", "/api/v1/roles/", None, True),
    "api-role-create": ("post", "/api/v1/roles/", "role", True),
    "api-audit-log": ("get", "/api/v1/audit-log/", None, True),
    "api-login-log": ("get", "/api/v1/login-log/", None, True),
    "api-regions": ("get", "/api/v1/regions/", None, True),
    "api-region-create": ("post", "/api/v1/regions/", "region", True),
    "customers": ("get", "/dashboard/customers/", None, False),
    "customer-create-page": ("get", "/dashboard/customers/new/", None, False),
    "customer-create": ("post", "/dashboard/customers/new/", "customer", False),
    "customer-levels": ("get", "/dashboard/customers/levels/", None, False),
    "customer-level-create": ("post", "/dashboard/customers/levels/", "level", False),
    "customer-import": ("get", "/dashboard/customers/import/", None, False),
    "customer-export": ("get", "/dashboard/customers/export/?kind=customers&format=csv", None,
                        False),
    "customer-applications": ("get", "/dashboard/customers/applications/", None, False),
    "customer-settings": ("get", "/dashboard/customers/settings/", None, False),
    "api-customers": ("get", "/api/v1/customers/", None, True),
    "api-customer-create": ("post", "/api/v1/customers/", "customer", True),
    "api-customer-levels": ("get", "/api/v1/customer-levels/", None, True),
    "orders": ("get", "/dashboard/orders/", None, False),
    "order-create-page": ("get", "/dashboard/orders/new/", None, False),
    "order-settings": ("get", "/dashboard/orders/settings/", None, False),
    "returns": ("get", "/dashboard/returns/", None, False),
    "api-orders": ("get", "/api/v1/orders/", None, True),
    "api-carriers": ("get", "/api/v1/carriers/", None, True),
    "api-returns": ("get", "/api/v1/returns/", None, True),
}

EVERY_STAFF = {"dashboard", "profile"}
ADMIN_ONLY = {"staff-list", "staff-invite-page", "staff-invite", "roles-list", "role-create",
              "api-keys", "api-key-create", "billing", "api-staff-list", "api-staff-invite",
              "api-roles", "api-role-create"}
SETTINGS = {"company-profile", "company-profile-save", "regions", "region-create",
            "api-region-create", "customer-settings", "order-settings"}
AUDIT = {"audit-log", "login-log", "api-audit-log", "api-login-log"}
SEE_REGIONS = {"api-regions"}
SEE_CUSTOMERS = {"customers", "customer-levels", "customer-applications", "api-customers",
                 "api-customer-levels"}
MANAGE_CUSTOMERS = {"customer-create-page", "customer-create", "customer-level-create",
                    "customer-import", "api-customer-create"}
EXPORT = {"customer-export"}
SEE_ORDERS = {"orders", "api-orders", "api-carriers"}
PLACE_ORDERS = {"order-create-page"}
RETURNS = {"returns", "api-returns"}

ALLOWED = {
    "system_administrator": set(ACTIONS),
    "business_lead": EVERY_STAFF | SETTINGS | AUDIT | SEE_REGIONS | SEE_CUSTOMERS
    | MANAGE_CUSTOMERS | EXPORT | SEE_ORDERS | PLACE_ORDERS | RETURNS,
    "order_reviewer": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_ORDERS | PLACE_ORDERS,
    "finance_reviewer": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | EXPORT | SEE_ORDERS,
    "warehouse_manager": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_ORDERS | RETURNS,
    "shipping_clerk": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_ORDERS,
    "regional_manager": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | MANAGE_CUSTOMERS
    | SEE_ORDERS | PLACE_ORDERS | RETURNS,
    "sales_rep": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | MANAGE_CUSTOMERS | SEE_ORDERS
    | PLACE_ORDERS,
    # a custom role with every permission a custom role may hold: still no staff, roles,
    # API keys or billing (those stay with the system administrator)
    "custom_everything_allowed": EVERY_STAFF | SETTINGS | AUDIT | SEE_REGIONS
    | SEE_CUSTOMERS | MANAGE_CUSTOMERS | EXPORT | SEE_ORDERS | PLACE_ORDERS | RETURNS,
}


def _payload(kind, is_api):
    role_id = Role.objects.get(key="order_reviewer").pk
    data = {
        "invite": {"email": "matrix-new@acme.example", "name": "New Person", "phone": "",
                   "language": "en", "roles": [role_id]},
        "role": {"name_en": "Matrix role", "name_zh": "", "description": "",
                 "permissions": ["view_orders"]},
        "key": {"name": "Matrix key", "user": get_user_model().objects.get(
            email="owner@acme.example").pk},
        "profile": {"name": "Renamed By Matrix", "default_language": "en", "currency": "CNY"},
        "region": {"name": "Matrix Province", "code": ""},
        "customer": {"name": "Matrix Customer", "payment_terms": "prepaid"},
        "level": {"name": "Matrix Level", "price_percent": "90"},
    }[kind]
    return data


def _custom_everything_role():
    from roles.catalog import ADMINISTRATOR_ONLY, CODENAMES
    from roles.services.role_admin import role_create

    owner = get_user_model().objects.get(email="owner@acme.example")
    return role_create(actor=owner, name_en="Everything allowed",
                       permissions=sorted(CODENAMES - ADMINISTRATOR_ONLY))


def _state():
    """What the writes in the table would change."""
    return {
        "users": get_user_model().objects.filter(email="matrix-new@acme.example").count(),
        "roles": Role.objects.filter(name_en="Matrix role").count(),
        "audit": __import__("roles.models").models.AuditLog.objects.count(),
        "keys": ApiKey.objects.filter(name="Matrix key").count(),
        "tenant_name": Tenant.objects.get(slug="acme").name,
        "regions": Region.objects.filter(name="Matrix Province").count(),
        "customers": Customer.objects.filter(name="Matrix Customer").count(),
        "levels": CustomerLevel.objects.filter(name="Matrix Level").count(),
    }


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(acme, acme_client, login_as, role, action):
    method, path, payload_kind, is_api = ACTIONS[action]
    with tenant_context(acme):
        if role == "custom_everything_allowed":
            user = staff_with_roles()
            user.groups.add(_custom_everything_role().group)
        else:
            user = staff_with_roles(role)
        login_as(acme_client, acme, user)
        payload = _payload(payload_kind, is_api) if payload_kind else None
        before = _state()
    kwargs = {}
    if payload is not None:
        kwargs = {"data": payload, "content_type": "application/json"} if is_api else {"data": payload}
    response = getattr(acme_client, method)(path, **kwargs)
    allowed = action in ALLOWED[role]
    if allowed:
        assert response.status_code in (200, 201, 302), (response.status_code, response.content[:300])
        if method == "post":
            with tenant_context(acme):
                assert _state() != before  # the write happened
    else:
        assert response.status_code == 403, response.status_code
        with tenant_context(acme):
            assert _state() == before  # a denied write changed nothing


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_dealers_get_nothing_from_the_dashboard_or_staff_api(acme, acme_client, login_as, action):
    from tests.factories import DealerFactory

    method, path, payload_kind, is_api = ACTIONS[action]
    with tenant_context(acme):
        login_as(acme_client, acme, DealerFactory())
        payload = _payload(payload_kind, is_api) if payload_kind else None
        before = _state()
    kwargs = {}
    if payload is not None:
        kwargs = {"data": payload, "content_type": "application/json"} if is_api else {"data": payload}
    assert getattr(acme_client, method)(path, **kwargs).status_code == 403
    with tenant_context(acme):
        assert _state() == before


def test_the_table_covers_every_built_in_role():
    assert set(ALLOWED) == set(ROLES)
    assert {role.key for role in BUILTIN_ROLES} <= set(ALLOWED)
