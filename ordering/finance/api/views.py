"""Finance over the API: a customer's balances and ledger, receivables, payments (recorded,
confirmed, rejected), adjustments, reversals, credit terms, credit holds and statements of
account for staff; the dealer's own balances, statement, payments and statements of
account (confirm, dispute) under ``my/finance/``.

Thin: each view declares the permission the service checks, the same as the dashboard's
pages (``view_finance`` to read a customer's money, ``record_payments`` to record and see
payments, ``confirm_payments``, ``adjust_balances``, ``manage_credit``,
``manage_statements`` for statements of account); reads go through the scoped
selectors, so another rep's customer, payment, entry or statement reads as 404, like
another tenant's; writes go through the services, whose errors become
``{"error": {"code", "message", "fields"}}``. Recording a payment takes an
``Idempotency-Key`` header: the same key again returns the first payment (200), the same
key with a different body is refused (422).
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import query_parameters
from ordering.customers.services.guards import login_of
from ordering.finance import selectors
from ordering.finance.api import serializers as s
from ordering.finance.enums import PaymentMethodKind, PaymentStatus, ReconciliationStatus
from ordering.finance.exceptions import FinancePermissionError
from ordering.finance.services import ledger, payments
from ordering.finance.services import reconciliation as statements
from ordering.finance.services import orders as finance_orders
from ordering.orders import selectors as order_selectors
from ordering.orders.api.serializers import OrderDetailSerializer
from roles.backends import client_ip
from roles.permissions import ANY_DEALER

TAG, DEALER_TAG = "finance", "dealer finance"
PAGE = OpenApiParameter("page", int, description="A page number within the period's entries.")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="Send a fresh value per payment (at most 80 characters): a retry with the "
                "same value returns the first payment (200) and records nothing; the same "
                "value with a different body is refused with 422.")


def _found(value):
    if value is None:
        raise Http404
    return value


def _customer(request, pk):
    return _found(selectors.finance_customer(actor=request.user, pk=pk))


def _ledger(view, customer, serializer_class):
    """A page of the account's entries for the period asked (``PeriodQuerySerializer``),
    oldest first, each with the balance after it, and the period's opening and closing
    balances: a constant number of queries for any history."""
    query = view.request.query_params
    period = s.PeriodQuerySerializer(data={k: v for k, v in query.items() if v != ""})
    period.is_valid(raise_exception=True)
    v = period.validated_data
    kind, start, end = v["account"], v["start"], v["end"]
    page = view.paginate_queryset(selectors.ledger_entries(customer, kind=kind, start=start,
                                                           end=end, newest_first=False))
    opening, closing = selectors.period_totals(customer, kind=kind, start=start, end=end)
    selectors.running_balances(page, customer, kind=kind, start=start, opening=opening)
    response = view.get_paginated_response(serializer_class(page, many=True).data)
    response.data = {"account": kind, "start": start.isoformat(), "end": end.isoformat(),
                     "opening": f"{opening:.2f}", "closing": f"{closing:.2f}",
                     **response.data}
    return response


def _payment_input(request, serializer_class):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    return {"amount": v["amount"], "paid_on": v["paid_on"], "purpose": v["purpose"],
            "order_ids": v["orders"], "reference": v["reference"], "note": v["note"],
            "proof": v.get("proof"), "idempotency_key": request.headers.get("Idempotency-Key"),
            "ip": client_ip(request)}, v


def _created(payment, body):
    return Response(body, status=status.HTTP_200_OK if payment.repeated
                    else status.HTTP_201_CREATED)


PAYMENT_RESPONSES = {201: s.PaymentDetailSerializer, 200: s.PaymentDetailSerializer}


# --- a customer's money (staff) ------------------------------------------------------------


@extend_schema(tags=[TAG])
class CustomerBalancesApi(APIView):
    """A customer's prepaid and rebate balances, what it owes, its credit (limit,
    temporary credit, what is left), what it may spend and its credit hold."""

    permission = "view_finance"

    @extend_schema(responses=s.CustomerBalancesSerializer)
    def get(self, request, pk):
        customer = _customer(request, pk)
        return Response(s.CustomerBalancesSerializer(
            s.customer_balances(customer, selectors.balances(customer))).data)


@extend_schema(tags=[TAG])
class CustomerLedgerApi(GenericAPIView):
    """An account's entries for a period, oldest first and page by page, each with the
    balance after it, with the period's opening and closing balances."""

    permission = "view_finance"
    filter_backends = ()

    @extend_schema(parameters=[s.PeriodQuerySerializer, PAGE], responses=s.LedgerSerializer)
    def get(self, request, pk):
        return _ledger(self, _customer(request, pk), s.LedgerEntrySerializer)


