"""The role × action matrix: every built-in role against every dashboard and API action.

Like pretix's test_permissions.py: one table says who may do what; for every denied
write the test also proves that nothing changed.
"""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from ordering.catalog.models import Category
from ordering.customers.models import Customer, CustomerLevel
from ordering.orders.models import Carrier, ShippingMethod
from ordering.settings.models import TenantSettings
from roles.catalog import BUILTIN_ROLES
from roles.models import ApiKey, Region, Role
from tenants.models import Tenant
from tests.factories.roles import staff_with_roles

ROLES = [role.key for role in BUILTIN_ROLES] + ["custom_everything_allowed"]

# name: (method, path, form/JSON data, is the path an API endpoint). "{level}" in a path
# is an existing, non-default customer level that no customer is at.
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
    "customer-import": ("get", "/dashboard/customers/import/", None, False),
    "customer-export": ("get", "/dashboard/customers/export/?kind=customers&format=csv", None,
                        False),
    "customer-applications": ("get", "/dashboard/customers/applications/", None, False),
    "customer-settings": ("get", "/dashboard/customers/settings/", None, False),
    "customer-settings-save": ("post", "/dashboard/customers/settings/", "signup", False),
    "api-customers": ("get", "/api/v1/customers/", None, True),
    "api-customer-create": ("post", "/api/v1/customers/", "customer", True),
    # customer levels (a level's price applies to every customer at it: manage_prices)
    "customer-levels": ("get", "/dashboard/customers/levels/", None, False),
    "customer-level-create": ("post", "/dashboard/customers/levels/", "level", False),
    "customer-level-edit-page": ("get", "/dashboard/customers/levels/{level}/", None, False),
    "customer-level-update": ("post", "/dashboard/customers/levels/{level}/", "level-cheap",
                              False),
    "customer-level-make-default": ("post", "/dashboard/customers/levels/{level}/",
                                    "level-default", False),
    "customer-level-delete": ("post", "/dashboard/customers/levels/{level}/", "delete", False),
    "api-customer-levels": ("get", "/api/v1/customer-levels/", None, True),
    "api-customer-level": ("get", "/api/v1/customer-levels/{level}/", None, True),
    "api-customer-level-create": ("post", "/api/v1/customer-levels/", "level", True),
    "api-customer-level-update": ("patch", "/api/v1/customer-levels/{level}/", "level-cheap",
                                  True),
    "api-customer-level-make-default": ("patch", "/api/v1/customer-levels/{level}/",
                                        "level-default", True),
    "api-customer-level-delete": ("delete", "/api/v1/customer-levels/{level}/", None, True),
    # the catalog's tenant-wide reference data
    "categories": ("get", "/dashboard/catalog/categories/", None, False),
    "category-create": ("post", "/dashboard/catalog/categories/", "category", False),
    "product-create-page": ("get", "/dashboard/catalog/products/new/", None, False),
    "catalog-settings": ("get", "/dashboard/catalog/settings/", None, False),
    "catalog-settings-save": ("post", "/dashboard/catalog/settings/", "catalog-settings",
                              False),
    "api-categories": ("get", "/api/v1/categories/", None, True),
    "api-brands": ("get", "/api/v1/brands/", None, True),
    "api-units": ("get", "/api/v1/units/", None, True),
    # orders, their settings, shipping methods and carriers
    "orders": ("get", "/dashboard/orders/", None, False),
    "order-create-page": ("get", "/dashboard/orders/new/", None, False),
    "order-settings": ("get", "/dashboard/orders/settings/", None, False),
    "order-settings-save": ("post", "/dashboard/orders/settings/", "order-settings", False),
    "shipping-method-create": ("post", "/dashboard/orders/settings/shipping-methods/",
                               "shipping-method", False),
    "carrier-create": ("post", "/dashboard/orders/settings/carriers/", "carrier", False),
    "returns": ("get", "/dashboard/returns/", None, False),
    "api-orders": ("get", "/api/v1/orders/", None, True),
    "api-shipping-methods": ("get", "/api/v1/shipping-methods/", None, True),
    "api-carriers": ("get", "/api/v1/carriers/", None, True),
    "api-returns": ("get", "/api/v1/returns/", None, True),
    # inquiries and quotations (scoped like customers)
    "quotes": ("get", "/dashboard/quotes/", None, False),
}

EVERY_STAFF = {"dashboard", "profile", "api-shipping-methods"}
ADMIN_ONLY = {"staff-list", "staff-invite-page", "staff-invite", "roles-list", "role-create",
              "api-keys", "api-key-create", "billing", "api-staff-list", "api-staff-invite",
              "api-roles", "api-role-create"}
# Tenant-wide settings and reference data: never a scoped permission.
SETTINGS = {"company-profile", "company-profile-save", "regions", "region-create",
            "api-region-create", "customer-settings", "customer-settings-save",
            "order-settings", "order-settings-save", "shipping-method-create",
            "carrier-create", "catalog-settings", "catalog-settings-save"}
