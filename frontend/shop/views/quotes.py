"""The dealer's inquiries (询价) and quotations (报价) under /shop/quotes/ (phone first):
the list by dealer status, asking for a quotation (catalog lines by SKU code and
free-text lines; from a product page, from the cart, or as a copy of an earlier
inquiry), one inquiry with its current quotation, every version compared with the one
before, the timeline and the dealer's answers: counter-offer, decline, withdraw, and
accept (a checkout at the quoted prices).

Thin: ``ordering.quotes.services`` do every write and check again who may do what
(``workflow.may`` only decides which buttons show); reads go through
``ordering.quotes.selectors`` (another company's inquiry is 404). A view-only login
sees everything but gets no buttons and a 403 on every POST and on the two forms;
staff get 403 (the shop is for dealers).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext_lazy
from django.views import View

from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.money import format_money
from core.text import whole_number
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import raise_for
from frontend.common.views.media import serve_inquiry_file
from frontend.shop.forms.orders import new_token
from frontend.shop.forms.quotes import (CounterForm, InquiryForm, QuotationAcceptForm,
                                        ReasonForm, catalog_formset, free_text_formset)
from frontend.shop.views.orders import ShopActionMixin, ShopOrdersMixin
from ordering.catalog import specs
from ordering.catalog.storefront import MAX_QUANTITY
from ordering.orders import selectors as order_selectors
from ordering.orders.enums import PaymentMethod
from ordering.orders.exceptions import IdempotencyMismatch
from ordering.orders.services import lines as line_service
from ordering.quotes import attachments as attachment_services
from ordering.quotes import messages as thread
from ordering.quotes import selectors, services, totals, workflow
from ordering.quotes.enums import DealerStatus, InquiryStatus
from ordering.quotes.exceptions import QuoteNotFoundError

D = DealerStatus
INQUIRIES_PER_PAGE = 20
STATUS_COLOURS = {D.SUBMITTED: "secondary", D.QUOTED: "info", D.NEEDS_ANSWER: "warning",
                  D.ACCEPTED: "success", D.CLOSED: "light"}
ANSWERABLE = (InquiryStatus.QUOTED, InquiryStatus.COUNTERED)  # a quotation is current
TABS = (D.NEEDS_ANSWER, D.SUBMITTED, D.QUOTED, D.ACCEPTED, D.CLOSED)
EVENT_TEXTS = {
    workflow.START: pgettext_lazy("inquiry event", "The supplier is preparing a quotation"),
    workflow.QUOTE: pgettext_lazy("inquiry event", "Quotation received"),
    workflow.COUNTER: pgettext_lazy("inquiry event", "Counter-offer sent"),
    workflow.ACCEPT: pgettext_lazy("inquiry event", "Quotation accepted"),
    workflow.DECLINE: pgettext_lazy("inquiry event", "Quotation declined"),
    workflow.WITHDRAW: pgettext_lazy("inquiry event", "Inquiry withdrawn"),
    workflow.EXPIRE: pgettext_lazy("inquiry event", "The quotation expired"),
}


def _badge(status):
    dealer = workflow.dealer_status(status)
    return {"value": dealer, "label": D(dealer).label,
            "colour": STATUS_COLOURS.get(dealer, "secondary")}


# --- what a line shows ---------------------------------------------------------------------


def _variant_label(variant):
    spec = specs.variant_spec_label(variant)
    return f"{variant.product.name} {spec}".strip() if spec else variant.product.name


def _asked(line):
    """An inquiry line as the dealer asked for it."""
    if line.is_free_text:
        return {"line": line, "free": True, "label": line.description, "code": "",
                "unit": line.unit_text, "quantity": line.quantity,
                "target_price": line.target_price}
    return {"line": line, "free": False, "label": _variant_label(line.variant),
            "code": line.variant.code, "quantity": line.quantity,
            "unit": line.unit.unit.name if line.unit else line.variant.product.unit.name,
            "target_price": None}


def _tiers_text(tiers):
    """"100+ at 9.50, 500+ at 9.20"."""
    return ", ".join(_("%(n)s+ at %(price)s") % {"n": tier["min_qty"],
                                                "price": format_money(tier["price"])}
                     for tier in tiers or ())


def _cell(line, asked):
    """A quotation line as shown in a version and in the comparison."""
    if line.variant_id:
        product, code = _variant_label(line.variant), line.variant.code
        unit = line.unit.unit.name if line.unit else line.variant.product.unit.name
    else:
        product, code, unit = "", "", asked["unit"]
    return {"line": line, "declined": line.declined, "product": product, "code": code,
            "unmatched": not line.declined and not line.variant_id,
            "quantity": line.quantity, "unit": unit, "price": line.unit_price,
            "tiers": _tiers_text(line.tiers), "amount": totals.line_amount(line)}


# which displayed cells a changed field of ``selectors.DIFF_FIELDS`` marks
CHANGED_CELLS = {"declined": "price", "variant_id": "product", "unit_id": "quantity",
                 "quantity": "quantity", "unit_price": "price", "tiers": "tiers"}


def _version(quotation, previous, asked):
    """One version: its lines, totals, the dealer's counter-offers on it, and (from the
    second on) each line compared with the version before."""
    counters = {counter.line_id: counter for counter in quotation.counters.all()}
    rows = [{**_cell(line, asked[line.inquiry_line_id]),
             "asked": asked[line.inquiry_line_id], "counter": counters.get(line.pk)}
            for line in quotation.lines.all()]
    diff = None
    if previous is not None:
        diff = []
        for change in selectors.quotation_diff(previous, quotation):
            changes = change["changes"]
            kind = "added" if changes.get("added") else (
                "removed" if changes.get("removed") else "")
            diff.append({
                "asked": asked[change["inquiry_line"]], "kind": kind,
                "old": _cell(change["old"], asked[change["inquiry_line"]])
                if change["old"] else None,
                "new": _cell(change["new"], asked[change["inquiry_line"]])
                if change["new"] else None,
                "changed": sorted({CHANGED_CELLS[name] for name in changes
                                   if name in CHANGED_CELLS})})
    return {"quotation": quotation, "rows": rows, "totals": totals.quotation_totals(quotation),
            "diff": diff, "counters": list(counters.values()),
            "previous": previous.version if previous else None}


def _timeline(inquiry):
    """Newest first: every transition, and the inquiry being sent."""
    rows = [{"text": EVENT_TEXTS.get(event.action, event.action), "at": event.created_at,
             "actor": (event.actor.name or event.actor.email) if event.actor else _("Automatic"),
             "reason": event.reason, "action": event.action}
            for event in inquiry.events.all()]
    sender = inquiry.created_by
    rows.insert(0, {"text": _("Inquiry sent"), "at": inquiry.created_at, "action": "create",
                    "actor": (sender.name or sender.email) if sender else "", "reason": ""})
    return list(reversed(rows))


def _latest(inquiry):
    """The current quotation of a prefetched inquiry (None before the first)."""
    quotations = list(inquiry.quotations.all())
    return quotations[-1] if quotations else None


def _show_error(form, exc, on_line):
    """A service's refusal: each line's problems through ``on_line(index, message)``,
    other fields' on ``form``, and the message above the form unless a field of it
    shows it."""
    raise_for(exc)
    problems = exc.fields.get("lines")
    for index, found in (problems.items() if isinstance(problems, dict) else ()):
        for message in found:
            on_line(index, message)
    on_field = False
    for key, found in exc.fields.items():
        if key != "lines" and key in form.fields:
            for message in (found if isinstance(found, (list, tuple)) else [found]):
                form.add_error(key, message)
                on_field = True
    if not on_field:
        form.add_error(None, exc.message)


# --- the mixin ------------------------------------------------------------------------------


class ShopQuotesMixin(ShopOrdersMixin):
    def inquiry_or_404(self, pk, *, with_history=True):
        try:
            return selectors.inquiry_detail(actor=self.request.user, pk=pk,
                                            with_history=with_history)
        except QuoteNotFoundError:
            raise Http404 from None

    def require_orderer(self):
        """The forms only change things: a view-only login gets 403 on them too."""
        if not self.login.can_order:
            raise PermissionDenied


# --- the list -----------------------------------------------------------------------------


class InquiryListView(ShopQuotesMixin, View):
    template_name = "shop/quotes/list.html"

    def get(self, request):
        status = request.GET.get("status", "")
        status = status if status in D.values else ""
        inquiries = selectors.inquiry_list(actor=request.user, filters={"status": status})
        page = Paginator(inquiries, INQUIRIES_PER_PAGE).get_page(request.GET.get("page"))
        counts = selectors.inquiry_status_counts(actor=request.user)
        today = timezone.localdate()
        rows = [{"inquiry": inquiry, "badge": _badge(inquiry.status),
                 "expired": bool(inquiry.latest_valid_until
                                 and inquiry.latest_valid_until < today
                                 and inquiry.status in ANSWERABLE)}
                for inquiry in page.object_list]
        tabs = [{"value": "", "label": _("All"), "count": sum(counts.values()),
                 "active": not status}]
        tabs += [{"value": value, "label": D(value).label, "count": counts.get(value, 0),
                  "active": status == value, "colour": STATUS_COLOURS[value]}
                 for value in TABS]
        return render(request, self.template_name, self.context(
            page=page, rows=rows, tabs=tabs, status=status, filters={"status": status},
            can_order=self.login.can_order))


# --- asking ----------------------------------------------------------------------------------


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

            _show_error(form, exc, on_line)
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


# --- one inquiry ----------------------------------------------------------------------------


class InquiryDetailView(ShopQuotesMixin, View):
    template_name = "shop/quotes/detail.html"

    def render_inquiry(self, inquiry, *, counter_form=None, decline_form=None,
                       withdraw_form=None, error="", status=200, **extra):
        user = self.request.user
        asked_rows = [_asked(line) for line in inquiry.lines.all()]
        asked = {row["line"].pk: row for row in asked_rows}
        quotations = list(inquiry.quotations.all())  # oldest first
        versions = [_version(q, quotations[i - 1] if i else None, asked)
                    for i, q in enumerate(quotations)]
        versions.reverse()
        current = versions[0] if versions else None
        today = timezone.localdate()
        expiry = None
        if current is not None:
            valid_until = current["quotation"].valid_until
            days = (valid_until - today).days
            expiry = {"date": valid_until, "days": days, "expired": days < 0,
                      "open": inquiry.status in ANSWERABLE}
        expired = inquiry.status == InquiryStatus.EXPIRED or bool(
            expiry and expiry["expired"] and expiry["open"])
        may = {action: workflow.may(inquiry, action, user)
               for action in (workflow.COUNTER, workflow.ACCEPT, workflow.DECLINE,
                              workflow.WITHDRAW)}
        can_counter = may[workflow.COUNTER] and not expired
        order = selectors.accepted_order_ref(inquiry)
        if counter_form is None and can_counter:
            counter_form = CounterForm(lines=current["quotation"].lines.all())
        counter_rows = [{**row, "fields": counter_form.fields_of(row["line"])}
                        for row in current["rows"]] if counter_form is not None and current else []
        return render(self.request, self.template_name, self.context(
            inquiry=inquiry, badge=_badge(inquiry.status), asked=asked_rows,
            versions=versions, current=current, expiry=expiry, expired=expired,
            can_order=self.login.can_order, can_counter=can_counter,
            can_accept=may[workflow.ACCEPT] and not expired,
            can_decline=may[workflow.DECLINE], can_withdraw=may[workflow.WITHDRAW],
            counter_form=counter_form, counter_rows=counter_rows,
            decline_form=decline_form or ReasonForm(prefix="decline"),
            withdraw_form=withdraw_form or ReasonForm(prefix="withdraw"),
            order=order, timeline=_timeline(inquiry), action_error=error,
            # reading the thread marks it read for this login
            thread=thread.thread_open(actor=user, inquiry=inquiry),
            files=list(inquiry.attachments.all()),
            **{"message_error": "", "message_body": "", "file_error": "", **extra}),
            status=status)

    def get(self, request, pk):
        return self.render_inquiry(self.inquiry_or_404(pk))


class _InquiryActionView(ShopActionMixin, InquiryDetailView):
    """POST an answer on one of the company's inquiries (``ShopActionMixin``)."""

    done_url = "shop:inquiry-detail"

    def load(self, pk):
        return self.inquiry_or_404(pk)

    def show(self, inquiry, **kwargs):
        return self.render_inquiry(inquiry, **kwargs)


