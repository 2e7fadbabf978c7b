from roles.models import Role
from tests.factories.users import UserFactory


def staff_with_roles(*keys, **extra):
    """A staff member holding the given built-in role keys (current schema)."""
    user = UserFactory(**extra)
    user.groups.set([Role.objects.get(key=key).group for key in keys])
    return user
