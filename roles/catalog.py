"""The permission catalog and the built-in roles: the one place both are defined.

Codenames are Django permissions on ``roles.Role`` (app label ``roles``), so the
whole product checks ``roles.has_perm(user, "review_orders")``. The catalog is
pinned by a test: a permission cannot vanish silently.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _, pgettext_lazy


@dataclass(frozen=True)
class Perm:
    codename: str
    group: str
    label: str  # translatable: zh/en come from the catalog


GROUPS = {
    "catalog": _("Catalog"),
    "customers": _("Customers"),
    "orders": _("Orders"),
    "order_review": _("Order review"),
    "finance_review": _("Finance review"),
    "warehouse": _("Outbound and stock"),
    "shipping": pgettext_lazy("permission group", "Shipping"),
    "returns": _("Returns"),
    "payments": _("Payments"),
    "balances": _("Balances and credit"),
    "quotes": _("Quotations"),
    "promotions": _("Promotions"),
    "reports": _("Reports"),
    "exports": _("Exports"),
    "settings": _("Settings"),
    "staff": _("Staff and roles"),
    "billing": _("Billing"),
    "audit": _("Audit"),
}

PERMISSIONS = (
    Perm("view_catalog", "catalog", _("View products and prices")),
    Perm("manage_catalog", "catalog", _("Create and edit products")),
    Perm("manage_prices", "catalog", _("Set level and customer prices")),
    Perm("view_customers", "customers", _("View customers")),
    Perm("manage_customers", "customers", _("Create and edit customers and their logins")),
    Perm("access_all_customers", "customers",
         _("Work with every customer (not only assigned customers or regions)")),
    Perm("view_orders", "orders", _("View orders")),
    Perm("place_orders", "orders", _("Place orders on a customer's behalf")),
    Perm("cancel_orders", "orders", _("Cancel orders")),
    Perm("review_orders", "order_review", _("Approve or reject orders (order review)")),
    Perm("amend_orders", "order_review", _("Change quantities, prices and lines in review")),
    Perm("finance_review", "finance_review", _("Approve or reject orders (finance review)")),
    Perm("outbound_review", "warehouse", _("Approve outbound (warehouse review)")),
    Perm("manage_stock", "warehouse", _("Adjust stock")),
    Perm("ship_orders", "shipping", _("Confirm shipments and tracking")),
    Perm("manage_returns", "returns", _("Review returns and receive goods")),
    Perm("record_payments", "payments", _("Record payments")),
    Perm("confirm_payments", "payments", _("Confirm payments and refunds")),
    Perm("adjust_balances", "balances", _("Adjust balances and rebates")),
    Perm("view_finance", "balances",
         _("See credit limits, payment terms, balances and invoice and bank details")),
    Perm("manage_credit", "balances", _("Set credit limits and payment terms")),
    Perm("manage_statements", "balances",
         _("Issue statements of account and answer disputes")),
    Perm("manage_quotes", "quotes", _("Answer inquiries and send quotations")),
    Perm("manage_promotions", "promotions", _("Create and edit promotions")),
    Perm("view_reports", "reports", _("View reports")),
    Perm("export_data", "exports", _("Export data to Excel and CSV")),
    Perm("manage_settings", "settings", _("Change company settings and workflow")),
    Perm("manage_announcements", "settings", _("Publish announcements to dealers")),
    Perm("manage_staff", "staff", _("Invite, edit and disable staff")),
    Perm("manage_roles", "staff", _("Create and edit roles")),
    Perm("manage_api_keys", "staff", _("Create and revoke API keys")),
    Perm("manage_billing", "billing", _("Manage the subscription and invoices")),
    Perm("view_audit_log", "audit", _("View the audit log and login log")),
)
CODENAMES = frozenset(p.codename for p in PERMISSIONS)
# Only the built-in system administrator role holds these: custom roles cannot, so
# nobody else can add staff, hand out roles, mint API keys or run billing (SPEC §3).
ADMINISTRATOR_ONLY = frozenset({"manage_staff", "manage_roles", "manage_api_keys",
                                "manage_billing"})
BY_CODENAME = {p.codename: p for p in PERMISSIONS}


@dataclass(frozen=True)
class BuiltinRole:
    key: str
    name: str
    description: str
    permissions: frozenset


def _all_but(*excluded):
    return CODENAMES - set(excluded)


# key → permissions. Regional managers and sales reps lack access_all_customers,
# so everything they see is scoped to their regions / assigned customers.
# view_finance (a customer's credit, terms, balances, invoice and bank details) belongs
# to finance, the business lead and the administrator only; manage_prices (level and
# customer prices, which apply tenant-wide) is not given to any scoped role.
BUILTIN_ROLES = (
    BuiltinRole("system_administrator", _("System administrator"),
                _("Everything, including staff, roles, API keys and billing."), CODENAMES),
    BuiltinRole("business_lead", _("Business lead"),
                _("Sees everything and approves at any step; does not manage staff or billing."),
                _all_but("manage_staff", "manage_roles", "manage_api_keys", "manage_billing")),
    BuiltinRole("order_reviewer", _("Order reviewer"),
                _("Reviews new orders, amends them and places orders for customers."),
                frozenset({"view_catalog", "view_customers", "access_all_customers",
                           "view_orders", "place_orders", "cancel_orders", "review_orders",
                           "amend_orders"})),
    BuiltinRole("finance_reviewer", _("Finance reviewer"),
                _("Finance review, payments, balances, credit and collections."),
                frozenset({"view_customers", "access_all_customers", "view_orders",
                           "finance_review", "record_payments", "confirm_payments",
                           "adjust_balances", "view_finance", "manage_credit",
                           "manage_statements", "view_reports", "export_data"})),
    BuiltinRole("warehouse_manager", _("Warehouse manager"),
                _("Outbound review, stock and returned goods."),
                frozenset({"view_catalog", "view_customers", "access_all_customers",
                           "view_orders", "outbound_review", "manage_stock",
                           "manage_returns"})),
    BuiltinRole("shipping_clerk", _("Shipping clerk"),
                _("Confirms shipments and tracking numbers."),
                frozenset({"view_customers", "access_all_customers", "view_orders",
                           "ship_orders"})),
    BuiltinRole("regional_manager", _("Regional manager"),
                _("Customers in their regions, and those customers' orders, payments and returns."),
                frozenset({"view_catalog", "view_customers", "manage_customers", "view_orders",
                           "place_orders", "review_orders", "record_payments",
                           "manage_returns", "manage_quotes", "view_reports"})),
    BuiltinRole("sales_rep", _("Sales rep"),
                _("Only the customers assigned to them: their orders, quotations and payments."),
                frozenset({"view_catalog", "view_customers", "manage_customers", "view_orders",
                           "place_orders", "manage_quotes", "record_payments"})),
)
ADMINISTRATOR = "system_administrator"
BUILTIN_BY_KEY = {role.key: role for role in BUILTIN_ROLES}


def sync_builtin_roles(*, Group, Permission, ContentType, Role):
    """Create/refresh the catalog permissions and built-in roles in the current schema.

    Takes the model classes so a data migration can pass its historical models.
    Idempotent; custom roles are left alone.
    """
    content_type, _created = ContentType.objects.get_or_create(app_label="roles", model="role")
    existing = {p.codename: p for p in Permission.objects.filter(content_type=content_type)}
    for perm in PERMISSIONS:
        name = str(perm.label)[:255]
        if perm.codename not in existing:
            existing[perm.codename] = Permission.objects.create(
                codename=perm.codename, name=name, content_type=content_type)
        elif existing[perm.codename].name != name:
            existing[perm.codename].name = name
            existing[perm.codename].save(update_fields=["name"])
    for builtin in BUILTIN_ROLES:
        group, _created = Group.objects.get_or_create(name=builtin.key)
        Role.objects.update_or_create(group=group, defaults={"key": builtin.key, "builtin": True})
        group.permissions.set([existing[c] for c in builtin.permissions])
