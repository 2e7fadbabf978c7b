"""The tenant page's export card (polled while an export runs) and the export's download
through its signed, expiring link. Thin: ``shared.exports`` checks the role, the link and
writes the download to the platform audit log."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.views.base import raise_for
from frontend.ops.views.tenants import OpsRoleMixin, exports_context
from roles.backends import client_ip
from shared import exports, selectors


class TenantExportsView(OpsRoleMixin, View):
    """The export card alone (htmx swaps it in every two seconds while one runs)."""

    ops_permission = "export"

    def get(self, request, pk):
        tenant = selectors.tenant_get(pk=pk)
        if tenant is None:
            raise Http404
        return render(request, "ops/_exports.html", {
            "tenant": tenant, **exports_context(tenant, request.user)})


class ExportDownloadView(OpsRoleMixin, View):
    ops_permission = "export"

    def get(self, request, pk, token):
        tenant = selectors.tenant_get(pk=pk)
        if tenant is None:
            raise Http404
        try:
            export, path = exports.export_download(operator=request.user, tenant=tenant,
                                                   token=token, ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            return render(request, "ops/export_gone.html", {"tenant": tenant,
                                                            "message": exc.message},
                          status=exc.status)
        response = FileResponse(open(path, "rb"), as_attachment=True,
                                filename=f"{tenant.slug}-export-{export.pk}.zip",
                                content_type="application/zip")
        response["Cache-Control"] = "private, no-store"
        return response