class InquiryCounterView(_InquiryActionView):
    def act(self, inquiry, request):
        quotation = _latest(inquiry)  # none yet: the service refuses the counter-offer
        form = CounterForm(request.POST, lines=quotation.lines.all() if quotation else ())
        if not form.is_valid():
            return self.render_inquiry(inquiry, counter_form=form, status=400)
        try:
            services.quotation_counter(actor=request.user, inquiry=inquiry,
                                       counters=form.counters())
        except ApplicationError as exc:
            raise_for(exc)
            problems = exc.fields.get("lines")
            for index, found in (problems.items() if isinstance(problems, dict) else ()):
                for message in found:
                    form.add_line_error(index, message)
            return self.render_inquiry(self.inquiry_or_404(inquiry.pk), counter_form=form,
                                       error=exc.message,
                                       status=409 if isinstance(exc, ConflictError) else 400)
        self.success = _("Your counter-offer has been sent. The supplier will answer with a "
                         "new quotation.")
        return None


class _CloseView(_InquiryActionView):
    prefix = ""
    form_argument = ""

    def act(self, inquiry, request):
        form = ReasonForm(request.POST, prefix=self.prefix)
        if not form.is_valid():
            return self.render_inquiry(inquiry, status=400, **{self.form_argument: form})
        self.close(inquiry, request, form.cleaned_data["reason"])
        return None


