"""Staff: acme has one member per built-in role (the owner is the system administrator;
the regional manager works in Guangdong), globex two sales reps. Idempotent."""

from demo import suppliers
from roles.enums import UserKind
from roles.models import Region, Role

STAFF = {
    "acme": [
        ("lead@acme.example", "Brian Lead", "business_lead"),
        ("orders@acme.example", "Olivia Orders", "order_reviewer"),
        ("finance@acme.example", "Frank Finance", "finance_reviewer"),
        ("warehouse@acme.example", "Wendy Warehouse", "warehouse_manager"),
        ("shipping@acme.example", "Sam Shipping", "shipping_clerk"),
        ("south@acme.example", "Grace Guangdong", "regional_manager"),
        ("sales@acme.example", "Steve Sales", "sales_rep"),
        ("sales2@acme.example", "Sophie Sales", "sales_rep"),
    ],
    "globex": [("sales@globex.example", "张伟", "sales_rep"),
               ("sales2@globex.example", "李娜", "sales_rep")],
}
REGIONAL_MANAGER_PROVINCE = {"acme": "Guangdong"}


def load(supplier):
    """Create the supplier's staff with their roles (and the regional manager's
    province)."""
    from guardian.shortcuts import assign_perm

    slug = supplier["slug"]
    for email, name, role_key in STAFF.get(slug, []):
        user = suppliers.user_ensure(email=email, name=name, kind=UserKind.STAFF,
                                     language=supplier["language"])
        user.groups.add(Role.objects.get(key=role_key).group)
        if role_key == "regional_manager" and slug in REGIONAL_MANAGER_PROVINCE:
            province = Region.objects.get(name=REGIONAL_MANAGER_PROVINCE[slug], parent=None)
            assign_perm("roles.work_in_region", user, province)
