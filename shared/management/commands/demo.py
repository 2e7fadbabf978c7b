"""Load the demo: two suppliers (acme, globex) and an operator. Idempotent.

Later issues extend ``DEMO_STEPS`` with their own data (staff per role,
customers, catalog, orders).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import tenant_context

from roles.enums import UserKind
from roles.services import user_create
from tenants.models import Tenant
from tenants.services import tenant_provision

PASSWORD = "orderline-demo"
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
        w(f"  API docs (per tenant)  http://acme.{base}:{port}/api/docs/")
        w("")
