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
    # Memoised on the user object, which lives for one request.
    if not hasattr(user, "_orderline_is_administrator"):
        user._orderline_is_administrator = user.groups.filter(name=SYSTEM_ADMINISTRATOR).exists()
    return user._orderline_is_administrator
