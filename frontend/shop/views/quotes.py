"""The dealer's inquiries (询价) and quotations (报价) under /shop/quotes/ (phone first):
the list by dealer status, one inquiry with its current quotation, every version
compared with the one before, the timeline, the thread and files, and the dealer's
answers: counter-offer, decline, withdraw. Asking for a quotation is in
``quote_requests``, accepting one (a checkout at the quoted prices) in ``quote_accept``;
both build on the line presenters and the mixin here.

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

from core.exceptions import ApplicationError, ConflictError
from frontend.common.views.base import raise_for
from frontend.common.views.media import serve_inquiry_file
from frontend.shop.forms.quotes import CounterForm, ReasonForm
from frontend.shop.views.orders import ShopActionMixin, ShopOrdersMixin
from ordering.catalog import specs
from ordering.quotes import attachments as attachment_services
from ordering.quotes import messages as thread
from ordering.quotes import selectors, services, totals, workflow
from ordering.quotes.documents import tiers_text
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


def asked_row(line):
    """An inquiry line as the dealer asked for it."""
    if line.is_free_text:
        return {"line": line, "free": True, "label": line.description, "code": "",
                "unit": line.unit_text, "quantity": line.quantity,
                "target_price": line.target_price}
    return {"line": line, "free": False, "label": _variant_label(line.variant),
            "code": line.variant.code, "quantity": line.quantity,
            "unit": line.unit.unit.name if line.unit else line.variant.product.unit.name,
            "target_price": None}


def line_cell(line, asked):
    """A quotation line as shown in a version and in the comparison."""
    if line.variant_id:
        product, code = _variant_label(line.variant), line.variant.code
        unit = line.unit.unit.name if line.unit else line.variant.product.unit.name
    else:
        product, code, unit = "", "", asked["unit"]
    return {"line": line, "declined": line.declined, "product": product, "code": code,
            "unmatched": not line.declined and not line.variant_id,
            "quantity": line.quantity, "unit": unit, "price": line.unit_price,
            "tiers": ", ".join(tiers_text(line.tiers, None)),  # "100+ at ¥9.50, …"
            "amount": totals.line_amount(line)}


# which displayed cells a changed field of ``selectors.DIFF_FIELDS`` marks
CHANGED_CELLS = {"declined": "price", "variant_id": "product", "unit_id": "quantity",
                 "quantity": "quantity", "unit_price": "price", "tiers": "tiers"}


def _version(quotation, previous, asked):
    """One version: its lines, totals, the dealer's counter-offers on it, and (from the
    second on) each line compared with the version before."""
    counters = {counter.line_id: counter for counter in quotation.counters.all()}
    rows = [{**line_cell(line, asked[line.inquiry_line_id]),
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
                "old": line_cell(change["old"], asked[change["inquiry_line"]])
                if change["old"] else None,
                "new": line_cell(change["new"], asked[change["inquiry_line"]])
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


def show_error(form, exc, on_line):
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


# --- one inquiry ----------------------------------------------------------------------------


class InquiryDetailView(ShopQuotesMixin, View):
    template_name = "shop/quotes/detail.html"

    def render_inquiry(self, inquiry, *, counter_form=None, decline_form=None,
                       withdraw_form=None, error="", status=200, **extra):
        user = self.request.user
        asked_rows = [asked_row(line) for line in inquiry.lines.all()]
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
        quotation = selectors.current_version(inquiry)  # none yet: the service refuses the counter-offer
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