class InquiryDeclineView(_CloseView):
    prefix, form_argument = "decline", "decline_form"

    def close(self, inquiry, request, reason):
        services.quotation_decline(actor=request.user, inquiry=inquiry, reason=reason)
        self.success = _("You declined the quotation.")


class InquiryWithdrawView(_CloseView):
    prefix, form_argument = "withdraw", "withdraw_form"

    def close(self, inquiry, request, reason):
        services.inquiry_withdraw(actor=request.user, inquiry=inquiry, reason=reason)
        self.success = _("Your inquiry has been withdrawn.")


class InquiryMessageView(_InquiryActionView):
    """POST a message on the inquiry's thread (view-only logins too: they see it)."""

    viewers_may_post = True

    def act(self, inquiry, request):
        body = request.POST.get("body", "")
        try:
            thread.message_post(actor=request.user, inquiry=inquiry, body=body)
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_inquiry(inquiry, status=400, message_error=exc.message,
                                       message_body=body)
        messages.success(request, _("Your message has been sent."))
        return redirect(reverse("shop:inquiry-detail", args=[inquiry.pk]) + "#messages")


class InquiryFileView(_InquiryActionView):
    """POST one more file on the inquiry (a drawing, a photo, a specification)."""

    def act(self, inquiry, request):
        try:
            attachment_services.attachment_add(actor=request.user, inquiry=inquiry,
                                               file=request.FILES.get("file"))
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_inquiry(inquiry, status=400, file_error=exc.message)
        messages.success(request, _("File attached."))
        return redirect(reverse("shop:inquiry-detail", args=[inquiry.pk]) + "#files")


