"""Tenant resolution (cached) and the suspended-tenant gate."""

from django.conf import settings
from django.db import connection
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware

from tenants import cache as tenant_cache


class TenantMiddleware(TenantMainMiddleware):
    """Picks the schema from the Host header.

    ``BASE_DOMAIN`` and ``www.BASE_DOMAIN`` are the public site, ``<slug>.BASE_DOMAIN``
    (or a custom domain row) a tenant, anything else the public 404 page. Warm
    requests are answered from the cache without touching the database.
    """

    @staticmethod
    def hostname_from_request(request):
        """Lower-case host without port or trailing dot; ``www.`` only for the base domain."""
        host, _port = split_domain_port(request.get_host())  # lower-cased, no trailing dot
        if host == f"www.{settings.BASE_DOMAIN}":
            return settings.BASE_DOMAIN
        return host

    def get_tenant(self, domain_model, hostname):
        from tenants.models import Tenant

        cached = tenant_cache.get(hostname)
        if cached is not None:
            if tenant_cache.is_unknown_marker(cached):
                raise domain_model.DoesNotExist
            return cached
        try:
            if hostname == settings.BASE_DOMAIN:
                tenant = Tenant.objects.get(schema_name="public")
            else:
                tenant = domain_model.objects.select_related("tenant").get(domain=hostname).tenant
        except (domain_model.DoesNotExist, Tenant.DoesNotExist):
            tenant_cache.put(hostname, None)
            raise domain_model.DoesNotExist from None
        tenant_cache.put(hostname, tenant)
        return tenant

    def no_tenant_found(self, request, hostname):
        connection.set_schema_to_public()
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)
        request.tenant = None
        translation.activate(translation.get_language_from_request(request))
        response = render(request, "public/tenant_not_found.html", {"hostname": hostname},
                          status=404)
        return response


# Paths a suspended tenant still serves to everyone.
_SUSPENDED_OPEN_PREFIXES = ("/static/", "/login/", "/logout/", "/i18n/", "/password/")
_SUSPENDED_ADMIN_PREFIXES = ("/dashboard/billing/",)


class TenantStatusMiddleware:
    """A suspended or canceled tenant shows an explanatory page.

    Its administrators still reach the billing page to put things right.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public or not tenant.is_suspended:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(_SUSPENDED_OPEN_PREFIXES):
            return self.get_response(request)
        if path.startswith(_SUSPENDED_ADMIN_PREFIXES):
            from roles.permissions import has_perm

            if has_perm(request.user, "manage_billing"):
                return self.get_response(request)
        return render(request, "public/tenant_suspended.html", {"tenant": tenant}, status=403)
