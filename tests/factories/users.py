import factory
from django.contrib.auth import get_user_model

from roles.enums import UserKind

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    """Creates a user in whatever schema the connection is on (use tenant_context)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    kind = UserKind.STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class DealerFactory(UserFactory):
    kind = UserKind.DEALER


# Every operator made by the factory has this authenticator (hex, as django-otp keeps it)
# unless made with ``two_factor=False``; ``totp_code()`` gives its current code.
OPERATOR_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(key=OPERATOR_TOTP_KEY, *, offset=0):
    """The code an authenticator with ``key`` shows now (``offset`` steps later)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time() + 30 * offset
    return f"{totp.token():06d}"


class OperatorFactory(UserFactory):
    kind = UserKind.OPERATOR

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=obj, name="authenticator", confirmed=True,
                                      key=OPERATOR_TOTP_KEY)


def operator_login(client, user):
    """Sign an operator in on ``client`` with the password and the second factor done
    (what ``force_login`` does, plus the verified authenticator in the session)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="roles.backends.EmailBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def operator_with_role(role=None, **values):
    """An operator (with the factory's authenticator) holding ``role`` (None: no
    profile, which the platform reads as operator admin)."""
    from shared.models import OperatorProfile

    user = OperatorFactory(**values)
    if role:
        OperatorProfile.objects.create(user=user, role=role)
    return user
