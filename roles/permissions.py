"""The permission vocabulary's entry points.

``is_administrator`` answers "is this a system administrator of the current tenant";
the roles issue grows this module into ``has_perm(user, perm, obj=None)``.
"""

from roles.enums import SYSTEM_ADMINISTRATOR, UserKind


def is_administrator(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.kind != UserKind.STAFF:
        return False
    return user.groups.filter(name=SYSTEM_ADMINISTRATOR).exists()
