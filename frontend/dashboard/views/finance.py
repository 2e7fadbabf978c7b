"""Staff finance pages (资金管理), under /dashboard/finance/ in the "dashboard" namespace:
receivables with aging, a customer's ledger (filters, exports, adjustments, reversals,
credit), payments (record, the queue awaiting confirmation, confirm or reject, the
proof), statements of account (issue, answer disputes), the finance settings, and the
credit hold release on an order.

Thin: every read goes through ordering.finance.selectors (scoped to the user: a
customer, payment or statement out of reach is 404), every change through
ordering.finance's services, which check the permission, the scope and the state.
"""

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
from frontend.common.forms.finance import PeriodForm
from frontend.common.views.base import PermissionRequiredMixin, raise_for
from frontend.common.views.media import download, serve_private_proof
from frontend.dashboard.forms.finance import (AdjustmentForm, CreditTermsForm, DisputeAnswerForm,
                                              FinanceSettingsForm, PaymentRejectForm, ReasonForm,
                                              StaffPaymentForm, StatementIssueForm)
from ordering.finance import selectors
from ordering.finance.enums import (AccountKind, EntryKind, PaymentStatus,
                                    ReconciliationStatus)
from ordering.finance.services import config as finance_config
from ordering.finance.services import exports, ledger, payments
from ordering.finance.services import orders as finance_orders
from ordering.finance.services import reconciliation as statements
from ordering.orders import selectors as order_selectors
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip
from roles.permissions import has_perm

PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 100


def _customer_or_404(request, pk):
    customer = selectors.finance_customer(actor=request.user, pk=pk)
    if customer is None:
        raise Http404
    return customer


