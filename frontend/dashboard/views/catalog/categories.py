"""Staff catalog pages: the category tree."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.catalog import CategoryForm
from core.text import whole_number as _int
from frontend.dashboard.views.catalog.common import CatalogPermissionMixin
from ordering.catalog import selectors
from ordering.catalog.services import products as catalog
from roles.backends import client_ip
from roles.permissions import has_perm


class CategoryListView(CatalogPermissionMixin, View):
    """The category tree: add a category (top level or under another), rename one or
    change its order among its siblings."""

    template_name = "dashboard/catalog/categories.html"

    def _render(self, tree, form=None, status=200):
        return render(self.request, self.template_name, {
            "categories": tree, "form": form or CategoryForm(tree=tree),
            "can_manage": has_perm(self.request.user, "manage_catalog")}, status=status)

    def get(self, request):
        return self._render(selectors.category_tree(actor=request.user))

    def post(self, request):
        tree = selectors.category_tree(actor=request.user)
        ip = client_ip(request)
        pk = _int(request.POST.get("category"))
        if pk is not None:
            category = next((c for c in tree if c.pk == pk), None)
            if category is None:
                raise Http404
            form = CategoryForm(request.POST, prefix=f"c{pk}")
            if form.is_valid():
                try:
                    catalog.category_update(actor=request.user, category=category, ip=ip,
                                            name=form.cleaned_data["name"],
                                            position=form.cleaned_data["position"] or 0)
                except ApplicationError as exc:
                    form_add_application_error(form, exc)
                else:
                    messages.success(request, _("Category saved."))
                    return redirect("dashboard:catalog-categories")
            category.edit_form = form
            return self._render(tree, status=400)
        form = CategoryForm(request.POST, tree=tree)
        if form.is_valid():
            data = form.cleaned_data
            try:
                category = catalog.category_create(actor=request.user, name=data["name"],
                                                   parent=data["parent"],
                                                   position=data["position"] or 0, ip=ip)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Category %(name)s added.")
                                 % {"name": category.name})
                return redirect("dashboard:catalog-categories")
        return self._render(tree, form, status=400)
