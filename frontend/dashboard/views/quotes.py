"""Staff pages for inquiries and quotations (询价 / 报价): the list with status tabs and
filters, an inquiry's page (what was asked, the current quotation, every version side by
side with the changes marked, counter-offers, the timeline), assigning, the quotation
editor (a new version, or a copy at today's prices after expiry) and accepting on the
dealer's behalf.

Thin: ``ordering.quotes.selectors`` reads (scoped: out of the user's scope is 404) and
``ordering.quotes.services`` writes, checking again who may do what."""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from frontend.common.views.media import serve_inquiry_file
from frontend.dashboard.forms.quotes import AssignForm, QuotationForm, QuoteAcceptForm
from ordering.customers import selectors as customer_selectors
from ordering.orders import selectors as order_selectors
from ordering.orders.documents import pdf_available
from ordering.quotes import attachments as attachment_services
from ordering.quotes import messages as thread
from ordering.quotes import selectors, services, totals, workflow
from ordering.quotes.enums import DealerStatus, InquiryStatus, RoundStatus
from ordering.quotes.exceptions import QuoteNotFoundError
from roles.permissions import has_perm

PAGE_SIZE = 50
FILTERS = ("status", "customer", "assigned_to")
VALID_DAYS = 14  # a new quotation's default validity
STATUS_COLOURS = {
    InquiryStatus.NEW: "primary", InquiryStatus.IN_PROGRESS: "info",
    InquiryStatus.QUOTED: "warning", InquiryStatus.COUNTERED: "danger",
    InquiryStatus.ACCEPTED: "success", InquiryStatus.DECLINED: "secondary",
    InquiryStatus.EXPIRED: "secondary", InquiryStatus.WITHDRAWN: "light",
}


def _inquiry_or_404(request, pk, *, with_history=True):
    try:
        return selectors.inquiry_detail(actor=request.user, pk=pk, with_history=with_history)
    except QuoteNotFoundError:
        raise Http404 from None


def version_rows(inquiry):
    """Every version, newest first, each with its totals and what changed from the one
    before (``quotation_diff``), keyed by inquiry line."""
    versions = list(inquiry.quotations.all())
    asked = {line.pk: line for line in inquiry.lines.all()}
    rows, previous = [], None
    for quotation in versions:
        diff = selectors.quotation_diff(previous, quotation) if previous else []
        changed = {row["inquiry_line"]: row["changes"] for row in diff}
        counters = {counter.line_id: counter for counter in quotation.counters.all()}
        lines = [{"line": line, "asked": asked.get(line.inquiry_line_id),
                  "price": totals.line_price(line), "amount": totals.line_amount(line),
                  "tiers": line.tiers, "counter": counters.get(line.pk),
                  "changes": changed.get(line.inquiry_line_id, {})}
                 for line in quotation.lines.all()]
        rows.append({"quotation": quotation, "lines": lines, "previous": previous,
                     "totals": totals.quotation_totals(quotation),
                     "terms_changed": previous is not None and (
                         previous.shipping_fee != quotation.shipping_fee
                         or previous.payment_terms != quotation.payment_terms),
                     "counters": bool(counters)})
        previous = quotation
    return list(reversed(rows))


def compare_matrix(inquiry, versions):
    """Every version side by side (oldest first): a row per inquiry line with a cell per
    version (its quoted line, and whether it changed from the version before), then the
    shipping fee, validity and total rows."""
    ordered = list(reversed(versions))
    rows = []
    for asked in inquiry.lines.all():
        cells = []
        for version in ordered:
            found = next((item for item in version["lines"]
                          if item["line"].inquiry_line_id == asked.pk), None)
            cells.append({"item": found, "changed": bool(found and found["changes"])})
        rows.append({"asked": asked, "cells": cells})
    terms = []
    for index, version in enumerate(ordered):
        before = ordered[index - 1] if index else None
        quotation = version["quotation"]
        terms.append({
            "quotation": quotation, "totals": version["totals"],
            "fee_changed": before is not None
            and before["quotation"].shipping_fee != quotation.shipping_fee,
            "total_changed": before is not None
            and before["totals"]["total"] != version["totals"]["total"]})
    return {"versions": ordered, "rows": rows, "terms": terms}


class QuoteMixin(PermissionRequiredMixin):
    permission = "manage_quotes"

    def inquiry(self):
        return _inquiry_or_404(self.request, self.kwargs["pk"])