AUDIT = {"audit-log", "login-log", "api-audit-log", "api-login-log"}
SEE_REGIONS = {"api-regions"}
SEE_CUSTOMERS = {"customers", "customer-levels", "customer-applications", "api-customers",
                 "api-customer-levels", "api-customer-level"}
MANAGE_CUSTOMERS = {"customer-create-page", "customer-create", "customer-import",
                    "api-customer-create"}
LEVEL_PRICES = {"customer-level-create", "customer-level-edit-page", "customer-level-update",
                "customer-level-make-default", "customer-level-delete",
                "api-customer-level-create", "api-customer-level-update",
                "api-customer-level-make-default", "api-customer-level-delete"}
SEE_CATALOG = {"categories", "api-categories", "api-brands", "api-units"}
MANAGE_CATALOG = {"category-create", "product-create-page"}
EXPORT = {"customer-export"}
SEE_ORDERS = {"orders", "api-orders", "api-carriers"}
PLACE_ORDERS = {"order-create-page"}
RETURNS = {"returns", "api-returns"}
QUOTES = {"quotes"}

ALLOWED = {
    "system_administrator": set(ACTIONS),
    "business_lead": EVERY_STAFF | SETTINGS | AUDIT | SEE_REGIONS | SEE_CUSTOMERS
    | MANAGE_CUSTOMERS | LEVEL_PRICES | SEE_CATALOG | MANAGE_CATALOG | EXPORT | SEE_ORDERS
    | PLACE_ORDERS | RETURNS | QUOTES,
    "order_reviewer": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_CATALOG | SEE_ORDERS
    | PLACE_ORDERS,
    "finance_reviewer": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | EXPORT | SEE_ORDERS,
    "warehouse_manager": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_CATALOG | SEE_ORDERS
    | RETURNS,
    "shipping_clerk": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | SEE_ORDERS,
    # scoped roles: their own customers only, no tenant-wide object
    "regional_manager": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | MANAGE_CUSTOMERS
    | SEE_CATALOG | SEE_ORDERS | PLACE_ORDERS | RETURNS | QUOTES,
    "sales_rep": EVERY_STAFF | SEE_REGIONS | SEE_CUSTOMERS | MANAGE_CUSTOMERS | SEE_CATALOG
    | SEE_ORDERS | PLACE_ORDERS | QUOTES,
    # a custom role with every permission a custom role may hold: still no staff, roles,
    # API keys or billing (those stay with the system administrator)
    "custom_everything_allowed": EVERY_STAFF | SETTINGS | AUDIT | SEE_REGIONS
    | SEE_CUSTOMERS | MANAGE_CUSTOMERS | LEVEL_PRICES | SEE_CATALOG | MANAGE_CATALOG | EXPORT
    | SEE_ORDERS | PLACE_ORDERS | RETURNS | QUOTES,
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
        "signup": {"self_registration": "on"},
        "level": {"name": "Matrix Level", "price_percent": "90"},
        "level-cheap": ({"price_percent": "0.01"} if is_api else
                        {"name": "Matrix Existing", "price_percent": "0.01", "position": "5"}),
        "level-default": ({"is_default": True} if is_api else
                          {"name": "Matrix Existing", "price_percent": "95", "position": "5",
                           "is_default": "on"}),
        "delete": {"action": "delete"},
        "category": {"name": "Matrix Category", "position": "0"},
        "catalog-settings": {"stock_display": "exact", "allow_oversell": "on"},
        "order-settings": {"reserve_stock_at": "outbound", "auto_receipt_days": "3",
                           "min_order_amount": "123.00"},
        "shipping-method": {"method-new-name": "Matrix Method", "method-new-fee": "5",
                            "method-new-is_active": "on", "method-new-position": "0"},
        "carrier": {"carrier-new-name": "Matrix Carrier", "carrier-new-tracking_url": "",
                    "carrier-new-is_active": "on", "carrier-new-position": "0"},
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
        "levels": list(CustomerLevel.objects.order_by("id").values_list(
            "name", "price_percent", "position", "is_default")),
        "categories": Category.objects.filter(name="Matrix Category").count(),
        "shipping_methods": ShippingMethod.objects.filter(name="Matrix Method").count(),
        "carriers": Carrier.objects.filter(name="Matrix Carrier").count(),
        "tenant_settings": list(TenantSettings.objects.values_list(
            "self_registration", "stock_display", "allow_oversell", "reserve_stock_at",
            "auto_receipt_days", "min_order_amount")),
    }


def _existing_level():
    """A non-default level no customer is at (for the edit, default and delete rows)."""
    level, _created = CustomerLevel.objects.get_or_create(
        name="Matrix Existing", defaults={"price_percent": "95", "position": 5})
    return level