def _tabs(choices, counts, current, all_label):
    tabs = [("", all_label, sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in choices]
    return [{"value": value, "label": label, "count": count, "active": value == current}
            for value, label, count in tabs]


# --- receivables --------------------------------------------------------------------


class ReceivablesView(PermissionRequiredMixin, View):
    """What each customer owes by age, with totals; ``?format=xlsx`` downloads it."""

    permission = "view_finance"

    def get(self, request):
        if request.GET.get("format") == "xlsx":
            return download(*exports.aging_file(actor=request.user, ip=client_ip(request)),
                            "xlsx")
        rows, totals = selectors.aging(actor=request.user)
        pending = selectors.payments_pending(actor=request.user).count()
        return render(request, "dashboard/finance/receivables.html", {
            "rows": rows, "totals": totals, "pending": pending,
            "can_export": has_perm(request.user, "export_data"),
        })


# --- a customer's ledger -------------------------------------------------------------


class CustomerLedgerMixin(PermissionRequiredMixin):
    template_name = "dashboard/finance/customer.html"

    def customer(self):
        return _customer_or_404(self.request, self.kwargs["pk"])

    def context(self, customer, **extra):
        user = self.request.user
        form = PeriodForm(self.request.GET)
        account, start, end = form.period()
        entry_kind = self.request.GET.get("kind", "")
        if entry_kind not in EntryKind.values:
            entry_kind = ""
        entries = selectors.ledger_entries(customer, kind=account, start=start, end=end,
                                           entry_kind=entry_kind)
        page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(self.request.GET.get("page"))
        opening, closing = selectors.period_totals(customer, kind=account, start=start, end=end)
        if not entry_kind:  # a running balance means something over every type only
            selectors.running_balances(page.object_list, customer, kind=account, start=start,
                                       opening=opening)
        terms = selectors.credit_terms(customer)
        balances = selectors.balances(customer)
        query = self.request.GET.copy()
        query.pop("page", None)
        context = {
            "customer": customer, "balances": balances, "terms": terms,
            "overdue": selectors.overdue_amount(customer),
            "period_form": form, "account": account, "start": start, "end": end,
            "account_label": AccountKind(account).label, "accounts": AccountKind.choices,
            "entry_kinds": EntryKind.choices, "entry_kind": entry_kind,
            "page": page, "opening": opening, "closing": closing, "query": query.urlencode(),
            "can_adjust": has_perm(user, "adjust_balances"),
            "can_credit": has_perm(user, "manage_credit"),
            "can_export": has_perm(user, "export_data"),
            "can_statements": has_perm(user, "manage_statements"),
            "can_record": has_perm(user, "record_payments"),
            "reverse_form": ReasonForm(),
        }
        context.update(extra)
        if context["can_adjust"] and "adjust_form" not in context:
            context["adjust_form"] = AdjustmentForm(initial={"account": account})
        if context["can_credit"] and "credit_form" not in context:
            context["credit_form"] = CreditTermsForm(initial={
                "credit_limit": customer.credit_limit,
                "temporary_credit": terms.temporary_credit if terms else 0,
                "temporary_until": terms.temporary_until if terms else None,
                "terms": customer.payment_terms, "terms_days": customer.payment_days,
                "on_hold": bool(terms and terms.on_hold),
                "hold_reason": terms.hold_reason if terms else ""})
        return context

    def render_page(self, customer, status=200, **extra):
        return render(self.request, self.template_name, self.context(customer, **extra),
                      status=status)

    def back(self, customer):
        url = reverse("dashboard:finance-customer", args=[customer.pk])
        account = self.request.POST.get("account_tab") or ""
        return redirect(f"{url}?account={account}" if account in AccountKind.values else url)

    def refused(self, customer, exc, form_key, form):
        raise_for(exc)
        form_add_application_error(form, exc)
        return self.render_page(customer, status=exc.status, **{form_key: form})


class CustomerLedgerView(CustomerLedgerMixin, View):
    permission = "view_finance"

    def get(self, request, pk):
        customer = self.customer()
        export = request.GET.get("format")
        if export in ("xlsx", "pdf"):
            account, start, end = PeriodForm(request.GET).period()
            return download(*exports.ledger_file(
                actor=request.user, customer=customer, kind=account, start=start, end=end,
                extension=export, tenant=request.tenant, ip=client_ip(request)), export)
        return self.render_page(customer)


class AdjustmentView(CustomerLedgerMixin, View):
    permission = "adjust_balances"

    def post(self, request, pk):
        customer = self.customer()
        form = AdjustmentForm(request.POST)
        if not form.is_valid():
            return self.render_page(customer, status=400, adjust_form=form)
        data = form.cleaned_data
        try:
            if data["rebate"]:
                if data["account"] != AccountKind.REBATE:
                    form.add_error("rebate", _("A rebate is granted on the rebate account."))
                    return self.render_page(customer, status=400, adjust_form=form)
                ledger.rebate_grant(actor=request.user, customer=customer,
                                    amount=form.signed_amount(), reason=data["reason"],
                                    ip=client_ip(request))
            else:
                ledger.adjustment_post(actor=request.user, customer=customer,
                                       account_kind=data["account"],
                                       amount=form.signed_amount(), reason=data["reason"],
                                       ip=client_ip(request))
        except ApplicationError as exc:
            return self.refused(customer, exc, "adjust_form", form)
        messages.success(request, _("The adjustment is posted."))
        return self.back(customer)


class EntryReverseView(CustomerLedgerMixin, View):
    permission = "adjust_balances"

    def post(self, request, pk, entry_pk):
        customer = self.customer()
        entry = selectors.customer_entry(customer, entry_pk)
        if entry is None:
            raise Http404
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for the reversal."))
            return self.back(customer)
        try:
            ledger.entry_reverse(actor=request.user, entry=entry,
                                 reason=form.cleaned_data["reason"], ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return self.back(customer)
        messages.success(request, _("The entry is reversed."))
        return self.back(customer)


class CreditTermsView(CustomerLedgerMixin, View):
    permission = "manage_credit"

    def post(self, request, pk):
        customer = self.customer()
        form = CreditTermsForm(request.POST)
        if not form.is_valid():
            return self.render_page(customer, status=400, credit_form=form)
        data = form.cleaned_data
        try:
            finance_orders.credit_terms_update(
                actor=request.user, customer=customer, credit_limit=data["credit_limit"],
                payment_terms=data["terms"], payment_days=data["terms_days"],
                temporary_credit=data["temporary_credit"],
                temporary_until=data["temporary_until"], on_hold=data["on_hold"],
                hold_reason=data["hold_reason"], ip=client_ip(request))
        except ApplicationError as exc:
            return self.refused(customer, exc, "credit_form", form)
        messages.success(request, _("The credit terms are saved."))
        return self.back(customer)


# --- payments -----------------------------------------------------------------------


class PaymentListView(PermissionRequiredMixin, View):
    permission = "record_payments"

    def get(self, request):
        status = request.GET.get("status", PaymentStatus.PENDING)
        if status not in PaymentStatus.values:
            status = ""
        counts = selectors.payment_counts(actor=request.user)
        queryset = (selectors.payments_pending(actor=request.user)
                    if status == PaymentStatus.PENDING
                    else selectors.payments(actor=request.user, status=status or None))
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "dashboard/finance/payments.html", {
            "page": page, "status": status, "filters": {"status": status},
            "tabs": _tabs(PaymentStatus.choices, counts, status, pgettext("payments", "All")),
            "can_confirm": has_perm(request.user, "confirm_payments"),
        })


class PaymentCreateView(PermissionRequiredMixin, View):
    """Staff record money received outside Orderline (cash, a cheque, a transfer):
    it waits for confirmation like a dealer's."""

    permission = "record_payments"
    template_name = "dashboard/finance/payment_new.html"

    def form(self, data=None, files=None):
        initial = {}
        if self.request.GET.get("customer"):
            initial["customer"] = self.request.GET["customer"]
        return StaffPaymentForm(data, files, initial=initial,
                                customers=selectors.finance_customers(actor=self.request.user))

    def get(self, request):
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        customer = selectors.finance_customer(actor=request.user, pk=data["customer"])
        if customer is None:
            form.add_error("customer", _("Choose a customer."))
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            payment = payments.payment_record(
                actor=request.user, customer=customer, amount=data["amount"],
                paid_on=data["paid_on"], method=data["method"], purpose=data["purpose"],
                reference=data["reference"], note=data["note"], proof=data["proof"],
                ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return render(request, self.template_name, {"form": form}, status=exc.status)
        messages.success(request, _("Payment %(number)s is recorded; it waits for "
                                    "confirmation.") % {"number": payment.number})
        return redirect("dashboard:finance-payment", payment.pk)


class PaymentDetailMixin(PermissionRequiredMixin):
    template_name = "dashboard/finance/payment.html"

    def payment(self):
        found = selectors.payment_get(actor=self.request.user, pk=self.kwargs["pk"])
        if found is None:
            raise Http404
        return found

    def render_page(self, payment, status=200, **extra):
        context = {"payment": payment,
                   "allocations": list(payment.allocations.select_related("order")),
                   "chosen": list(payment.orders.all()),
                   "can_confirm": has_perm(self.request.user, "confirm_payments"),
                   "reject_form": PaymentRejectForm(), "balances": selectors.balances(
                       payment.customer)}
        context.update(extra)
        return render(self.request, self.template_name, context, status=status)


class PaymentDetailView(PaymentDetailMixin, View):
    permission = "record_payments"

    def get(self, request, pk):
        return self.render_page(self.payment())


class PaymentProofView(PaymentDetailMixin, View):
    permission = "record_payments"

    def get(self, request, pk):
        payment = self.payment()
        if not payment.proof:
            raise Http404
        return serve_private_proof(payment.proof.name, filename=payment.number or payment.pk)


class PaymentConfirmView(PaymentDetailMixin, View):
    permission = "confirm_payments"

    def post(self, request, pk):
        payment = self.payment()
        try:
            payments.payment_confirm(actor=request.user, payment=payment, ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_page(payment, status=exc.status, action_error=exc.message)
        messages.success(request, _("Payment %(number)s is confirmed.") % {
            "number": payment.number})
        return redirect("dashboard:finance-payment", payment.pk)


class PaymentRejectView(PaymentDetailMixin, View):
    permission = "confirm_payments"

    def post(self, request, pk):
        payment = self.payment()
        form = PaymentRejectForm(request.POST)
        if not form.is_valid():
            return self.render_page(payment, status=400, reject_form=form)
        try:
            payments.payment_reject(actor=request.user, payment=payment,
                                    reason=form.cleaned_data["reason"], ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(payment, status=exc.status, reject_form=form)
        messages.success(request, _("Payment %(number)s is rejected.") % {
            "number": payment.number})
        return redirect("dashboard:finance-payment", payment.pk)


# --- statements of account ----------------------------------------------------------


class StatementListView(PermissionRequiredMixin, View):
    permission = "manage_statements"
    template_name = "dashboard/finance/statements.html"

    def form(self, data=None):
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today}
        if self.request.GET.get("customer"):
            initial["customers"] = [self.request.GET["customer"]]
        return StatementIssueForm(data, initial=initial,
                                  customers=selectors.finance_customers(actor=self.request.user))

    def render_page(self, form, status=200):
        request = self.request
        current = request.GET.get("status", "")
        if current not in ReconciliationStatus.values:
            current = ""
        counts = selectors.reconciliation_counts(actor=request.user)
        page = Paginator(selectors.reconciliations(actor=request.user, status=current or None),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, self.template_name, {
            "page": page, "status": current, "filters": {"status": current}, "form": form,
            "tabs": _tabs(ReconciliationStatus.choices, counts, current,
                          pgettext("statements", "All")),
        }, status=status)

    def get(self, request):
        return self.render_page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            customers = None if data["everyone"] else data["customers"]
            if customers is not None and len(customers) == 1:
                customer = _customer_or_404(request, customers[0])
                issued = statements.reconciliation_issue(
                    actor=request.user, customer=customer, start=data["start"],
                    end=data["end"], note=data["note"], ip=client_ip(request))
                messages.success(request, _("Statement %(number)s is issued to %(customer)s.")
                                 % {"number": issued.number, "customer": customer.name})
                return redirect("dashboard:finance-statement", issued.pk)
            count = statements.reconciliations_issue_many(
                actor=request.user, customers=customers, start=data["start"], end=data["end"],
                note=data["note"], ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(form, status=exc.status)
        messages.success(request, _("%(n)d statements are being issued in the background; "
                                    "they appear here in a moment.") % {"n": count})
        return redirect("dashboard:finance-statements")


class StatementDetailMixin(PermissionRequiredMixin):
    permission = "manage_statements"
    template_name = "dashboard/finance/statement.html"

    def statement(self):
        found = selectors.reconciliation_get(actor=self.request.user, pk=self.kwargs["pk"])
        if found is None:
            raise Http404
        return found

    def render_page(self, statement, status=200, forms=None):
        detail = selectors.reconciliation_detail(statement, page=self.request.GET.get("page"))
        forms = forms or {}
        for dispute in detail["disputes"]:
            if dispute.answered_at is None:
                dispute.form = forms.get(dispute.pk) or DisputeAnswerForm(prefix=f"d{dispute.pk}")
        return render(self.request, self.template_name, {
            "statement": statement, **detail,
            "can_adjust": has_perm(self.request.user, "adjust_balances"),
        }, status=status)


class StatementDetailView(StatementDetailMixin, View):
    def get(self, request, pk):
        return self.render_page(self.statement())


class DisputeAnswerView(StatementDetailMixin, View):
    def post(self, request, pk, dispute_pk):
        statement = self.statement()
        dispute = statement.disputes.filter(pk=dispute_pk).first()
        if dispute is None:
            raise Http404
        form = DisputeAnswerForm(request.POST, prefix=f"d{dispute.pk}")
        if not form.is_valid():
            return self.render_page(statement, status=400, forms={dispute.pk: form})
        data = form.cleaned_data
        try:
            statements.dispute_answer(actor=request.user, dispute=dispute, answer=data["answer"],
                                      correction=data["correction"] or None,
                                      amount=data["amount"], ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(statement, status=exc.status, forms={dispute.pk: form})
        messages.success(request, _("Your answer is sent to the dealer."))
        return redirect("dashboard:finance-statement", statement.pk)


# --- settings -----------------------------------------------------------------------


class FinanceSettingsView(PermissionRequiredMixin, View):
    permission = "manage_settings"
    template_name = "dashboard/finance/settings.html"

    def get(self, request):
        row = tenant_settings()
        form = FinanceSettingsForm(initial={
            name: getattr(row, name) for name in FinanceSettingsForm.base_fields})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = FinanceSettingsForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            finance_config.finance_settings_update(actor=request.user, ip=client_ip(request),
                                                   **form.cleaned_data)
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return render(request, self.template_name, {"form": form}, status=exc.status)
        messages.success(request, _("The finance settings are saved."))
        return redirect("dashboard:finance-settings")


# --- an order on credit hold --------------------------------------------------------


class OrderHoldReleaseView(PermissionRequiredMixin, View):
    permission = "manage_credit"

    def post(self, request, pk):
        order = order_selectors.order_get(actor=request.user, pk=pk)
        if order is None:
            raise Http404
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for releasing the hold."))
            return redirect("dashboard:order-detail", order.pk)
        try:
            finance_orders.order_hold_release(actor=request.user, order=order,
                                              reason=form.cleaned_data["reason"],
                                              ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            messages.error(request, exc.message)
            return redirect("dashboard:order-detail", order.pk)
        messages.success(request, _("The credit hold is released."))
        return redirect("dashboard:order-detail", order.pk)
