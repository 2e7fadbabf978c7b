from django.db.models import Count, Q
from django.utils import timezone

from tenants.enums import TenantStatus
from tenants.models import PoolHealth, Tenant


def tenant_list(*, query=""):
    qs = Tenant.objects.exclude(schema_name="public").prefetch_related("domains")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(slug__icontains=query)
                       | Q(owner_email__icontains=query))
    return qs.order_by("-created_at")


def platform_metrics():
    since = timezone.now() - timezone.timedelta(days=30)
    return Tenant.objects.exclude(schema_name="public").aggregate(
        total=Count("id"),
        signups_30d=Count("id", filter=Q(created_at__gte=since)),
        trialing=Count("id", filter=Q(status=TenantStatus.TRIAL)),
        active=Count("id", filter=Q(status=TenantStatus.ACTIVE)),
        suspended=Count("id", filter=Q(status__in=[TenantStatus.SUSPENDED,
                                                   TenantStatus.CANCELED])),
    )


def pool_health():
    """The last warm-pool refill's outcome (``PoolHealth``: ``ok``, ``error``,
    ``failing_since``, ``ready`` of ``target``, ``succeeded_at``); None before the
    first refill."""
    return PoolHealth.objects.filter(pk=1).first()