class InquiryFileDownloadView(ShopQuotesMixin, View):
    def get(self, request, pk, file_pk):
        return serve_inquiry_file(request.user, inquiry_pk=pk, pk=file_pk)


# --- accepting ------------------------------------------------------------------------------


def _tier_rows(line, quantity):
    """The line's base price and tiers, the one that applies to ``quantity`` marked."""
    rows = [{"min": 1, "price": line.unit_price, "base": True}]
    rows += [{"min": int(tier["min_qty"]), "price": tier["price"], "base": False}
             for tier in line.tiers]
    applies = max((row for row in rows if row["min"] <= quantity), key=lambda row: row["min"],
                  default=rows[0])
    return [{**row, "applies": row is applies} for row in rows]


class InquiryAcceptView(ShopQuotesMixin, View):
    """Accept the current quotation: checkout's choices (address, shipping method,
    payment method, delivery date, remark), a quantity per line with tiers, and the
    totals. The form's token is the idempotency key: a double click returns the first
    order."""

    template_name = "shop/quotes/accept.html"

    def _current(self, inquiry):
        quotation = _latest(inquiry)
        if quotation is None:
            raise Http404
        return quotation

    def _addresses(self):
        return list(self.login.customer.addresses.select_related(
            "region", "region__parent").order_by("-is_default", "id"))

    def _form(self, quotation, data=None, *, addresses=None, initial=None, methods=None,
              payments=None):
        """The form; ``addresses``, ``methods`` and ``payments`` when already read."""
        addresses = self._addresses() if addresses is None else addresses
        return QuotationAcceptForm(
            data, addresses=addresses, initial=initial,
            shipping_methods=order_selectors.shipping_methods(active_only=True)
            if methods is None else methods,
            payment_methods=order_selectors.offered_payment_methods()
            if payments is None else payments,
            tiered_lines=[line for line in quotation.lines.all()
                          if line.tiers and not line.declined])

    def _render(self, inquiry, quotation, form, *, status=200):
        form.show_version(quotation.version)
        asked = {line.pk: _asked(line) for line in inquiry.lines.all()}
        chosen = {}
        for line in form.tiered_lines:  # as typed when it is a quantity, else as quoted
            value = form[f"qty_{line.pk}"].value()
            try:
                number = int(str(value).strip())
            except (TypeError, ValueError):
                number = None
            chosen[line.pk] = number if number is not None and 0 < number <= MAX_QUANTITY \
                else line.quantity
        rows = []
        for line in quotation.lines.all():
            quantity = chosen.get(line.pk, line.quantity)
            rows.append({**_cell(line, asked[line.inquiry_line_id]),
                         "asked": asked[line.inquiry_line_id],
                         "field": form[f"qty_{line.pk}"] if line.pk in chosen else None,
                         "chosen_price": totals.line_price(line, quantity),
                         "chosen_amount": totals.line_amount(line, quantity),
                         "tier_rows": _tier_rows(line, quantity) if line.pk in chosen else []})
        return render(self.request, self.template_name, self.context(
            inquiry=inquiry, quotation=quotation, form=form, rows=rows,
            totals=totals.quotation_totals(quotation, chosen), addresses=form.addresses,
            address_id=str(form["address"].value() or ""), methods=form.shipping_methods,
            method_value=str(form["shipping_method"].value() or ""),
            payment_choices=form.fields["payment_method"].choices,
            payment_value=form["payment_method"].value() or ""), status=status)

    def _refuse(self, request, inquiry, quotation):
        """Back to the inquiry with why it cannot be accepted now (None: it can)."""
        if inquiry.status == InquiryStatus.EXPIRED or (
                inquiry.status in ANSWERABLE and quotation.valid_until < timezone.localdate()):
            messages.error(request, _("This quotation expired on %(date)s: ask the supplier "
                                      "for a new one.") % {
                "date": quotation.valid_until.isoformat()})
            return redirect("shop:inquiry-detail", pk=inquiry.pk)
        if not workflow.may(inquiry, workflow.ACCEPT, request.user):
            messages.info(request, _("This quotation cannot be accepted now."))
            return redirect("shop:inquiry-detail", pk=inquiry.pk)
        return None

    def get(self, request, pk):
        self.require_orderer()
        inquiry = self.inquiry_or_404(pk, with_history=False)
        quotation = self._current(inquiry)
        refused = self._refuse(request, inquiry, quotation)
        if refused is not None:
            return refused
        addresses = self._addresses()
        default = addresses[0] if addresses else None  # the default address comes first
        methods = order_selectors.shipping_methods(active_only=True)
        payments = order_selectors.offered_payment_methods()
        initial = {"address": str(default.pk) if default else "",
                   "shipping_method": str(methods[0].pk) if methods else "",
                   "payment_method": payments[0] if payments else "",
                   "delivery_date": inquiry.delivery_date, "token": new_token()}
        initial.update({f"qty_{line.pk}": line.quantity for line in quotation.lines.all()})
        return self._render(inquiry, quotation, self._form(
            quotation, addresses=addresses, initial=initial, methods=methods, payments=payments))

    def post(self, request, pk):
        self.require_orderer()
        inquiry = self.inquiry_or_404(pk, with_history=False)
        quotation = self._current(inquiry)
        form = self._form(quotation, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                placed = services.quotation_accept(
                    actor=request.user, inquiry=inquiry, address_id=data["address"],
                    payment_method=data["payment_method"],
                    shipping_method_id=data.get("shipping_method") or None,
                    delivery_date=data.get("delivery_date"), remark=data.get("remark") or "",
                    quantities=form.quantities(), idempotency_key=data["token"],
                    version=data.get("version"))
            except PermissionDeniedError:
                raise PermissionDenied from None
            except IdempotencyMismatch:
                form.refuse_reused_token()
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                order = placed.order
                if placed.created:
                    messages.success(request, _("Thank you! Your order %(number)s has been "
                                                "placed at the quoted prices.") % {
                        "number": order.number})
                if order.payment_method == PaymentMethod.ONLINE and placed.created:
                    return redirect("shop:order-pay", pk=order.pk)
                return redirect("shop:order-detail", pk=order.pk)
        return self._render(self.inquiry_or_404(pk, with_history=False), quotation, form,
                            status=400)
