"""The one authority on who may do what: ``has_perm(user, perm, obj=None)``.

Role permissions (the union of the user's roles) plus django-guardian object
grants. The HTML mixin, the DRF permission class, the ``{% has_perm %}`` tag and
the selectors' scoping all call this module; nothing else decides.

Every URL declares what it needs: a catalog codename, ``ANY_STAFF`` (any active
staff member), ``ANY_DEALER``, ``SIGNED_IN`` or ``PUBLIC``; a test walks the URL
patterns and fails on any view that declares nothing.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from roles.exceptions import RolePermissionError
from roles.catalog import ADMINISTRATOR, CODENAMES
from roles.enums import UserKind

PUBLIC = "@public"
SIGNED_IN = "@signed-in"
ANY_STAFF = "@staff"
ANY_DEALER = "@dealer"
DECLARATIONS = frozenset({PUBLIC, SIGNED_IN, ANY_STAFF, ANY_DEALER})

_CACHE = "_orderline_permissions"


def _active_staff(user):
    return (getattr(user, "is_authenticated", False) and user.is_active
            and user.kind == UserKind.STAFF)


def user_permissions(user):
    """The codenames the user's roles grant (one query, memoised on the user object)."""
    if not _active_staff(user):
        return frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        from django.contrib.auth.models import Permission

        cached = frozenset(
            Permission.objects.filter(group__user=user, content_type__app_label="roles")
            .values_list("codename", flat=True)
        )
        setattr(user, _CACHE, cached)
    return cached


def forget_permissions(user):
    for attribute in (_CACHE, "_orderline_region_ids"):
        if hasattr(user, attribute):
            delattr(user, attribute)
    if hasattr(user, "_orderline_is_administrator"):
        delattr(user, "_orderline_is_administrator")


def has_perm(user, perm, obj=None):
    """May ``user`` do ``perm`` (a catalog codename or a declaration), on ``obj`` if given?"""
    if perm == PUBLIC:
        return True
    if perm == SIGNED_IN:
        return getattr(user, "is_authenticated", False) and user.is_active
    if perm == ANY_STAFF:
        return _active_staff(user)
    if perm == ANY_DEALER:
        return (getattr(user, "is_authenticated", False) and user.is_active
                and user.kind == UserKind.DEALER)
    if perm not in CODENAMES:
        raise ValueError(f"unknown permission {perm!r}")
    if perm not in user_permissions(user):
        return False
    if obj is not None:
        return can_reach(user, obj)
    return True


def require_perm(actor, perm):
    """What a service checks itself, whatever a view or the API checked: ``perm``, or
    ``PermissionDeniedError``. ``actor=None`` is the platform (the demo, data
    migrations, tasks run on behalf of a checked user)."""
    if actor is not None and not has_perm(actor, perm):
        raise RolePermissionError(_("You do not have permission to do this."))


def is_administrator(user):
    """Holds the system-administrator role (the only one that manages staff and roles)."""
    if not _active_staff(user):
        return False
    if not hasattr(user, "_orderline_is_administrator"):
        user._orderline_is_administrator = user.groups.filter(role__key=ADMINISTRATOR).exists()
    return user._orderline_is_administrator


# --- data scoping ------------------------------------------------------------------
#
# "Things that belong to a customer" declare the path to their customer and the
# customer's path to its region; the scope is: every customer for users with
# access_all_customers, else the customers in the user's regions (and their sub-
# regions) plus the customers assigned to the user (guardian grants).


def scoped_region_ids(user):
    """Ids of the regions the user works in, sub-regions included (memoised per request)."""
    cached = getattr(user, "_orderline_region_ids", None)
    if cached is not None:
        return cached
    from guardian.shortcuts import get_objects_for_user

    from roles.models import Region

    granted = get_objects_for_user(user, "roles.work_in_region", klass=Region,
                                   use_groups=False, with_superuser=False, accept_global_perms=False)
    granted = list(granted)
    ids = frozenset()
    if granted:
        query = Q(pk__in=[region.pk for region in granted])
        for region in granted:
            query |= Q(path__startswith=f"{region.path}{region.pk}/")
        ids = frozenset(Region.objects.filter(query).values_list("pk", flat=True))
    user._orderline_region_ids = ids
    return ids


def sees_all_customers(user):
    return "access_all_customers" in user_permissions(user)


def scope_q(user, *, region_path, assigned=None, assigned_path="pk"):
    """A Q limiting a queryset to what ``user`` may see.

    ``region_path`` leads from the queried model to a Region (``"pk"`` for regions,
    ``"region"`` for customers, ``"customer__region"`` for orders). ``assigned`` is
    ``(guardian permission, model)`` assigning customers to users (sales reps), and
    ``assigned_path`` the path from the queried model to that customer's key.
    """
    if not _active_staff(user):
        return Q(pk__in=[])
    if sees_all_customers(user):
        return Q()
    query = Q(**{f"{region_path}__in": scoped_region_ids(user)})
    if assigned:
        from guardian.shortcuts import get_objects_for_user

        perm, model = assigned
        granted = get_objects_for_user(user, perm, klass=model, use_groups=False,
                                       with_superuser=False, accept_global_perms=False)
        query |= Q(**{f"{assigned_path}__in": granted.values("pk")})
    return query


def scope(user, queryset):
    """``queryset`` limited to what ``user`` may see; its model declares its scope."""
    model = queryset.model
    return queryset.filter(scope_q(user, region_path=model.scope_region_path,
                                   assigned=getattr(model, "scope_assigned", None),
                                   assigned_path=getattr(model, "scope_assigned_path", "pk")))


def reached(user, obj):
    """Say that ``obj`` was read through ``scope(user, …)``: ``can_reach`` then answers
    without a query for the rest of the request."""
    if user is not None and getattr(user, "pk", None):
        obj.__dict__.setdefault("_orderline_reached_by", set()).add(user.pk)
    return obj


def can_reach(user, obj):
    """May the user work with ``obj``? Its model must declare ``scope_region_path`` (and
    optionally ``scope_assigned`` / ``scope_assigned_path``): an undeclared model is a
    programming error, never silently open."""
    if getattr(type(obj), "scope_region_path", None) is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{type(obj).__name__} declares no scope_region_path; has_perm cannot scope it")
    if sees_all_customers(user):
        return True
    # a positive answer is remembered on the object (a page asks several times: may the
    # user quote, accept, read the thread…); a refusal is asked again
    reached = obj.__dict__.setdefault("_orderline_reached_by", set())
    if user.pk in reached:
        return True
    if scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists():
        reached.add(user.pk)
        return True
    return False
