"""Staff catalog pages: the product list (search, filters, bulk shelf and price changes)
and the product editor (details, variants, generated combinations, images)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext, pgettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import raise_for
from frontend.dashboard.forms.catalog import (BulkPriceForm, GenerateForm, ProductCreateForm,
                                              ProductForm, VariantFormSet, selected_ids)
from frontend.dashboard.views.catalog.common import (FILTERS, MAX_UPLOADS, PAGE_SIZE,
                                                     CatalogPermissionMixin, _back, _filters,
                                                     _product, _stock_states)
from ordering.catalog import selectors
from ordering.catalog.services import editing
from ordering.catalog.services import products as catalog
from roles.backends import client_ip
from roles.permissions import has_perm


class ProductListView(CatalogPermissionMixin, View):
    permissions = {"GET": "view_catalog"}
    template_name = "dashboard/catalog/products.html"

    def get(self, request):
        user = request.user
        filters = _filters(request, FILTERS)
        queryset = selectors.product_list(
            actor=user, query=filters["q"], category=filters["category"],
            brand=filters["brand"], tag=filters["tag"], shelf=filters["shelf"],
            stock=filters["stock"], sort=filters["sort"] or "position")
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        for product in page:
            product.stock_state = selectors.stock_state(product.available)
            product.thumbnail = product.ordered_images[0] if product.ordered_images else None
        return render(request, self.template_name, {
            "page": page, "filters": filters, "query_string": request.GET.urlencode(),
            "categories": selectors.category_tree(actor=user),
            "brands": selectors.brand_list(actor=user),
            "tags": selectors.product_tags(actor=user),
            "stock_states": _stock_states(),
            "shelf_choices": [("on", _("On shelf")), ("off", _("Off shelf"))],
            "sorts": [("position", _("Catalog order")), ("name", pgettext("of a thing", "Name")),
                      ("code", _("Code")), ("-created", _("Newest")),
                      ("-updated", _("Recently changed")), ("price", _("Price: low to high")),
                      ("-price", _("Price: high to low")), ("stock", _("Stock: lowest first"))],
            "can_manage": has_perm(user, "manage_catalog"),
            "can_prices": has_perm(user, "manage_prices"),
        })


class ProductBulkShelfView(CatalogPermissionMixin, View):
    permissions = {"POST": "manage_catalog"}

    def post(self, request):
        ids = selected_ids(request.POST)
        if not ids:
            messages.error(request, _("Select one or more products first."))
            return _back(request, "dashboard:catalog-products")
        on_shelf = request.POST.get("on_shelf") == "on"
        try:
            count = catalog.products_set_shelf(actor=request.user, product_ids=ids,
                                               on_shelf=on_shelf, ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return _back(request, "dashboard:catalog-products")
        if on_shelf:
            message = ngettext("%(n)d product put on the shelf.",
                               "%(n)d products put on the shelf.", count)
        else:
            message = ngettext("%(n)d product taken off the shelf.",
                               "%(n)d products taken off the shelf.", count)
        messages.success(request, message % {"n": count})
        return _back(request, "dashboard:catalog-products")


class ProductBulkPriceView(CatalogPermissionMixin, View):
    permissions = {"POST": "manage_prices"}

    def post(self, request):
        ids = selected_ids(request.POST)
        form = BulkPriceForm(request.POST)
        if not ids:
            messages.error(request, _("Select one or more products first."))
            return _back(request, "dashboard:catalog-products")
        if not form.is_valid():
            messages.error(request, _("Enter a percentage, e.g. 5 or -10."))
            return _back(request, "dashboard:catalog-products")
        try:
            count = catalog.products_change_prices(
                actor=request.user, product_ids=ids, percent=form.cleaned_data["percent"],
                ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return _back(request, "dashboard:catalog-products")
        messages.success(request, ngettext("The list price of %(n)d variant changed.",
                                           "The list prices of %(n)d variants changed.",
                                           count) % {"n": count})
        return _back(request, "dashboard:catalog-products")


def _product_initial(product):
    return {"name": product.name, "code": product.code, "category": product.category_id,
            "brand": product.brand.name if product.brand else "", "unit": product.unit.name,
            "tags": ", ".join(product.tags), "description": product.description,
            "on_shelf": product.on_shelf, "position": product.position,
            "levels": [level.pk for level in product.levels.all()]}


def _product_values(form):
    """The service's keyword arguments from a valid ProductForm (brand and unit by name:
    the service makes a new one)."""
    data = form.cleaned_data
    return {"name": data["name"], "code": data["code"], "category": data["category"],
            "brand": data["brand"] or "", "unit": data["unit"], "tags": data["tags"],
            "description": data["description"], "on_shelf": data["on_shelf"],
            "position": data["position"] or 0, "levels": list(data["levels"])}


def _variant_row(form):
    """A variant row for ``editing.variants_save`` from a valid row of the table."""
    data = form.cleaned_data
    return {"variant": data.get("id"), "code": data["code"], "list_price": data["list_price"],
            "barcode": data["barcode"], "spec_values": list(data["specs"]),
            "weight": data["weight"], "min_quantity": data["min_quantity"] or 1,
            "order_multiple": data["order_multiple"] or 1, "is_active": data["is_active"],
            "image": data.get("image"), "units": list(data["units"])}


def _variant_initial(variant):
    return {"id": variant.pk, "code": variant.code, "barcode": variant.barcode,
            "specs": selectors.variant_specs(variant), "list_price": variant.list_price,
            "weight": variant.weight, "min_quantity": variant.min_quantity,
            "order_multiple": variant.order_multiple, "is_active": variant.is_active,
            "units": ", ".join(f"{u.unit.name} = {u.factor}" for u in variant.units.all()),
            "image": variant.image_id}


def _image_choices(product):
    return [(image.pk, _("Image %(n)d") % {"n": n})
            for n, image in enumerate(product.ordered_images, start=1)]


def _variant_formset(product, data=None):
    return VariantFormSet(data, prefix="v", image_choices=_image_choices(product),
                          initial=[_variant_initial(v) for v in product.ordered_variants])


def _image_orders(product):
    """For each image, the order after moving it up and after moving it down."""
    ids = [image.pk for image in product.ordered_images]
    rows = []
    for index, image in enumerate(product.ordered_images):
        up = down = None
        if index > 0:
            order = ids[:]
            order[index - 1], order[index] = order[index], order[index - 1]
            up = ",".join(map(str, order))
        if index < len(ids) - 1:
            order = ids[:]
            order[index + 1], order[index] = order[index], order[index + 1]
            down = ",".join(map(str, order))
        rows.append((image, up, down))
    return rows


class ProductCreateView(CatalogPermissionMixin, View):
    permissions = {"GET": "manage_catalog", "POST": "manage_catalog"}
    template_name = "dashboard/catalog/product_form.html"

    def _render(self, form, status=200):
        return render(self.request, self.template_name, {
            "form": form, "units": selectors.unit_list(actor=self.request.user),
            "brands": selectors.brand_list(actor=self.request.user)}, status=status)

    def _form(self, data=None):
        return ProductCreateForm(data, tree=selectors.category_tree(actor=self.request.user),
                                 initial={"on_shelf": True, "opening_stock": 0})

    def get(self, request):
        return self._render(self._form())

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            if data["has_specs"]:
                product = catalog.product_create(actor=request.user, ip=client_ip(request),
                                                 **_product_values(form))
            else:
                product = catalog.product_create_single(
                    actor=request.user, ip=client_ip(request),
                    list_price=data["list_price"], opening_stock=data["opening_stock"] or 0,
                    **_product_values(form))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(form, status=400)
        if data["has_specs"]:
            messages.success(request, _("Product %(name)s added. Now add its variants.")
                             % {"name": product.name})
        else:
            messages.success(request, _("Product %(name)s added.") % {"name": product.name})
        return redirect("dashboard:catalog-product", pk=product.pk)


class ProductEditorMixin(CatalogPermissionMixin):
    """The editor page: product details, variants, generated combinations and images.
    Each part posts to its own URL; a failing part re-renders the page with its errors
    (HTTP 400) and the other parts as they were."""

    template_name = "dashboard/catalog/product.html"

    def render_editor(self, product, *, form=None, formset=None, generate=None,
                      image_error=None, status=200):
        user = self.request.user
        can_manage = has_perm(user, "manage_catalog")
        if form is None:
            form = ProductForm(tree=selectors.category_tree(actor=user),
                               initial=_product_initial(product))
        if formset is None:
            formset = _variant_formset(product)
        for row, variant in zip(formset.forms, product.ordered_variants):
            row.variant = variant
        return render(self.request, self.template_name, {
            "product": product, "form": form, "formset": formset,
            "generate_form": generate or GenerateForm(initial={
                "attribute_1": _("Colour"), "attribute_2": _("Size")}),
            "images": _image_orders(product), "image_error": image_error,
            "units": selectors.unit_list(actor=user), "brands": selectors.brand_list(actor=user),
            "attributes": selectors.spec_attribute_list(actor=user),
            "can_manage": can_manage, "tab": "product",
            "max_uploads": MAX_UPLOADS,
        }, status=status)


class ProductDetailView(ProductEditorMixin, View):
    """GET the editor; POST the product's details."""

    def get(self, request, pk):
        return self.render_editor(_product(request, pk))

    def post(self, request, pk):
        product = _product(request, pk)
        form = ProductForm(request.POST, tree=selectors.category_tree(actor=request.user),
                           initial=_product_initial(product))
        if not form.is_valid():
            return self.render_editor(product, form=form, status=400)
        try:
            catalog.product_update(actor=request.user, product=product,
                                   ip=client_ip(request), **_product_values(form))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_editor(product, form=form, status=400)
        messages.success(request, _("Saved."))
        return redirect("dashboard:catalog-product", pk=product.pk)