class InquiryListView(QuoteMixin, View):
    template_name = "dashboard/quotes/list.html"

    def get(self, request):
        user = request.user
        filters = {key: request.GET.get(key, "").strip() for key in FILTERS}
        queryset = selectors.inquiry_list(actor=user, filters=filters, with_unread=True)
        counts = selectors.inquiry_status_counts(actor=user)
        paginator = Paginator(queryset, PAGE_SIZE)
        if not filters["customer"] and not filters["assigned_to"]:
            paginator.count = counts.get(filters["status"], 0) if filters["status"] \
                else sum(counts.values())
        page = paginator.get_page(request.GET.get("page"))
        tab_query = urlencode({k: v for k, v in request.GET.items()
                               if k not in ("status", "page") and v})
        tabs = [{"value": "", "label": pgettext("inquiries", "All"),
                 "count": sum(counts.values()), "active": not filters["status"]}]
        tabs += [{"value": value, "label": label, "count": counts.get(value, 0),
                  "active": filters["status"] == value, "colour": STATUS_COLOURS[value]}
                 for value, label in InquiryStatus.choices]
        customers = customer_selectors.customer_list(actor=user).prefetch_related(None) \
            .select_related(None).only("pk", "name")
        today = timezone.localdate()
        rows = [{"inquiry": inquiry, "colour": STATUS_COLOURS.get(inquiry.status, "secondary"),
                 "days_left": (inquiry.latest_valid_until - today).days
                 if inquiry.latest_valid_until and inquiry.status == InquiryStatus.QUOTED
                 else None}
                for inquiry in page.object_list]
        return render(request, self.template_name, {
            "page": page, "rows": rows, "filters": filters, "tabs": tabs,
            "tab_query": tab_query, "query_string": request.GET.urlencode(),
            "customers": list(customers.values_list("pk", "name")),
        })


class InquiryDetailView(QuoteMixin, View):
    template_name = "dashboard/quotes/detail.html"

    def render_page(self, inquiry, status=200, **extra):
        user = self.request.user
        versions = version_rows(inquiry)
        current = versions[0] if versions else None
        order = selectors.accepted_order_ref(inquiry)
        today = timezone.localdate()
        quotation = current["quotation"] if current else None
        allowed = selectors.allowed_actions(inquiry, user)
        expired = quotation is not None and (
            quotation.valid_until < today or quotation.status == RoundStatus.EXPIRED)
        context = {
            "inquiry": inquiry, "asked": list(inquiry.lines.all()), "versions": versions,
            "current": current, "order": order,
            "compare": compare_matrix(inquiry, versions) if len(versions) > 1 else None,
            "colour": STATUS_COLOURS.get(inquiry.status, "secondary"),
            "timeline": [{"event": event, "label": workflow.ACTION_LABELS.get(
                event.action, event.action)} for event in inquiry.events.all()],
            "may_quote": workflow.QUOTE in allowed,
            # past its last valid day the quotation cannot be accepted, even before the
            # hourly task has marked it expired
            "may_accept": workflow.ACCEPT in allowed and not expired
            and has_perm(user, "place_orders"),
            "may_edit": selectors.ASSIGN in allowed,
            "is_open": workflow.is_open(inquiry),
            "expired": expired,
            "days_left": (quotation.valid_until - today).days if quotation else None,
            "pdf": pdf_available(),
            "can_customer": has_perm(user, "view_customers"),
            "dealer_label": DealerStatus(workflow.dealer_status(inquiry.status)).label,
            # reading the thread marks it read for this user
            "thread": thread.thread_open(actor=user, inquiry=inquiry),
            "files": list(inquiry.attachments.all()),
            "message_error": "", "message_body": "", "file_error": "",
        }
        context.update(extra)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(self.inquiry())


