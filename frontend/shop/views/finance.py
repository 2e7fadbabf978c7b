"""The dealer's money with the supplier, under /shop/finance/ ("shop" namespace): the
balances and what is owed or overdue, paying orders or topping up by bank transfer with
a proof, the payment history, the statement of account for any period (Excel, PDF) and
the statements the supplier sent to confirm or question (对账).

Thin: reads go through ordering.finance.selectors for the dealer's own company, every
change through ordering.finance's services, which check again who may do what (a
view-only login can look but not pay or answer).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.forms.finance import PeriodForm
from frontend.common.views.base import raise_for
from frontend.common.views.media import download, serve_private_proof
from frontend.shop.forms.finance import DisputeForm, TransferForm
from frontend.shop.views.account import AccountMixin
from ordering.finance import documents, selectors
from ordering.finance.enums import PaymentPurpose, ReconciliationStatus
from ordering.finance.services import payments
from ordering.finance.services import reconciliation as statements
from ordering.finance.services.online import online_available
from ordering.settings.selectors import tenant_settings
from roles.backends import client_ip

PAGE_SIZE = 30
STATEMENT_PAGE_SIZE = 100


class FinanceHomeView(AccountMixin, View):
    template_name = "shop/finance/home.html"

    def get(self, request):
        customer = self.customer
        open_orders = list(selectors.open_orders_of(customer))
        return render(request, self.template_name, self.context(
            balances=selectors.balances(customer), overdue=selectors.overdue_amount(customer),
            open_orders=open_orders, bank_details=tenant_settings().bank_details,
            payments=list(selectors.dealer_payments(customer=customer)[:5]),
            to_answer=selectors.dealer_reconciliations(customer=customer).filter(
                status__in=(ReconciliationStatus.ISSUED, ReconciliationStatus.RESOLVED)).count(),
            can_pay=self.dealer_login.can_order, today=timezone.localdate(),
            pay_online=self.dealer_login.can_order and online_available()))


class PayView(AccountMixin, View):
    """Record a transfer: for orders (``?order=`` ticks them) or a top-up."""

    template_name = "shop/finance/pay.html"
    topup = False

    def form(self, data=None, files=None):
        open_orders = [] if self.topup else list(selectors.open_orders_of(self.customer))
        initial = {}
        chosen = {int(v) for v in self.request.GET.getlist("order") if v.isdigit()}
        if chosen and not self.topup:
            initial["orders"] = [o.pk for o in open_orders if o.pk in chosen]
            initial["amount"] = sum((o.left for o in open_orders if o.pk in chosen), 0) or None
        return TransferForm(data, files, open_orders=open_orders, topup=self.topup,
                            initial=initial)

    def render_page(self, form, status=200):
        return render(self.request, self.template_name, self.context(
            form=form, topup=self.topup, bank_details=tenant_settings().bank_details,
            balances=selectors.balances(self.customer)), status=status)

    def get(self, request):
        if not self.dealer_login.can_order:
            raise Http404
        return self.render_page(self.form())

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            payment = payments.payment_record(
                actor=request.user, amount=data["amount"], paid_on=data["paid_on"],
                purpose=PaymentPurpose.TOPUP if self.topup else PaymentPurpose.ORDERS,
                order_ids=data.get("orders") or (), reference=data["reference"],
                note=data["note"], proof=data["proof"], ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(form, status=exc.status)
        messages.success(request, _("Thank you: payment %(number)s is recorded. It counts once "
                                    "the supplier confirms the money arrived.") % {
                                        "number": payment.number})
        return redirect("shop:payments")


class TopUpView(PayView):
    topup = True


class PaymentHistoryView(AccountMixin, View):
    def get(self, request):
        page = Paginator(selectors.dealer_payments(customer=self.customer),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "shop/finance/payments.html", self.context(page=page,
                                                                          filters={}))


class PaymentProofView(AccountMixin, View):
    def get(self, request, pk):
        payment = selectors.dealer_payments(customer=self.customer).filter(pk=pk).first()
        if payment is None or not payment.proof:
            raise Http404
        return serve_private_proof(payment.proof.name, filename=payment.number or payment.pk)


class StatementView(AccountMixin, View):
    """The statement of account (往来对账单) for any period; Excel and PDF downloads."""

    def get(self, request):
        customer = self.customer
        form = PeriodForm(request.GET)
        account, start, end = form.period()
        export = request.GET.get("format")
        if export in ("xlsx", "pdf"):
            return download(*documents.statement_file(
                customer, kind=account, start=start, end=end, extension=export,
                tenant=request.tenant), export)
        opening, closing = selectors.period_totals(customer, kind=account, start=start, end=end)
        page = Paginator(selectors.ledger_entries(customer, kind=account, start=start, end=end,
                                                  newest_first=False),
                         STATEMENT_PAGE_SIZE).get_page(request.GET.get("page"))
        selectors.running_balances(page.object_list, customer, kind=account, start=start,
                                   opening=opening)
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)
        return render(request, "shop/finance/statement.html", self.context(
            form=form, page=page, opening=opening, closing=closing, account=account,
            start=start, end=end, query=query.urlencode()))


class ReconciliationListView(AccountMixin, View):
    def get(self, request):
        page = Paginator(selectors.dealer_reconciliations(customer=self.customer),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "shop/finance/statements.html", self.context(page=page,
                                                                            filters={}))


class ReconciliationDetailView(AccountMixin, View):
    template_name = "shop/finance/reconciliation.html"

    def statement(self):
        found = selectors.dealer_reconciliations(customer=self.customer).filter(
            pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def render_page(self, statement, status=200, dispute_form=None, action_error=None):
        detail = selectors.reconciliation_detail(statement, page=self.request.GET.get("page"))
        can_answer = self.dealer_login.can_order
        answerable = can_answer and statement.status in (ReconciliationStatus.ISSUED,
                                                         ReconciliationStatus.RESOLVED)
        questionable = answerable or (can_answer
                                      and statement.status == ReconciliationStatus.DISPUTED)
        return render(self.request, self.template_name, self.context(
            statement=statement, **detail, answerable=answerable, dispute_choice=questionable,
            dispute_form=dispute_form or DisputeForm(), action_error=action_error),
            status=status)

    def get(self, request, pk):
        statement = self.statement()
        statements.reconciliation_viewed(actor=request.user, reconciliation=statement,
                                         ip=client_ip(request))
        return self.render_page(statement)


class ReconciliationConfirmView(ReconciliationDetailView):
    def post(self, request, pk):
        statement = self.statement()
        try:
            statements.reconciliation_confirm(actor=request.user, reconciliation=statement,
                                              ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            return self.render_page(statement, status=exc.status, action_error=exc.message)
        messages.success(request, _("Thank you: statement %(number)s is confirmed.") % {
            "number": statement.number})
        return redirect("shop:statement-detail", statement.pk)


class ReconciliationDisputeView(ReconciliationDetailView):
    def post(self, request, pk):
        statement = self.statement()
        form = DisputeForm(request.POST, entries=statements.reconciliation_lines(statement))
        if not form.is_valid():
            return self.render_page(statement, status=400, dispute_form=form)
        try:
            statements.reconciliation_dispute(actor=request.user, reconciliation=statement,
                                              lines=form.lines(), ip=client_ip(request))
        except ApplicationError as exc:
            raise_for(exc)
            form_add_application_error(form, exc)
            return self.render_page(statement, status=exc.status, dispute_form=form)
        messages.success(request, _("Your question is sent to the supplier's finance team."))
        return redirect("shop:statement-detail", statement.pk)
