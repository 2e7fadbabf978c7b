from django.conf import settings
from django.utils.functional import SimpleLazyObject



def site(request):
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.is_public:
        tenant = None
    return {
        "tenant": tenant,
        # the tenant's business settings, read (from the cache) only when a page uses them
        "business_settings": SimpleLazyObject(_tenant_settings) if tenant is not None else None,
        "base_domain": settings.BASE_DOMAIN,
        "public_url": _public_url(request),
    }


def _tenant_settings():
    from ordering.settings.selectors import tenant_settings

    return tenant_settings()


def _public_url(request):
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = "" if port in (default, None, "") else f":{port}"
    scheme = "https" if request.is_secure() else "http"
    return f"{scheme}://{settings.BASE_DOMAIN}{suffix}"


def tenant_url(request, tenant, path="/"):
    """Absolute URL of ``path`` on ``tenant``'s subdomain, same scheme and port as request."""
    return _public_url(request).replace("://", f"://{tenant.slug}.", 1) + path
