"""Staff catalog pages: the catalog settings (stock display, overselling)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.catalog import CatalogSettingsForm
from frontend.dashboard.views.catalog.common import CatalogPermissionMixin
from ordering.catalog.services.settings import catalog_settings_update
from ordering.catalog.selectors import LOW_STOCK
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip


class CatalogSettingsView(CatalogPermissionMixin, View):
    permissions = {"GET": "manage_settings", "POST": "manage_settings"}
    template_name = "dashboard/catalog/settings.html"

    def _render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form, "low_stock": LOW_STOCK},
                      status=status)

    def get(self, request):
        current = tenant_settings()
        return self._render(CatalogSettingsForm(initial={
            "stock_display": current.stock_display, "allow_oversell": current.allow_oversell}))

    def post(self, request):
        form = CatalogSettingsForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            catalog_settings_update(actor=request.user,
                                    stock_display=form.cleaned_data["stock_display"],
                                    allow_oversell=form.cleaned_data["allow_oversell"],
                                    ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(form, status=400)
        messages.success(request, _("Catalog settings saved."))
        return redirect("dashboard:catalog-settings")
