"""Reads for staff, roles, regions, the audit log, the login log and API keys.

Every list takes ``actor=`` and is a constant number of queries however many
rows it shows (prefetches inside).
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q

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


def region_tree(*, actor):
    """All regions, ordered so that children follow their parent, with a depth."""
    regions = list(Region.objects.select_related("parent").order_by("path", "name"))
    by_parent = {}
    for region in regions:
        by_parent.setdefault(region.parent_id, []).append(region)
    ordered = []

    def walk(parent_id, depth):
        for region in sorted(by_parent.get(parent_id, []), key=lambda r: r.name):
            region.depth = depth
            ordered.append(region)
            walk(region.pk, depth + 1)

    walk(None, 0)
    return ordered


def audit_log_list(*, actor, query="", action="", actor_id=None, since=None, until=None):
    qs = AuditLog.objects.select_related("actor")
    if query:
        qs = qs.filter(Q(object_repr__icontains=query) | Q(actor_label__icontains=query))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def login_log_list(*, actor, query="", success=None):
    qs = LoginLog.objects.select_related("user")
    if query:
        qs = qs.filter(Q(identifier__icontains=query) | Q(ip_address__startswith=query))
    if success is not None:
        qs = qs.filter(success=success)
    return qs


def api_key_list(*, actor):
    return ApiKey.objects.select_related("user", "created_by")