class ProductVariantsView(ProductEditorMixin, View):
    """POST the variants table: changed rows are saved, a filled-in new row is added."""

    permissions = {"POST": "manage_catalog"}

    def post(self, request, pk):
        product = _product(request, pk)
        formset = _variant_formset(product, request.POST)
        if not formset.is_valid():
            return self.render_editor(product, formset=formset, status=400)
        changed = [row for row in formset.forms if not row.is_blank_new_row()
                   and not (row.cleaned_data.get("id") and not row.has_changed())]
        try:
            saved = len(editing.variants_save(actor=request.user, product=product,
                                              rows=[_variant_row(row) for row in changed],
                                              ip=client_ip(request)))
        except editing.VariantRowError as exc:
            form_add_application_error(changed[exc.index], exc.error)
            return self.render_editor(product, formset=formset, status=400)
        if saved:
            messages.success(request, ngettext("%(n)d variant saved.", "%(n)d variants saved.",
                                               saved) % {"n": saved})
        else:
            messages.info(request, _("Nothing changed."))
        return redirect(reverse("dashboard:catalog-product", args=[product.pk]) + "#variants")



class ProductGenerateView(ProductEditorMixin, View):
    """POST chosen spec values: every combination becomes a variant."""

    permissions = {"POST": "manage_catalog"}

    def post(self, request, pk):
        product = _product(request, pk)
        form = GenerateForm(request.POST)
        if not form.is_valid():
            return self.render_editor(product, generate=form, status=400)
        data = form.cleaned_data
        try:
            made = catalog.variants_generate(
                actor=request.user, product=product, specs=data["specs"],
                list_price=data["list_price"], code_prefix=data["code_prefix"] or None,
                ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_editor(product, generate=form, status=400)
        if made:
            messages.success(request, ngettext(
                "%(n)d variant added: adjust codes, prices and stock below.",
                "%(n)d variants added: adjust codes, prices and stock below.",
                len(made)) % {"n": len(made)})
        else:
            messages.info(request, _("Every one of these combinations exists already."))
        return redirect(reverse("dashboard:catalog-product", args=[product.pk]) + "#variants")


class ProductImagesView(ProductEditorMixin, View):
    """POST one or more images (all or none are added)."""

    permissions = {"POST": "manage_catalog"}

    def post(self, request, pk):
        product = _product(request, pk)
        uploads = request.FILES.getlist("images")
        if not uploads:
            return self.render_editor(product, image_error=_("Choose one or more images."),
                                      status=400)
        if len(uploads) > MAX_UPLOADS:
            return self.render_editor(product, image_error=_(
                "At most %(n)d images at a time.") % {"n": MAX_UPLOADS}, status=400)
        try:
            editing.images_add(actor=request.user, product=product, uploads=uploads,
                               ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_editor(product, image_error=exc.message, status=400)
        messages.success(request, ngettext("%(n)d image added.", "%(n)d images added.",
                                           len(uploads)) % {"n": len(uploads)})
        return redirect(reverse("dashboard:catalog-product", args=[product.pk]) + "#images")


class ProductImageOrderView(CatalogPermissionMixin, View):
    permissions = {"POST": "manage_catalog"}

    def post(self, request, pk):
        product = _product(request, pk)
        ids = [part for part in request.POST.get("order", "").split(",") if part]
        if not all(part.isascii() and part.isdecimal() and len(part) < 18 for part in ids):
            messages.error(request, _("Give every image of the product once."))
        else:
            try:
                catalog.images_reorder(actor=request.user, product=product, image_ids=ids,
                                       ip=client_ip(request))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Image order saved."))
        return redirect(reverse("dashboard:catalog-product", args=[product.pk]) + "#images")


class ProductImageDeleteView(CatalogPermissionMixin, View):
    permissions = {"POST": "manage_catalog"}

    def post(self, request, pk, image_pk):
        product = _product(request, pk)
        image = next((i for i in product.ordered_images if i.pk == image_pk), None)
        if image is None:
            raise Http404
        catalog.image_delete(actor=request.user, image=image, ip=client_ip(request))
        messages.success(request, _("Image removed."))
        return redirect(reverse("dashboard:catalog-product", args=[product.pk]) + "#images")
