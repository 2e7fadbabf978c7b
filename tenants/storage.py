"""Per-tenant file storage: files live in MEDIA_ROOT/<schema>/, URLs are /media/<name>
on the tenant's own host (the view picks the folder from the host, never the URL)."""

from django.conf import settings
from django_tenants.files.storage import TenantFileSystemStorage


class TenantMediaStorage(TenantFileSystemStorage):
    @property
    def base_url(self):
        return settings.MEDIA_URL
