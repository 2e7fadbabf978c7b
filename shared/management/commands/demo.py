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
    ("sales2@acme.example", "Sophie Sales", "sales_rep"),
]
ACME_REGIONS = {"Guangdong": ["Guangzhou", "Shenzhen", "Foshan"],
                "Zhejiang": ["Hangzhou", "Ningbo"], "Jiangsu": ["Nanjing", "Suzhou"]}
GLOBEX_REGIONS = {"浙江省": ["杭州市", "宁波市"], "江苏省": ["南京市", "苏州市"],
                  "广东省": ["广州市", "深圳市"]}
OPERATOR_EMAIL = "ops@orderline.local"

# Customers: three levels, names spread over the regions' cities, every customer with a
# primary ordering login; every fourth also a second login that orders up to a limit.
LEVELS = {
    "acme": [("Level 1 distributor", "82"), ("Level 2 distributor", "90"), ("Retailer", "100")],
    "globex": [("一级经销商", "80"), ("二级经销商", "88"), ("零售客户", "100")],
}
ACME_DEALER_WORDS = (["Pearl River", "Golden Harbour", "Sunrise", "Evergreen", "Bluewater",
                      "Silk Road", "Jade Garden", "Red Lantern", "Lotus", "Dragon Gate",
                      "Peak", "Orchid", "East Lake", "Willow", "Summit", "Harmony",
                      "Crystal Spring", "Phoenix", "Bamboo Grove", "Morning Star"],
                     ["Trading Co.", "Beverage Supply", "Wholesale", "Distribution",
                      "Food & Drink Mart", "Supermarket"])
GLOBEX_DEALER_WORDS = (["衣尚", "锦绣", "丝路", "雅格", "天衣", "织梦", "云裳", "时尚汇",
                        "布艺坊", "新潮", "美衣", "金羽", "蓝天", "华服", "优品", "江南",
                        "凤凰", "青竹", "明珠", "星河"],
                       ["商贸有限公司", "服饰批发部", "服装店", "百货商行", "制衣贸易公司"])
CUSTOMERS_PER_SUPPLIER = 40

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


