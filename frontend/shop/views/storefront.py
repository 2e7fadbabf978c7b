"""The dealer storefront under /shop/: the catalog (categories, search, filters,
sorting), product pages at the dealer's own prices, favourites and the colour × size
order grid.

Thin: every read goes through ``ordering.catalog.storefront`` (which applies the
visibility rules and prices through the price engine); staff get 403 (the shop is for
dealers), a product the dealer may not see is 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from core.money import currency_symbol
from frontend.common.views.base import DealerRequiredMixin
from frontend.shop.forms.storefront import SORT_CHOICES, CatalogFilterForm
from ordering.catalog import storefront
from ordering.customers.selectors import login_for_dealer

class _Linked:
    """Runs after the permission check: the dealer's login (``self.dealer_login``), or
    a friendly page when the sign-in is not linked to a company."""

    def dispatch(self, request, *args, **kwargs):
        self.dealer_login = login_for_dealer(request.user)
        if self.dealer_login is None:
            return render(request, "shop/catalog/not_linked.html", status=404)
        return super().dispatch(request, *args, **kwargs)


class StorefrontMixin(DealerRequiredMixin, _Linked):
    def context(self, **extra):
        tenant = self.request.tenant
        return {"dealer_login": self.dealer_login, "customer": self.dealer_login.customer,
                "currency": currency_symbol(tenant.currency),
                "show_stock": storefront.shows_stock(), **extra}

    def product_or_404(self, pk):
        try:
            return storefront.dealer_product(self.dealer_login, pk)
        except NotFoundError:
            raise Http404 from None


def _query(params, **changes):
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


class CatalogView(StorefrontMixin, View):
    """The product list: category navigation, search, filters, sorting, pages."""

    template_name = "shop/catalog/list.html"
    favourites = False

    def get(self, request):
        form = CatalogFilterForm(request.GET)
        valid = form.is_valid()
        data = form.cleaned_data
        login = self.dealer_login
        page = storefront.dealer_products(
            login, q=data.get("q") or "", category=data.get("category"),
            brand=data.get("brand"), tag=data.get("tag") or "", price_min=data.get("price_min"),
            price_max=data.get("price_max"), in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "", favourites=self.favourites,
            page=request.GET.get("page"),
            per_page=data.get("per_page") or storefront.PAGE_SIZE)
        params = {key: request.GET.get(key, "") for key in form.fields
                  if key not in form.errors}
        categories = storefront.category_tree(login)
        brands, tags = storefront.filter_choices(login)
        current_category = next((node for node in categories
                                 if node.pk == data.get("category")), None)
        current_brand = next((brand for brand in brands if brand.pk == data.get("brand")),
                             None)
        chips = []
        if params.get("q"):
            chips.append((f"“{params['q']}”", _query(params, q="")))
        if current_category:
            chips.append((current_category.name, _query(params, category="")))
        if current_brand:
            chips.append((current_brand.name, _query(params, brand="")))
        if params.get("tag"):
            chips.append(("#" + params["tag"], _query(params, tag="")))
        if params.get("price_min") or params.get("price_max"):
            label = "{} – {}".format(params.get("price_min") or "0", params.get("price_max") or "∞")
            chips.append((label, _query(params, price_min="", price_max="")))
        if data.get("in_stock") and storefront.shows_stock():
            chips.append((_("In stock"), _query(params, in_stock="")))
        context = self.context(
            page=page, cards=page.object_list, form=form, filters=params,
            categories=categories, brands=brands, tags=tags,
            current_category=current_category, chips=chips, favourites=self.favourites,
            sort_choices=[(value, label, _query(params, sort=value))
                          for value, label in SORT_CHOICES],
            current_sort=params.get("sort", ""),
            category_links=[(node, _query(params, category=node.pk)) for node in categories],
            all_categories_link=_query(params, category=""),
            page_title=_("Favourites") if self.favourites else (
                current_category.name if current_category else _("Catalog")))
        return render(request, self.template_name, context, status=200 if valid else 400)


class FavouritesView(CatalogView):
    favourites = True


class ProductView(StorefrontMixin, View):
    """A product: gallery, variant selection, the dealer's price and why, units, order
    rules, stock, quantity breaks."""

    template_name = "shop/catalog/product.html"

    def get(self, request, pk):
        return self._render(self.product_or_404(pk), request.GET.get("variant"))

    def _render(self, detail, variant, *, add=None, status=200):
        selected = detail.offer(variant) or min(
            detail.offers, key=lambda offer: (offer.price.price, offer.variant.position))
        images = list(detail.images)
        if selected.variant.image_id:  # the variant's own picture first
            images.sort(key=lambda image: image.pk != selected.variant.image_id)
        return render(self.request, self.template_name, self.context(
            detail=detail, product=detail.product, selected=selected, images=images,
            choices=self._choices(detail, selected), add=add or {}), status=status)

    def post(self, request, pk):
        """Add the selected option to the cart. A quantity the cart refuses (−3, 1.5 …)
        is shown here, next to the quantity typed, with the page as it was."""
        from ordering.orders import selectors as order_selectors
        from ordering.orders.services import cart as cart_services

        detail = self.product_or_404(pk)
        if not self.dealer_login.can_order:
            raise PermissionDenied
        request.user.customer_login = self.dealer_login
        variant = request.POST.get("variant", "")
        offer = detail.offer(variant)
        if offer is None:
            raise Http404
        quantity, unit = request.POST.get("quantity", "").strip(), request.POST.get("unit", "")
        try:
            cart_services.cart_add(login=self.dealer_login, lines=[
                {"variant": offer.variant.pk, "unit": unit or None, "quantity": quantity,
                 "key": "quantity"}])
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ApplicationError as exc:
            problems = [m for found in exc.fields.values() for m in found] or [exc.message]
            return self._render(detail, variant, add={
                "quantity": quantity, "unit": unit, "errors": problems}, status=400)
        messages.success(request, _("Added to your cart."))
        for line in order_selectors.cart_view(login=self.dealer_login).problems:
            if line.variant.pk == offer.variant.pk:
                messages.warning(request, line.problem)
        return redirect(f"{request.path}?variant={offer.variant.pk}")

    @staticmethod
    def _choices(detail, selected):
        """Per specification, its values with the variant a tap on each leads to: the
        one that keeps the other chosen values, else any with that value."""
        chosen = {value.attribute_id: value.pk for value in selected.specs}
        combos = [({value.attribute_id: value.pk for value in offer.specs}, offer)
                  for offer in detail.offers]
        choices = []
        for attribute, values in detail.attributes:
            options = []
            for value in values:
                wanted = {**chosen, attribute.pk: value.pk}
                target = next((offer for combo, offer in combos if combo == wanted), None)
                exact = target is not None
                target = target or next(offer for combo, offer in combos
                                        if combo.get(attribute.pk) == value.pk)
                options.append({"value": value, "offer": target, "exact": exact,
                                "selected": chosen.get(attribute.pk) == value.pk})
            choices.append((attribute, options))
        return choices


class FavouriteToggleView(StorefrontMixin, View):
    """POST: add to or remove from favourites (HTMX: the button; otherwise back)."""

    def post(self, request, pk):
        try:
            now = storefront.favourite_toggle(login=self.dealer_login, product_id=pk)
        except NotFoundError:
            raise Http404 from None
        if request.htmx:
            return render(request, "shop/catalog/_favourite_button.html",
                          {"product_id": pk, "is_favourite": now,
                           "next": request.POST.get("next", ""),
                           "label": request.POST.get("label") == "1"})
        messages.success(request, _("Added to your favourites.") if now
                         else _("Removed from your favourites."))
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return redirect(target)
        return redirect("shop:product", pk=pk)


class GridView(StorefrontMixin, View):
    """The colour × size order grid of a product with two specifications: one quantity
    per cell; posting validates every cell and shows the lines ready for the cart."""

    template_name = "shop/catalog/grid.html"

    def _detail(self, pk):
        detail = self.product_or_404(pk)
        if detail.grid is None:
            return None
        return detail

    def _render(self, detail, *, values=None, errors=None, lines=None, message="", status=200):
        values, errors = values or {}, errors or {}
        rows = []
        for row, offers in detail.grid.table():
            cells = []
            for offer in offers:
                if offer is None:
                    cells.append(None)
                    continue
                key = str(offer.variant.pk)
                cells.append({"offer": offer, "name": f"q-{key}", "value": values.get(key, ""),
                              "errors": errors.get(key, [])})
            rows.append((row, cells))
        shown = [{**line, "offer": detail.offer(line["variant"].pk),
                  "total": line["price"].line_total(line["quantity"])} for line in lines or ()]
        return render(self.request, self.template_name, self.context(
            detail=detail, product=detail.product, grid=detail.grid, rows=rows, lines=shown,
            total=storefront.lines_total(lines) if lines else None,
            quantity_total=sum(line["quantity"] for line in shown),
            error_message=message, can_order=self.dealer_login.can_order), status=status)

    def get(self, request, pk):
        detail = self._detail(pk)
        if detail is None:
            messages.info(request, _("This product has no colour × size grid."))
            return redirect("shop:product", pk=pk)
        return self._render(detail)

    def post(self, request, pk):
        detail = self._detail(pk)
        if detail is None:
            raise Http404
        if not self.dealer_login.can_order:
            raise PermissionDenied
        values = {name[2:]: value.strip() for name, value in request.POST.items()
                  if name.startswith("q-")}
        try:
            lines = storefront.grid_lines(self.dealer_login, detail.product, values)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except NotFoundError:
            raise Http404 from None
        except ApplicationError as exc:
            return self._render(detail, values=values, errors=exc.fields, message=exc.message,
                                status=400)
        return self._render(detail, values=values, lines=lines)

