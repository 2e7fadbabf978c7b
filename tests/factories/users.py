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


class OperatorFactory(UserFactory):
    kind = UserKind.OPERATOR
