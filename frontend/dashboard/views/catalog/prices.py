"""Staff catalog pages: a product's prices (level prices, customer special prices, quantity
breaks)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.catalog import (CustomerPriceForm, LevelPriceForm,
                                              QuantityBreaksForm)
from core.text import whole_number as _int
from frontend.dashboard.views.catalog.common import CatalogPermissionMixin, _product
from ordering.catalog import selectors
from ordering.catalog.services import editing
from ordering.catalog.services import products as catalog
from roles.backends import client_ip
from roles.permissions import has_perm


def _levels():
    from ordering.customers import selectors as customer_selectors

    return list(customer_selectors.level_choices())


def _level_initial(product, levels):
    initial = {}
    for variant in product.ordered_variants:
        own = {lp.level_id: lp for lp in variant.level_prices.all()}
        for level in levels:
            lp = own.get(level.pk)
            if lp is None:
                continue
            initial[f"lp_{variant.pk}_{level.pk}"] = (
                f"{lp.price}" if lp.price is not None else f"{lp.percent.normalize():f}%")
    return initial


def _breaks_initial(product, target):
    if target == "product":
        breaks = product.product_breaks
    else:
        variant = next((v for v in product.ordered_variants if str(v.pk) == target), None)
        breaks = variant.breaks if variant else []
    initial = {"target": target}
    for n, qb in enumerate(breaks[:QuantityBreaksForm.ROWS]):
        initial[f"min_{n}"] = qb.min_quantity
        initial[f"price_{n}"] = qb.price
        initial[f"discount_{n}"] = qb.discount_percent
    return initial


class ProductPricesView(CatalogPermissionMixin, View):
    """GET the price tables; POST the level price table (fixed price or % per variant ×
    level; empty: the level's default percentage)."""

    permissions = {"GET": "view_catalog", "POST": "manage_prices"}
    template_name = "dashboard/catalog/prices.html"

    def render_prices(self, product, *, levels=None, level_form=None, customer_form=None,
                      breaks_form=None, status=200):
        levels = levels if levels is not None else _levels()
        target = self.request.GET.get("breaks", "product")
        if target != "product" and not any(str(v.pk) == target
                                           for v in product.ordered_variants):
            target = "product"
        level_form = level_form or LevelPriceForm(
            variants=product.ordered_variants, levels=levels,
            initial=_level_initial(product, levels))
        rows = []
        for variant in product.ordered_variants:
            variant.specs = selectors.variant_specs(variant)
            cells = [(level_form[f"lp_{variant.pk}_{level.pk}"], level) for level in levels]
            rows.append((variant, cells))
        customer_prices = [(variant, cp) for variant in product.ordered_variants
                           for cp in variant.customer_prices.all()]
        return render(self.request, self.template_name, {
            "product": product, "levels": levels, "level_form": level_form, "rows": rows,
            "customer_form": customer_form or CustomerPriceForm(
                variants=product.ordered_variants),
            "customer_prices": customer_prices,
            "breaks_form": breaks_form or QuantityBreaksForm(
                variants=product.ordered_variants, initial=_breaks_initial(product, target)),
            "breaks_target": target,
            "can_prices": has_perm(self.request.user, "manage_prices"), "tab": "prices",
        }, status=status)

    def get(self, request, pk):
        return self.render_prices(_product(request, pk, with_prices=True))

    def post(self, request, pk):
        product = _product(request, pk, with_prices=True)
        levels = _levels()
        form = LevelPriceForm(request.POST, variants=product.ordered_variants, levels=levels)
        if not form.is_valid():
            return self.render_prices(product, levels=levels, level_form=form, status=400)
        try:
            changed = editing.level_prices_set(
                actor=request.user, product=product, ip=client_ip(request),
                cells={name: (variant, level, *form.cleaned_data[name])
                       for name, variant, level in form.cells})
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_prices(product, levels=levels, level_form=form, status=400)
        if changed:
            messages.success(request, ngettext("%(n)d level price saved.",
                                               "%(n)d level prices saved.", changed)
                             % {"n": changed})
        else:
            messages.info(request, _("Nothing changed."))
        return redirect(reverse("dashboard:catalog-product-prices", args=[product.pk]))


def _customer_lookup(user, text):
    """The one customer the user may see whose code is ``text``, or whose name or code
    alone matches it; an ApplicationError otherwise."""
    from ordering.customers import selectors as customer_selectors

    text = (text or "").strip()
    matches = customer_selectors.customer_list(actor=user, query=text)
    exact = matches.filter(code__iexact=text).first()
    if exact is not None:
        return exact
    found = list(matches[:6])
    if len(found) == 1:
        return found[0]
    if not found:
        message = _("No customer matches “%(text)s”.") % {"text": text}
    else:
        message = _("Several customers match: %(names)s. Enter the customer's code.") % {
            "names": ", ".join(f"{c.code} {c.name}" for c in found[:5])}
    raise ApplicationError(message, fields={"customer": [message]})


class ProductCustomerPriceView(ProductPricesView):
    """POST a customer's special price (for one or all variants), or remove one."""

    permissions = {"POST": "manage_prices"}

    def post(self, request, pk):
        from ordering.customers import selectors as customer_selectors

        product = _product(request, pk, with_prices=True)
        variants = {v.pk: v for v in product.ordered_variants}
        back = redirect(reverse("dashboard:catalog-product-prices", args=[product.pk])
                        + "#customer-prices")
        if request.POST.get("action") == "remove":
            variant = variants.get(_int(request.POST.get("variant")))
            customer = customer_selectors.customer_get(actor=request.user,
                                                       pk=request.POST.get("customer"))
            if variant is None or customer is None:
                raise Http404
            catalog.customer_price_set(actor=request.user, variant=variant, customer=customer,
                                       price=None, ip=client_ip(request))
            messages.success(request, _("Special price removed."))
            return back
        form = CustomerPriceForm(request.POST, variants=product.ordered_variants)
        if not form.is_valid():
            return self.render_prices(product, customer_form=form, status=400)
        data = form.cleaned_data
        targets = (list(variants.values()) if data["variant"] == "all"
                   else [variants[int(data["variant"])]])
        try:
            customer = _customer_lookup(request.user, data["customer"])
            editing.customer_prices_set(actor=request.user, variants=targets, customer=customer,
                                        price=data["price"], ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_prices(product, customer_form=form, status=400)
        messages.success(request, _("Special price for %(customer)s saved.")
                         % {"customer": customer.name})
        return back


class ProductBreaksView(ProductPricesView):
    """POST the quantity breaks of the product (all variants) or of one variant."""

    permissions = {"POST": "manage_prices"}

    def post(self, request, pk):
        product = _product(request, pk, with_prices=True)
        form = QuantityBreaksForm(request.POST, variants=product.ordered_variants)
        if not form.is_valid():
            return self.render_prices(product, breaks_form=form, status=400)
        target = form.cleaned_data["target"]
        variant = None if target == "product" else next(
            v for v in product.ordered_variants if str(v.pk) == target)
        try:
            catalog.quantity_breaks_set(actor=request.user, breaks=form.cleaned_data["breaks"],
                                        product=product if variant is None else None,
                                        variant=variant, ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.render_prices(product, breaks_form=form, status=400)
        messages.success(request, _("Quantity breaks saved."))
        return redirect(reverse("dashboard:catalog-product-prices", args=[product.pk])
                        + f"?breaks={target}#breaks")

