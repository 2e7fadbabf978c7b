"""Who is in the demo: the two suppliers, the shared password and the operator.

Loaders read these through the module (``suppliers.PASSWORD``), so a test can shrink or
change them with ``monkeypatch.setattr``.
"""

PASSWORD = "orderline-demo"
OPERATOR_EMAIL = "ops@orderline.local"
# The demo operator's authenticator key (base32: type it into any authenticator app, or
# run `manage.py demo_code` for the current code) and backup codes. Demo data only.
OPERATOR_TOTP_SECRET = "ORDERLINEDEMOOPSORDERLINEDEMOOPS"
OPERATOR_BACKUP_CODES = [f"demo{n:04d}" for n in range(1, 11)]
# the other operator roles, with the same password, key and backup codes
ROLE_OPERATORS = [("support@orderline.local", "Sam Support", "support"),
                  ("finance@orderline.local", "Fiona Finance", "finance")]

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


def user_ensure(*, email, name, kind, language, administrator=False):
    """The user with ``email`` in the current schema, created with the demo password if
    missing."""
    from django.contrib.auth import get_user_model

    from roles.services import user_create

    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(email=email, password=PASSWORD, name=name, kind=kind,
                           language=language, administrator=administrator)
    return user
