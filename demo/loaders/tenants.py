"""Public schema: the platform operator (``ops@orderline.local``) and one tenant per demo
supplier, provisioned with its owner (the system administrator). Idempotent."""

from django.db import connection

from demo import suppliers
from roles.enums import UserKind
from tenants.models import Tenant
from tenants.services import tenant_provision


def operator_load():
    """The platform operator, in the public schema."""
    connection.set_schema_to_public()
    return suppliers.user_ensure(email=suppliers.OPERATOR_EMAIL, name="Platform Operator",
                                 kind=UserKind.OPERATOR, language="en")


def load(supplier):
    """The supplier's tenant (provisioned if missing, with its owner); returns it."""
    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=supplier["slug"]).first()
    if tenant is None:
        owner_email, owner_name = supplier["owner"]
        tenant = tenant_provision(
            name=supplier["name"], slug=supplier["slug"], owner_email=owner_email,
            owner_password=suppliers.PASSWORD, owner_name=owner_name,
            language=supplier["language"],
        ).tenant
    return tenant
