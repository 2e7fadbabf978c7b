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
    operator = suppliers.user_ensure(email=suppliers.OPERATOR_EMAIL, name="Platform Operator",
                                     kind=UserKind.OPERATOR, language="en")
    _authenticator_ensure(operator)
    from shared.models import OperatorProfile

    for email, name, role in suppliers.ROLE_OPERATORS:
        other = suppliers.user_ensure(email=email, name=name, kind=UserKind.OPERATOR,
                                      language="en")
        OperatorProfile.objects.update_or_create(user=other, defaults={"role": role})
        _authenticator_ensure(other)
    return operator


def operator_totp_key():
    """The demo operator's authenticator key as django-otp keeps it (hex)."""
    import base64

    return base64.b32decode(suppliers.OPERATOR_TOTP_SECRET).hex()


def _authenticator_ensure(operator):
    """The demo operator's authenticator and backup codes (operators must sign in with
    a second factor; the demo's is published in ``make demo``'s output)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update_or_create(
        user=operator, name="authenticator",
        defaults={"confirmed": True, "key": operator_totp_key()})
    static, _created = StaticDevice.objects.get_or_create(user=operator, name="backup",
                                                          defaults={"confirmed": True})
    if not static.token_set.exists():
        StaticToken.objects.bulk_create(StaticToken(device=static, token=code)
                                        for code in suppliers.OPERATOR_BACKUP_CODES)


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