class InquiryAssignView(QuoteMixin, View):
    """Assign the inquiry: GET lists who may quote for its customer; POST assigns (or
    "assign to me" from the inquiry's page)."""

    template_name = "dashboard/quotes/assign.html"

    def _render(self, inquiry, form, status=200):
        return render(self.request, self.template_name, {"inquiry": inquiry, "form": form},
                      status=status)

    def get(self, request, pk):
        inquiry = self.inquiry()
        return self._render(inquiry, AssignForm(staff=selectors.quote_staff(inquiry),
                                                initial={"assignee": inquiry.assigned_to_id}))

    def post(self, request, pk):
        inquiry = self.inquiry()
        if request.POST.get("me"):
            assignee = request.user
            form = None
        else:
            staff = selectors.quote_staff(inquiry)
            form = AssignForm(request.POST, staff=staff)
            if not form.is_valid():
                return self._render(inquiry, form, status=400)
            chosen = form.cleaned_data["assignee"]
            assignee = next((u for u in staff if u.pk == chosen), None) if chosen else None
        try:
            services.inquiry_assign(actor=request.user, inquiry=inquiry, assignee=assignee)
        except ApplicationError as exc:
            if exc.status == 404:
                raise_for(exc)
            if form is None:
                messages.error(request, exc.message)
                return redirect("dashboard:inquiry-detail", pk=inquiry.pk)
            form_add_application_error(form, exc)
            return self._render(inquiry, form, status=exc.status)
        messages.success(request, _("Assigned to %(name)s.") % {
            "name": assignee.name or assignee.email} if assignee else _("Nobody is assigned now."))
        return redirect("dashboard:inquiry-detail", pk=inquiry.pk)


class QuotationEditView(QuoteMixin, View):
    """The quotation editor: a new version answering every line (a price, a quantity,
    optional tiers, the product a free-text line maps to, or declined) and the terms."""

    template_name = "dashboard/quotes/editor.html"

    def _form(self, inquiry, data=None):
        latest = selectors.current_version(inquiry)
        fresh = inquiry.status == InquiryStatus.EXPIRED
        rows = selectors.quotation_draft(inquiry, fresh_prices=fresh)
        initial = {"valid_until": timezone.localdate() + timedelta(days=VALID_DAYS),
                   "shipping_fee": latest.shipping_fee if latest else 0,
                   "payment_terms": latest.payment_terms if latest else ""}
        return QuotationForm(data, rows=rows, initial=initial), latest, fresh

    def _render(self, inquiry, form, latest, fresh, status=200):
        return render(self.request, self.template_name, {
            "inquiry": inquiry, "form": form, "rows": form.bound_rows(), "latest": latest,
            "fresh": fresh, "version": (latest.version + 1) if latest else 1,
            "currency": self.request.tenant.currency,
        }, status=status)

    def _refuse_unless_editable(self, inquiry):
        try:
            workflow.check(inquiry, workflow.QUOTE, self.request.user)
        except ApplicationError as exc:
            if exc.status == 404:
                raise_for(exc)
            messages.error(self.request, exc.message)
            return redirect("dashboard:inquiry-detail", pk=inquiry.pk)
        return None

    def get(self, request, pk):
        inquiry = self.inquiry()
        refused = self._refuse_unless_editable(inquiry)
        if refused:
            return refused
        return self._render(inquiry, *self._form(inquiry))

    def post(self, request, pk):
        inquiry = self.inquiry()
        form, latest, fresh = self._form(inquiry, request.POST)
        lines = form.lines() if form.is_valid() else None
        if lines is None:
            return self._render(inquiry, form, latest, fresh, status=400)
        data = form.cleaned_data
        try:
            quotation = services.quotation_send(
                actor=request.user, inquiry=inquiry, lines=lines,
                valid_until=data["valid_until"], shipping_fee=data["shipping_fee"] or 0,
                payment_terms=data["payment_terms"], note=data["note"])
        except ApplicationError as exc:
            raise_for(exc)
            problems = (exc.fields or {}).get("lines")
            if isinstance(problems, dict):
                for key, found in problems.items():
                    for message in found:
                        if str(key).isdigit() and any(
                                row["line"].pk == int(key) for row in form.rows):
                            form.add_row_error(key, message)
                        else:
                            form.add_error(None, message)
            else:
                form_add_application_error(form, exc)
            return self._render(inquiry, form, latest, fresh, status=exc.status)
        messages.success(request, _("Quotation %(number)s v%(version)s sent to %(customer)s.")
                         % {"number": inquiry.number, "version": quotation.version,
                            "customer": inquiry.customer.name})
        return redirect("dashboard:inquiry-detail", pk=inquiry.pk)