def _request(client, method, path, payload, is_api):
    kwargs = {}
    if payload is not None:
        kwargs = ({"data": payload, "content_type": "application/json"} if is_api
                  else {"data": payload})
    return getattr(client, method)(path, **kwargs)


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
        path = path.format(level=_existing_level().pk)
        before = _state()
    response = _request(acme_client, method, path, payload, is_api)
    allowed = action in ALLOWED[role]
    if allowed:
        assert response.status_code in (200, 201, 204, 302), (response.status_code,
                                                              response.content[:300])
        if method != "get":
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
        path = path.format(level=_existing_level().pk)
        before = _state()
    if action == "api-shipping-methods":
        return  # a dealer's checkout reads the shipping methods (SIGNED_IN)
    assert _request(acme_client, method, path, payload, is_api).status_code == 403
    with tenant_context(acme):
        assert _state() == before


def test_the_table_covers_every_built_in_role():
    assert set(ALLOWED) == set(ROLES)
    assert {role.key for role in BUILTIN_ROLES} <= set(ALLOWED)


# --- which roles read a customer's finance fields ------------------------------------
#
# Credit limit, payment terms, credit days and the invoice and bank details need
# view_finance: finance, the business lead and the administrator (and a custom role
# holding it). Every surface that shows a customer follows the same rule.

SEES_FINANCE = {"system_administrator", "business_lead", "finance_reviewer",
                "custom_everything_allowed"}
FINANCE_SURFACES = ("detail-page", "edit-page", "api-list", "api-detail", "export-csv")
SECRET_TAX_NUMBER = "91440101MATRIX0001"
SECRET_BANK_ACCOUNT = "6222 0000 1111 2222"


def _finance_customer():
    from ordering.customers.services.customers import customer_create

    return customer_create(actor=None, name="Finance Matrix Ltd", credit_limit="88888.00",
                           payment_terms="credit", payment_days=45,
                           invoice_title="Finance Matrix Ltd", tax_number=SECRET_TAX_NUMBER,
                           bank_name="ICBC Tianhe", bank_account=SECRET_BANK_ACCOUNT)


@pytest.mark.parametrize("surface", FINANCE_SURFACES)
@pytest.mark.parametrize("role", ROLES)
def test_finance_fields_matrix(acme, acme_client, login_as, role, surface):
    with tenant_context(acme):
        customer = _finance_customer()
        if role == "custom_everything_allowed":
            user = staff_with_roles()
            user.groups.add(_custom_everything_role().group)
        else:
            user = staff_with_roles(role)
        if role in ("sales_rep", "regional_manager"):
            from ordering.customers.services.customers import customer_update

            customer_update(actor=None, customer=customer, sales_rep=None)
            from guardian.shortcuts import assign_perm

            assign_perm("customers.work_with_customer", user, customer)
        if surface == "export-csv":
            from roles.services.role_admin import role_create

            owner = get_user_model().objects.get(email="owner@acme.example")
            user.groups.add(role_create(actor=owner, name_en="Matrix exporter",
                                        permissions=["export_data"]).group)
    login_as(acme_client, acme, user)
    sees = role in SEES_FINANCE
    if surface in ("detail-page", "edit-page", "export-csv"):
        path = {"detail-page": f"/dashboard/customers/{customer.pk}/",
                "edit-page": f"/dashboard/customers/{customer.pk}/edit/",
                "export-csv": "/dashboard/customers/export/?kind=customers&format=csv"
                }[surface]
        response = acme_client.get(path)
        if surface == "edit-page" and role not in ALLOWED_TO_EDIT_CUSTOMERS:
            assert response.status_code == 403
            return
        assert response.status_code == 200
        body = response.content.decode()
        for secret in (SECRET_TAX_NUMBER, SECRET_BANK_ACCOUNT, ("88888", "88,888")):
            # pages print the credit limit as money (88,888.00), exports as a number
            shown = any(text in body for text in secret) if isinstance(secret, tuple) \
                else secret in body
            assert shown == sees, (secret, role, surface)
        if surface == "export-csv":
            header = body.lstrip("\ufeff").splitlines()[0]
            assert ("Tax number" in header) == sees and ("Credit limit" in header) == sees
        return
    if surface == "api-list":
        rows = acme_client.get("/api/v1/customers/", {"q": "Finance Matrix"}).json()["results"]
        assert len(rows) == 1
        data = rows[0]
        fields = ("credit_limit", "payment_terms", "payment_days")
    else:
        data = acme_client.get(f"/api/v1/customers/{customer.pk}/").json()
        fields = ("credit_limit", "payment_terms", "payment_days", "invoice_title",
                  "tax_number", "bank_name", "bank_account", "invoice_address",
                  "invoice_phone")
    for field in fields:
        assert (data[field] is not None) == sees, (field, role)
    if sees:
        assert data["credit_limit"] == "88888.00" and data["payment_days"] == 45
        if surface == "api-detail":
            assert data["tax_number"] == SECRET_TAX_NUMBER


ALLOWED_TO_EDIT_CUSTOMERS = {"system_administrator", "business_lead", "regional_manager",
                             "sales_rep", "custom_everything_allowed"}