@extend_schema(tags=[TAG])
class ReceivableListApi(ListAPIView):
    """Customers who owe something (or hold credit on account), largest first, with
    their balances."""

    permission = "view_finance"
    serializer_class = s.ReceivableSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.receivable_list(actor=self.request.user)


@extend_schema(tags=[TAG])
class CustomerAdjustmentApi(APIView):
    """A manual adjustment of one of the customer's accounts, with its reason
    (``adjust_balances``; audited). Money held (prepaid, rebate) cannot go below zero."""

    permission = "adjust_balances"

    @extend_schema(request=s.AdjustmentInputSerializer, responses={201: s.EntrySerializer})
    def post(self, request, pk):
        customer = _customer(request, pk)
        data = s.AdjustmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = ledger.adjustment_post(actor=request.user, customer=customer,
                                       account_kind=v["account"], amount=v["amount"],
                                       reason=v["reason"], ip=client_ip(request))
        return Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class EntryReverseApi(APIView):
    """Reverse a ledger entry with a counter-entry (红冲), with a reason. An entry is
    reversed at most once; a reversal is not reversed."""

    permission = "adjust_balances"

    @extend_schema(request=s.FinanceReasonSerializer, responses={201: s.EntrySerializer})
    def post(self, request, pk):
        entry = _found(selectors.entry_get(actor=request.user, pk=pk))
        data = s.FinanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = ledger.entry_reverse(actor=request.user, entry=entry,
                                        reason=data.validated_data["reason"],
                                        ip=client_ip(request))
        return Response(s.EntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class CustomerCreditTermsApi(APIView):
    """GET the customer's credit limit, payment terms, temporary credit and credit hold;
    POST to change them (``manage_credit``; audited): only the fields sent change."""

    permissions = {"GET": "view_finance", "POST": "manage_credit"}

    @extend_schema(responses=s.CreditTermsSerializer)
    def get(self, request, pk):
        customer = _customer(request, pk)
        return Response(s.CreditTermsSerializer(s.credit_terms_data(
            customer, selectors.credit_terms(customer))).data)

    @extend_schema(request=s.CreditTermsInputSerializer, responses=s.CreditTermsSerializer)
    def post(self, request, pk):
        customer = _customer(request, pk)
        data = s.CreditTermsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terms = finance_orders.credit_terms_update(actor=request.user, customer=customer,
                                                   ip=client_ip(request), **data.validated_data)
        customer = _customer(request, pk)  # as the customer service saved it
        return Response(s.CreditTermsSerializer(s.credit_terms_data(customer, terms)).data)


@extend_schema(tags=[TAG])
class OrderHoldReleaseApi(APIView):
    """Let an order on credit hold pass finance review, with a reason (``manage_credit``;
    audited)."""

    permission = "manage_credit"

    @extend_schema(request=s.FinanceReasonSerializer, responses=OrderDetailSerializer)
    def post(self, request, pk):
        order = _found(order_selectors.order_get(actor=request.user, pk=pk))
        data = s.FinanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finance_orders.order_hold_release(actor=request.user, order=order,
                                          reason=data.validated_data["reason"],
                                          ip=client_ip(request))
        fresh = order_selectors.order_get(actor=request.user, pk=order.pk)
        return Response(OrderDetailSerializer(fresh, context={"request": request}).data)


# --- payments (staff) ----------------------------------------------------------------------


def _payment_body(request, payment):
    fresh = selectors.payment_detail(actor=request.user, pk=payment.pk)
    return s.PaymentDetailSerializer(fresh or payment).data


@extend_schema(tags=[TAG])
class PaymentListApi(ListAPIView):
    """GET: the payments of the customers you may see, newest first. POST: record money
    received for a customer (cash, a cheque or a transfer; JSON, or multipart/form-data
    with a proof): it waits for finance to confirm it."""

    permission = "record_payments"
    serializer_class = s.PaymentSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.payments(actor=self.request.user, status=g.get("status") or None,
                                  customer=g.get("customer") or None)

    @query_parameters([OpenApiParameter("status", str, enum=PaymentStatus.values),
                       OpenApiParameter("customer", int, description="A customer's id.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"application/json": s.PaymentInputSerializer,
                            "multipart/form-data": s.PaymentUploadSerializer},
                   parameters=[IDEMPOTENCY], responses=PAYMENT_RESPONSES)
    def post(self, request):
        values, v = _payment_input(request, s.PaymentUploadSerializer)
        payment = payments.payment_record(actor=request.user,
                                          customer=_customer(request, v["customer"]),
                                          method=v["method"], **values)
        return _created(payment, _payment_body(request, payment))


@extend_schema(tags=[TAG])
class PaymentDetailApi(APIView):
    """A payment with the orders it was sent for and what it settled."""

    permission = "record_payments"

    @extend_schema(responses=s.PaymentDetailSerializer)
    def get(self, request, pk):
        payment = _found(selectors.payment_detail(actor=request.user, pk=pk))
        return Response(s.PaymentDetailSerializer(payment).data)


@extend_schema(tags=[TAG])
class PaymentConfirmApi(APIView):
    """Confirm that the money arrived: the ledger is written once and the orders are
    settled (the chosen ones, else the oldest unpaid first; the rest stays as credit)."""

    permission = "confirm_payments"

    @extend_schema(request=None, responses=s.PaymentDetailSerializer)
    def post(self, request, pk):
        payment = _found(selectors.payment_detail(actor=request.user, pk=pk))
        payment = payments.payment_confirm(actor=request.user, payment=payment,
                                           ip=client_ip(request))
        return Response(_payment_body(request, payment))


@extend_schema(tags=[TAG])
class PaymentRejectApi(APIView):
    """Reject a payment that did not arrive, telling the dealer why: no money moves."""

    permission = "confirm_payments"

    @extend_schema(request=s.FinanceReasonSerializer, responses=s.PaymentDetailSerializer)
    def post(self, request, pk):
        payment = _found(selectors.payment_detail(actor=request.user, pk=pk))
        data = s.FinanceReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payments.payment_reject(actor=request.user, payment=payment,
                                          reason=data.validated_data["reason"],
                                          ip=client_ip(request))
        return Response(_payment_body(request, payment))


# --- the dealer's own money ----------------------------------------------------------------


def _dealer_customer(request):
    login = login_of(request.user)
    if login is None:
        raise FinancePermissionError(_("Sign in with your company's ordering login."))
    return login.customer


@extend_schema(tags=[DEALER_TAG])
class DealerBalancesApi(APIView):
    """Your company's prepaid and rebate balances, what it owes, its credit left, what it
    may spend and whether it is on credit hold."""

    permission = ANY_DEALER

    @extend_schema(responses=s.BalancesSerializer)
    def get(self, request):
        customer = _dealer_customer(request)
        return Response(s.BalancesSerializer(
            s.balances_data(selectors.balances(customer))).data)


@extend_schema(tags=[DEALER_TAG])
class DealerStatementApi(GenericAPIView):
    """Your company's account with the supplier for a period: the opening balance, each
    entry (oldest first, page by page) with the balance after it, the closing balance."""

    permission = ANY_DEALER
    filter_backends = ()

    @extend_schema(parameters=[s.PeriodQuerySerializer, PAGE],
                   responses=s.DealerLedgerSerializer)
    def get(self, request):
        return _ledger(self, _dealer_customer(request), s.DealerLedgerEntrySerializer)


@extend_schema(tags=[DEALER_TAG])
class DealerPaymentListApi(ListAPIView):
    """GET: your company's payments, newest first. POST: tell the supplier about a bank
    transfer (JSON, or multipart/form-data with the proof): finance confirms it once the
    money is there."""

    permission = ANY_DEALER
    serializer_class = s.DealerPaymentSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.dealer_payments(customer=_dealer_customer(self.request))

    @extend_schema(request={"application/json": s.DealerPaymentInputSerializer,
                            "multipart/form-data": s.DealerPaymentUploadSerializer},
                   parameters=[IDEMPOTENCY],
                   responses={201: s.DealerPaymentSerializer, 200: s.DealerPaymentSerializer})
    def post(self, request):
        _dealer_customer(request)
        values, _v = _payment_input(request, s.DealerPaymentUploadSerializer)
        payment = payments.payment_record(actor=request.user,
                                          method=PaymentMethodKind.TRANSFER, **values)
        return _created(payment, s.DealerPaymentSerializer(payment).data)


# --- statements of account (对账) ------------------------------------------------------------


def _reconciliation(request, pk):
    return _found(selectors.reconciliation_get(actor=request.user, pk=pk))


def _reconciliation_body(found, serializer_class, page=None):
    """The statement with one page of its lines (the first unless ``page``)."""
    detail = selectors.reconciliation_detail(found, page=page,
                                             per_page=selectors.STATEMENT_LINES_PER_PAGE)
    return serializer_class(s.reconciliation_detail(found, detail)).data


LINES_PAGE = [OpenApiParameter("page", int, description="A page of the statement's lines "
                               "(out of range: the nearest page).")]


@extend_schema(tags=[TAG])
class ReconciliationListApi(ListAPIView):
    """GET: the statements of account of the customers you may see, newest first. POST:
    issue a statement of what a customer owes for a period: the opening balance, the
    period's entries and the closing balance as they stand now; the dealer is told to
    confirm it."""

    permission = "manage_statements"
    serializer_class = s.ReconciliationSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.reconciliations(actor=self.request.user,
                                         status=g.get("status") or None,
                                         customer=g.get("customer") or None)

    @query_parameters([OpenApiParameter("status", str, enum=ReconciliationStatus.values),
                       OpenApiParameter("customer", int, description="A customer's id.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ReconciliationIssueSerializer,
                   responses={201: s.ReconciliationDetailSerializer})
    def post(self, request):
        data = s.ReconciliationIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        issued = statements.reconciliation_issue(
            actor=request.user, customer=_customer(request, v["customer"]), start=v["start"],
            end=v["end"], note=v["note"], ip=client_ip(request))
        return Response(_reconciliation_body(_reconciliation(request, issued.pk),
                                             s.ReconciliationDetailSerializer),
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class ReconciliationBulkIssueApi(APIView):
    """Issue the same period's statement to many customers, in the background (a customer
    that already has a statement for exactly this period is skipped)."""

    permission = "manage_statements"

    @extend_schema(request=s.ReconciliationBulkIssueSerializer,
                   responses={202: s.ReconciliationQueuedSerializer})
    def post(self, request):
        data = s.ReconciliationBulkIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        queued = statements.reconciliations_issue_many(
            actor=request.user, customers=v["customers"], start=v["start"], end=v["end"],
            note=v["note"], ip=client_ip(request))
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=[TAG])
class ReconciliationDetailApi(APIView):
    """A statement with a page of its lines (200 a page; running balance; corrections
    posted in answer to its disputes included), the dealer's disputes with finance's
    answers, and every step (who, when, from which address)."""

    permission = "manage_statements"

    @extend_schema(responses=s.ReconciliationDetailSerializer)
    @query_parameters(LINES_PAGE)
    def get(self, request, pk):
        return Response(_reconciliation_body(_reconciliation(request, pk),
                                             s.ReconciliationDetailSerializer,
                                             page=request.query_params.get("page")))


@extend_schema(tags=[TAG])
class DisputeAnswerApi(APIView):
    """Answer one of the dealer's disputes: with an explanation, or
    a correction posted on the ledger (``reverse`` the disputed entry, or ``adjust`` what is
    owed by ``amount``; both also need ``adjust_balances``). When every dispute is answered
    the statement is answered, with its revised closing balance."""

    permission = "manage_statements"

    @extend_schema(request=s.DisputeAnswerSerializer, responses=s.ReconciliationDetailSerializer)
    def post(self, request, pk, dispute):
        found = _reconciliation(request, pk)
        target = _found(selectors.dispute_get(reconciliation=found, pk=dispute))
        data = s.DisputeAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        statements.dispute_answer(actor=request.user, dispute=target, answer=v["answer"],
                                      correction=v.get("correction"), amount=v.get("amount"),
                                      ip=client_ip(request))
        return Response(_reconciliation_body(_reconciliation(request, pk),
                                             s.ReconciliationDetailSerializer))


def _dealer_reconciliation(request, pk):
    return _found(selectors.dealer_reconciliation_get(customer=_dealer_customer(request),
                                                      pk=pk))


@extend_schema(tags=[DEALER_TAG])
class DealerReconciliationListApi(ListAPIView):
    """The statements of account your supplier sent your company, newest first."""

    permission = ANY_DEALER
    serializer_class = s.DealerReconciliationSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.dealer_reconciliations(customer=_dealer_customer(self.request))


@extend_schema(tags=[DEALER_TAG])
class DealerReconciliationDetailApi(APIView):
    """A statement of account: a page of its lines (200 a page) with the running balance,
    your questions and the supplier's answers, and its steps. Opening it is recorded
    (once per login)."""

    permission = ANY_DEALER

    @extend_schema(responses=s.DealerReconciliationDetailSerializer)
    @query_parameters(LINES_PAGE)
    def get(self, request, pk):
        found = _dealer_reconciliation(request, pk)
        statements.reconciliation_viewed(actor=request.user, reconciliation=found,
                                         ip=client_ip(request))
        return Response(_reconciliation_body(found, s.DealerReconciliationDetailSerializer,
                                             page=request.query_params.get("page")))


@extend_schema(tags=[DEALER_TAG])
class DealerReconciliationConfirmApi(APIView):
    """Agree with the statement (as issued, or as answered). Confirming moves no money."""

    permission = ANY_DEALER

    @extend_schema(request=None, responses=s.DealerReconciliationDetailSerializer)
    def post(self, request, pk):
        found = _dealer_reconciliation(request, pk)
        statements.reconciliation_confirm(actor=request.user, reconciliation=found,
                                              ip=client_ip(request))
        return Response(_reconciliation_body(_dealer_reconciliation(request, pk),
                                             s.DealerReconciliationDetailSerializer))


@extend_schema(tags=[DEALER_TAG])
class DealerReconciliationDisputeApi(APIView):
    """Say which lines you disagree with, and why (a line without ``entry``: the
    statement as a whole). The supplier answers each one."""

    permission = ANY_DEALER

    @extend_schema(request=s.ReconciliationDisputeSerializer,
                   responses=s.DealerReconciliationDetailSerializer)
    def post(self, request, pk):
        found = _dealer_reconciliation(request, pk)
        data = s.ReconciliationDisputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statements.reconciliation_dispute(
            actor=request.user, reconciliation=found, ip=client_ip(request),
            lines=[(line.get("entry"), line["comment"]) for line in data.validated_data["lines"]])
        return Response(_reconciliation_body(_dealer_reconciliation(request, pk),
                                             s.DealerReconciliationDetailSerializer))