class QuotationAcceptView(QuoteMixin, View):
    """Accept the current quotation on the dealer's behalf (staff who may also place
    orders for the customer): the order at exactly the quoted prices."""

    template_name = "dashboard/quotes/accept.html"

    def _form(self, inquiry, current, data=None):
        addresses = list(inquiry.customer.addresses.all())
        tiered = [line for line in current.lines.all() if line.tiers and not line.declined]
        return QuoteAcceptForm(data, customer=inquiry.customer, addresses=addresses,
                               shipping_methods=order_selectors.shipping_methods(
                                   active_only=True),
                               tiered=tiered, initial={
                                   "token": secrets.token_urlsafe(24),
                                   "delivery_date": inquiry.delivery_date})

    def _render(self, inquiry, current, form, status=200):
        form.show_version(current.version)
        quantities = form.quantities() if form.is_bound and form.is_valid() else {}
        asked = {line.pk: line for line in inquiry.lines.all()}
        return render(self.request, self.template_name, {
            "inquiry": inquiry, "quotation": current, "form": form,
            "lines": [{"line": line, "asked": asked.get(line.inquiry_line_id),
                       "price": totals.line_price(line, quantities.get(line.pk)),
                       "quantity": quantities.get(line.pk, line.quantity),
                       "amount": totals.line_amount(line, quantities.get(line.pk)),
                       "field": form[f"quantity_{line.pk}"] if line in form.tiered else None}
                      for line in current.lines.all()],
            "totals": totals.quotation_totals(current, quantities),
        }, status=status)

    def _current(self, inquiry):
        current = selectors.current_version(inquiry)
        if current is None or not workflow.may(inquiry, workflow.ACCEPT, self.request.user):
            messages.error(self.request, _("This quotation cannot be accepted now."))
            return None
        return current

    def inquiry(self):  # no files or timeline on this page
        return _inquiry_or_404(self.request, self.kwargs["pk"], with_history=False)

    def get(self, request, pk):
        inquiry = self.inquiry()
        current = self._current(inquiry)
        if current is None:
            return redirect("dashboard:inquiry-detail", pk=inquiry.pk)
        return self._render(inquiry, current, self._form(inquiry, current))

    def post(self, request, pk):
        inquiry = self.inquiry()
        current = selectors.current_version(inquiry)
        if current is None:
            raise Http404
        form = self._form(inquiry, current, request.POST)
        if not form.is_valid():
            return self._render(inquiry, current, form, status=400)
        data = form.cleaned_data
        try:
            placed = services.quotation_accept(
                actor=request.user, inquiry=inquiry, address_id=data["address"],
                payment_method=data["payment_method"],
                shipping_method_id=data["shipping_method"], delivery_date=data["delivery_date"],
                remark=data["remark"], quantities=form.quantities(),
                idempotency_key=data["token"], version=data.get("version"))
        except ApplicationError as exc:
            raise_for(exc)
            problems = (exc.fields or {}).get("lines")
            if isinstance(problems, dict):
                form.add_error(None, exc.message)
                for found in problems.values():
                    for message in found:
                        form.add_error(None, message)
            else:
                form_add_application_error(form, exc)
            return self._render(inquiry, current, form,
                                status=exc.status if exc.status != 409 else 400)
        messages.success(request, _("Quotation accepted: order %(number)s placed for "
                                    "%(customer)s at the quoted prices.") % {
            "number": placed.order.number, "customer": inquiry.customer.name})
        return redirect("dashboard:order-detail", pk=placed.order.pk)


class InquiryMessageView(InquiryDetailView):
    """Write to the dealer on the inquiry's thread."""

    def post(self, request, pk):
        inquiry = self.inquiry()
        body = request.POST.get("body", "")
        try:
            thread.message_post(actor=request.user, inquiry=inquiry, body=body)
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_page(inquiry, status=exc.status, message_error=exc.message,
                                    message_body=body)
        messages.success(request, _("Message sent."))
        return redirect(reverse("dashboard:inquiry-detail", args=[inquiry.pk]) + "#messages")


class InquiryFileView(InquiryDetailView):
    """Attach a file for the dealer (a drawing, a specification, a price sheet)."""

    def post(self, request, pk):
        inquiry = self.inquiry()
        latest = selectors.current_version(inquiry)
        try:
            attachment_services.attachment_add(actor=request.user, inquiry=inquiry,
                                               file=request.FILES.get("file"), quotation=latest)
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_page(inquiry, status=exc.status, file_error=exc.message)
        messages.success(request, _("File attached."))
        return redirect(reverse("dashboard:inquiry-detail", args=[inquiry.pk]) + "#files")


class InquiryFileDownloadView(QuoteMixin, View):
    def get(self, request, pk, file_pk):
        return serve_inquiry_file(request.user, inquiry_pk=pk, pk=file_pk)
