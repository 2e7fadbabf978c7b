"""Reads for staff, roles, regions, the audit log, the login log and API keys.

Every list takes ``actor=`` and is a constant number of queries however many
rows it shows (prefetches inside).
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from roles.enums import UserKind
from roles.models import ApiKey, AuditLog, LoginLog, Region, Role


def staff_list(*, actor, query="", role_id=None, status=""):
    qs = (get_user_model().objects.filter(kind=UserKind.STAFF)
          .prefetch_related(Prefetch("groups__role")).order_by("name", "email"))
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(email__icontains=query)
                       | Q(phone__icontains=query))
    if role_id:
        qs = qs.filter(groups__role__id=role_id)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "disabled":
        qs = qs.filter(is_active=False)
    return qs.distinct()


def staff_get(*, actor, pk):
    return get_user_model().objects.filter(kind=UserKind.STAFF, pk=pk).first()


def role_list(*, actor):
    return (Role.objects.select_related("group")
            .annotate(member_count=Count("group__user", distinct=True))
            .prefetch_related("group__permissions").order_by("-builtin", "id"))


def role_get(*, pk):
    """One role with its group, or None."""
    return Role.objects.select_related("group").filter(pk=pk).first()


def roles_of(*, user):
    """The roles a staff member holds."""
    return Role.objects.filter(group__user=user)


def role_choices():
    """Every role, for a choice field."""
    return Role.objects.select_related("group")


def region_choices():
    """Every region in tree order, with its parent (for labels), for a choice field."""
    return Region.objects.select_related("parent").order_by("path", "name")


def active_staff_choices():
    """Active staff members by name, for a choice field (an API key acts as one)."""
    return get_user_model().objects.filter(kind=UserKind.STAFF, is_active=True) \
        .order_by("name", "email")


def region_get(*, pk):
    """One region of the tenant, or None."""
    return Region.objects.filter(pk=pk).first()


def region_tree(*, actor, scoped=False):
    """Regions, children after their parent, with a depth. ``scoped``: only those the
    actor works in (regional managers and sales reps see their own)."""
    qs = Region.objects.select_related("parent").order_by("path", "name")
    if scoped:
        from roles.permissions import scope

        qs = scope(actor, qs)
    regions = list(qs)
    visible = {region.pk for region in regions}
    for region in regions:
        if region.parent_id not in visible:
            region.parent_id_for_tree = None
        else:
            region.parent_id_for_tree = region.parent_id
    by_parent = {}
    for region in regions:
        by_parent.setdefault(region.parent_id_for_tree, []).append(region)
    ordered = []

    def walk(parent_id, depth):
        for region in sorted(by_parent.get(parent_id, []), key=lambda r: r.name):
            region.depth = depth
            ordered.append(region)
            walk(region.pk, depth + 1)

    walk(None, 0)
    return ordered


def _date(value):
    from django.utils.dateparse import parse_date

    try:
        return parse_date(value) if isinstance(value, str) else value
    except ValueError:
        return None


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_log_list(*, actor, query="", action="", actor_id=None, since=None, until=None):
    """Newest first. Unparseable dates are ignored rather than failing the page."""
    since, until = _date(since), _date(until)
    qs = AuditLog.objects.select_related("actor")
    if query:
        qs = qs.filter(Q(object_repr__icontains=query) | Q(actor_label__icontains=query))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    # whole days in the site's time zone, as a range on the column (its index answers it;
    # created_at__date would compute the date of every row)
    if since:
        qs = qs.filter(created_at__gte=_day_start(since))
    if until:
        qs = qs.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return qs


def login_log_list(*, actor, query="", success=None):
    qs = LoginLog.objects.select_related("user")
    if query:
        qs = qs.filter(Q(identifier__icontains=query) | Q(ip_address__startswith=query))
    if success is not None:
        qs = qs.filter(success=success)
    return qs


def api_key_get(*, pk):
    return ApiKey.objects.filter(pk=pk).first()


def api_key_list(*, actor):
    return ApiKey.objects.select_related("user", "created_by")