def _ensure_customers(spec, regions, reps):
    """About 40 customers in three levels across the cities, assigned to the sales reps;
    the supplier's demo dealer is the primary login of the first one."""
    from ordering.customers.enums import BuyerRole, PaymentTerms
    from ordering.customers.models import Customer, CustomerLevel
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services

    if Customer.objects.count() >= CUSTOMERS_PER_SUPPLIER:
        return
    slug = spec["slug"]
    levels = []
    for position, (name, percent) in enumerate(LEVELS[slug]):
        level = CustomerLevel.objects.filter(name=name).first() or customer_services.level_create(
            actor=None, name=name, price_percent=percent, position=(position + 1) * 10,
            is_default=position == len(LEVELS[slug]) - 1)
        levels.append(level)
    cities = [region for region in regions.values() if region.parent_id]
    first_words, second_words = ACME_DEALER_WORDS if slug == "acme" else GLOBEX_DEALER_WORDS
    chinese = slug != "acme"
    dealer_email, dealer_name = spec["dealer"]
    for n in range(CUSTOMERS_PER_SUPPLIER):
        city = cities[n % len(cities)]
        if n == 0:
            name = dealer_name
        elif chinese:
            name = f"{city.name[:2]}{first_words[n % 20]}{second_words[n % 5]}"
        else:
            name = f"{city.name} {first_words[n % 20]} {second_words[n % 6]}"
        if Customer.objects.filter(name=name).exists():
            continue
        credit = n % 3 == 0
        person = ("张伟 李娜 王芳 刘洋 陈静 杨磊 赵敏 黄强".split()[n % 8] if chinese
                  else ["Li Wei", "Zhang Min", "Wang Fang", "Liu Yang", "Chen Jing",
                        "Yang Lei"][n % 6])
        customer = customer_services.customer_create(
            actor=None, name=name, region=city, level=levels[n % 3],
            sales_rep=reps[n % len(reps)] if reps and n % 5 != 4 else None,
            phone=f"0{20 + n % 7}-{81000000 + n * 137}",
            email=f"info{n + 1}@{slug}-dealers.example",
            credit_limit="50000" if credit else "0",
            payment_terms=PaymentTerms.CREDIT if credit else PaymentTerms.PREPAID,
            payment_days=30 if credit else 0, tags=["VIP"] if n % 7 == 0 else [],
            invoice_title=name if n % 2 == 0 else "", tax_number=f"91{440000 + n:06d}MA5{n:04d}X"
            if n % 2 == 0 else "",
            contact={"name": person, "phone": f"139{n:08d}"})
        contact_services.address_save(
            actor=None, customer=customer, recipient=("仓库收货" if chinese else "Warehouse"),
            phone=f"138{n:08d}", region=city,
            address=(f"工业园{n + 1}号仓" if chinese else f"No. {n + 8} Industrial Park Road"))
        email = dealer_email if n == 0 else f"buyer{n + 1}@{slug}-dealers.example"
        earlier = get_user_model().objects.filter(email__iexact=email).first()
        if earlier is not None:  # a demo loaded before customers existed
            from ordering.customers.models import CustomerLogin

            earlier.kind = UserKind.DEALER
            earlier.save(update_fields=["kind"])
            CustomerLogin.objects.get_or_create(user=earlier, defaults={
                "customer": customer, "is_primary": True})
            continue
        login = login_services.login_create(actor=None, customer=customer, email=email,
                                            name=person,
                                            password=PASSWORD, language=spec["language"])
        login.user.must_change_password = False
        login.user.save(update_fields=["must_change_password"])
        if n % 4 == 1:
            second = login_services.login_create(
                actor=None, customer=customer, email=f"store{n + 1}@{slug}-dealers.example",
                name=("门店采购" if chinese else "Store buyer"), password=PASSWORD,
                buyer_role=BuyerRole.ORDER_UP_TO, order_limit="3000",
                language=spec["language"])
            second.user.must_change_password = False
            second.user.save(update_fields=["must_change_password"])


def _ensure_staff(regions):
    from guardian.shortcuts import assign_perm

    for email, name, role_key in ACME_STAFF:
        user = _ensure_user(email=email, name=name, kind=UserKind.STAFF, language="en")
        user.groups.add(Role.objects.get(key=role_key).group)
        if role_key == "regional_manager":
            assign_perm("roles.work_in_region", user, regions["Guangdong"])


GLOBEX_STAFF = [("sales@globex.example", "张伟", "sales_rep"),
                ("sales2@globex.example", "李娜", "sales_rep")]


def _ensure_globex_staff():
    for email, name, role_key in GLOBEX_STAFF:
        user = _ensure_user(email=email, name=name, kind=UserKind.STAFF, language="zh-hans")
        user.groups.add(Role.objects.get(key=role_key).group)


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
                regions = _ensure_regions(ACME_REGIONS if spec["slug"] == "acme"
                                          else GLOBEX_REGIONS)
                if spec["slug"] == "acme":
                    _ensure_staff(regions)
                else:
                    _ensure_globex_staff()
                reps = list(get_user_model().objects.filter(
                    groups__role__key="sales_rep", is_active=True).order_by("pk"))
                _ensure_customers(spec, regions, reps)
                from ordering.customers.models import CustomerLevel
                from shared import demo_catalog

                demo_catalog.load(spec["slug"], list(CustomerLevel.objects.order_by(
                    "position", "id")))
                from shared import demo_orders

                demo_orders.load(spec["slug"])
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
            for email, _name, role_key in (ACME_STAFF if spec["slug"] == "acme"
                                           else GLOBEX_STAFF):
                w(f"    {str(BUILTIN_BY_KEY[role_key].name):20s} {email} / {PASSWORD}")
            w(f"    {CUSTOMERS_PER_SUPPLIER} customers; their buyers sign in as "
              f"buyer2@{spec['slug']}-dealers.example … / {PASSWORD}")
        w(f"  API docs (per tenant)  http://acme.{base}:{port}/api/docs/")
        w("")
