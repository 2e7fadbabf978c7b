"""The dealer asks for a quotation (询价): catalog lines by SKU code and free-text lines,
from a product page (``?variant=``), as a copy of an earlier inquiry (``?copy=``) or
from the cart (the cart is kept). ``ordering.quotes.services.inquiry_create`` decides;
a refusal shows on the row the line came from."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from core.text import whole_number
from frontend.common.views.base import raise_for
from frontend.shop.forms.quotes import InquiryForm, catalog_formset, free_text_formset
from frontend.shop.views.quotes import ShopQuotesMixin, show_error
from ordering.orders.services import lines as line_service
from ordering.quotes import services


class InquiryCreateView(ShopQuotesMixin, View):
    """GET the form (prefilled from a product page with ``?variant=<id>[&unit=<id>&
    quantity=n]``, or from an earlier inquiry with ``?copy=<id>``); POST → 
    ``inquiry_create``."""

    template_name = "shop/quotes/create.html"

    def _labels(self, items):
        """What each filled SKU row is, with today's price, by row index (for the eye
        only: the service decides on the codes again)."""
        rows = []
        for index, form in enumerate(items.forms):
            code = (form["code"].value() or "").strip()
            if code:
                rows.append({"code": code, "quantity": 1, "row": index,
                             "unit": (form["unit"].value() or "").strip()})
        if not rows:
            return {}
        raw, _errors = line_service.rows_to_raw(rows)
        resolved, _unknown = line_service.resolve(self.login.customer, raw)
        return {line.key: {"label": line.label, "price": line.unit_price if line.price else None,
                           "unit": line.unit_name} for line in resolved}

    def _render(self, form, items, free, *, status=200):
        labels = self._labels(items)
        return render(self.request, self.template_name, self.context(
            form=form, items=items, free=free,
            item_rows=[{"form": f, "known": labels.get(i)} for i, f in enumerate(items.forms)]),
            status=status)

    def _prefill(self, request):
        """Initial catalog and free-text rows from the query string."""
        items, free = [], []
        if request.GET.get("copy"):
            earlier = self.inquiry_or_404(request.GET["copy"])
            for line in earlier.lines.all():
                if line.is_free_text:
                    free.append({"description": line.description, "quantity": line.quantity,
                                 "unit_text": line.unit_text,
                                 "target_price": line.target_price or ""})
                else:
                    items.append({"code": line.variant.code, "quantity": line.quantity,
                                  "unit": line.unit.unit.name if line.unit else ""})
        elif request.GET.get("variant"):
            quantity = whole_number(request.GET.get("quantity"))
            quantity = quantity if quantity and quantity > 0 else None
            lines, unknown = line_service.resolve(self.login.customer, [{
                "variant": request.GET["variant"], "unit": request.GET.get("unit") or None,
                "quantity": quantity or 1, "key": 0}])
            for _key, message in unknown:
                messages.warning(request, message)
            for line in lines:
                items.append({"code": line.variant.code,
                              "quantity": quantity or line.variant.min_quantity or 1,
                              "unit": line.unit.unit.name if line.unit else ""})
        return items, free

    def get(self, request):
        self.require_orderer()
        items, free = self._prefill(request)
        form = InquiryForm(initial={"note": ""})
        return self._render(form, catalog_formset(initial=items),
                            free_text_formset(initial=free))

    def post(self, request):
        self.require_orderer()
        form = InquiryForm(request.POST, request.FILES)
        items, free = catalog_formset(request.POST), free_text_formset(request.POST)
        if not (form.is_valid() and items.is_valid() and free.is_valid()):
            if items.non_form_errors() or free.non_form_errors():
                form.add_error(None, _("The form was incomplete. Please fill it in again."))
            return self._render(form, items, free, status=400)
        lines, owners = self._lines(items, free)
        if any(f.errors for f in items.forms + free.forms):
            form.add_error(None, _("Check the lines marked in red."))
            return self._render(form, items, free, status=400)
        try:
            inquiry = services.inquiry_create(
                actor=request.user, lines=lines, delivery_date=form.cleaned_data["delivery_date"],
                note=form.cleaned_data["note"], attachments=form.cleaned_data["attachments"])
        except ApplicationError as exc:
            def on_line(index, message):  # on the row the line came from
                owners.get(str(index), form).add_error(None, message)

            show_error(form, exc, on_line)
            return self._render(form, items, free, status=400)
        messages.success(request, _("Your inquiry %(number)s has been sent. The supplier "
                                    "will answer with a quotation.") % {"number": inquiry.number})
        return redirect("shop:inquiry-detail", pk=inquiry.pk)

    @staticmethod
    def _lines(items, free):
        """Raw lines for the service (catalog rows first) and, by their index, the row
        form each came from; SKU codes are resolved like the cart's quick order."""
        rows, lines, owners = [], [], {}
        for index, form in enumerate(items.forms):
            row = form.row()
            if row is None:
                continue
            if not row["code"]:
                form.add_error("code", _("Enter the SKU code, or describe the item below."))
                continue
            rows.append({**row, "row": index})
        raw, errors = line_service.rows_to_raw(rows)
        for index, message in errors:
            items.forms[index].add_error("code", message)
        for line in raw:
            owners[str(len(lines))] = items.forms[line["key"]]
            lines.append({"variant": line["variant"], "unit": line["unit"],
                          "quantity": line["quantity"]})
        for form in free.forms:
            line = form.line()
            if line is None:
                continue
            owners[str(len(lines))] = form
            lines.append(line)
        return lines, owners


class CartInquireView(ShopQuotesMixin, View):
    """POST from the cart: ask for a quotation for what is in it (the cart is kept)."""

    def post(self, request):
        form = InquiryForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect("shop:cart")
        try:
            inquiry = services.cart_inquire(actor=request.user,
                                            delivery_date=form.cleaned_data["delivery_date"],
                                            note=form.cleaned_data["note"])
        except ApplicationError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return redirect("shop:cart")
        messages.success(request, _("Your inquiry %(number)s has been sent. The supplier "
                                    "will answer with a quotation.") % {"number": inquiry.number})
        return redirect("shop:inquiry-detail", pk=inquiry.pk)
