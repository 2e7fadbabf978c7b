"""Serve the current tenant's uploaded files (each tenant has its own folder)."""

from django.http import FileResponse, Http404
from django.core.files.storage import default_storage
from django.utils._os import safe_join


def tenant_media(request, path):
    try:
        full = safe_join(default_storage.location, path)
    except Exception as exc:  # SuspiciousFileOperation on ../ tricks
        raise Http404 from exc
    if not default_storage.exists(path):
        raise Http404
    return FileResponse(open(full, "rb"))
