"""Load the demo: two suppliers (acme, globex) and an operator. Idempotent.

Later issues extend ``DEMO_STEPS`` with their own data (staff per role,
customers, catalog, orders).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import tenant_context

from roles.catalog import BUILTIN_BY_KEY
from roles.enums import UserKind
from roles.models import Region, Role
from roles.services import user_create
from roles.services.regions import region_create
from tenants.models import Tenant
from tenants.services import tenant_provision

PASSWORD = "orderline-demo"

# acme: one staff member per built-in role (the owner is the system administrator).
ACME_STAFF = [
    ("lead@acme.example", "Brian Lead", "business_lead"),
    ("orders@acme.example", "Olivia Orders", "order_reviewer"),
    ("finance@acme.example", "Frank Finance", "finance_reviewer"),
    ("warehouse@acme.example", "Wendy Warehouse", "warehouse_manager"),
    ("shipping@acme.example", "Sam Shipping", "shipping_clerk"),
    ("south@acme.example", "Grace Guangdong", "regional_manager"),
    ("sales@acme.example", "Steve Sales", "sales_rep"),
]
ACME_REGIONS = {"Guangdong": ["Guangzhou", "Shenzhen", "Foshan"],
                "Zhejiang": ["Hangzhou", "Ningbo"], "Jiangsu": ["Nanjing", "Suzhou"]}
GLOBEX_REGIONS = {"浙江省": ["杭州市", "宁波市"], "江苏省": ["南京市", "苏州市"],
                  "广东省": ["广州市", "深圳市"]}
OPERATOR_EMAIL = "ops@orderline.local"

SUPPLIERS = [
    {
        "slug": "acme",
        "name": "Acme Beverages",
        "language": "en",
        "owner": ("owner@acme.example", "Alice Chen"),
        "dealer": ("dealer@acme.example", "Riverside Trading Co."),
    },
    {
        "slug": "globex",
        "name": "环球服饰",
        "language": "zh-hans",
        "owner": ("owner@globex.example", "王芳"),
        "dealer": ("dealer@globex.example", "杭州衣尚商贸"),
    },
]


def _ensure_user(*, email, name, kind, language, administrator=False):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(email=email, password=PASSWORD, name=name, kind=kind,
                           language=language, administrator=administrator)
    return user


def _ensure_regions(tree):
    made = {}
    for province, cities in tree.items():
        parent = (Region.objects.filter(name=province, parent=None).first()
                  or region_create(actor=None, name=province))
        made[province] = parent
        for city in cities:
            made[city] = (Region.objects.filter(name=city, parent=parent).first()
                          or region_create(actor=None, name=city, parent=parent))
    return made


def _ensure_staff(regions):
    from guardian.shortcuts import assign_perm

    for email, name, role_key in ACME_STAFF:
        user = _ensure_user(email=email, name=name, kind=UserKind.STAFF, language="en")
        user.groups.add(Role.objects.get(key=role_key).group)
        if role_key == "regional_manager":
            assign_perm("roles.work_in_region", user, regions["Guangdong"])


class Command(BaseCommand):
    help = "Create the demo suppliers, their logins and an operator (safe to run again)."

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        _ensure_user(email=OPERATOR_EMAIL, name="Platform Operator", kind=UserKind.OPERATOR,
                     language="en")
        for spec in SUPPLIERS:
            tenant = Tenant.objects.filter(slug=spec["slug"]).first()
            owner_email, owner_name = spec["owner"]
            if tenant is None:
                tenant = tenant_provision(
                    name=spec["name"], slug=spec["slug"], owner_email=owner_email,
                    owner_password=PASSWORD, owner_name=owner_name, language=spec["language"],
                ).tenant
            with tenant_context(tenant):
                dealer_email, dealer_name = spec["dealer"]
                _ensure_user(email=dealer_email, name=dealer_name, kind=UserKind.DEALER,
                             language=spec["language"])
                regions = _ensure_regions(ACME_REGIONS if spec["slug"] == "acme"
                                          else GLOBEX_REGIONS)
                if spec["slug"] == "acme":
                    _ensure_staff(regions)
        connection.set_schema_to_public()
        self._print()

    def _print(self):
        port = "8000"
        base = settings.BASE_DOMAIN
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("Orderline demo is ready."))
        w(f"  Public site + signup   http://{base}:{port}/")
        w(f"  Operator console       http://{base}:{port}/ops/   {OPERATOR_EMAIL} / {PASSWORD}")
        for spec in SUPPLIERS:
            host = f"http://{spec['slug']}.{base}:{port}"
            w(f"  {spec['name']} ({spec['language']})")
            w(f"    staff dashboard      {host}/dashboard/   {spec['owner'][0]} / {PASSWORD}")
            w(f"    dealer shop          {host}/shop/        {spec['dealer'][0]} / {PASSWORD}")
            if spec["slug"] == "acme":
                for email, _name, role_key in ACME_STAFF:
                    w(f"    {str(BUILTIN_BY_KEY[role_key].name):20s} {email} / {PASSWORD}")
        w(f"  API docs (per tenant)  http://acme.{base}:{port}/api/docs/")
        w("")
