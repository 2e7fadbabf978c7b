"""Inquiries (询价) and quotations (报价) over the API: the staff desk under
``inquiries/`` (``manage_quotes``, scoped like customers: a sales rep reaches their
customers' inquiries only) and the dealer's own under ``my/inquiries/`` (any login of
the company reads; a login that may order acts).

Thin: each view declares its permission (``roles.api.permissions.HasPermission``);
reads go through ``ordering.quotes.selectors`` (another company's, another rep's or
another tenant's inquiry reads as 404 on every route); writes go through
``ordering.quotes.services``, whose refusals become ``{"error": {"code", "message",
"fields"}}`` (a line refused: ``fields.lines[index]``; a wrong state, an expired
quotation, an unresolved free-text line, a second acceptance: 409).

The versions of an inquiry are compared line by line at ``…/diff/?older=&newer=``
(default: the latest version against the one before it). Accepting takes an
``Idempotency-Key`` header, as placing an order does: the first acceptance places the
order (201), the same key again by the same person returns that order (200), the same
key with a different body is refused (422) and any other acceptance afterwards is
refused with 409 ``already_accepted``.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import query_parameters
from ordering.customers.services.guards import login_of
from ordering.orders import selectors as order_selectors
from ordering.orders.api.serializers import OrderDetailSerializer
from ordering.quotes import selectors, services
from ordering.quotes.api import serializers as s
from ordering.quotes.enums import DealerStatus, InquiryStatus
from roles.permissions import ANY_DEALER

TAG, DEALER_TAG = "quotations", "dealer quotations"
STAFF_PERMISSION = "manage_quotes"
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="Send a fresh value per acceptance (at most 80 characters): a retry with "
                "the same value by the same person returns the order placed first (200); "
                "the same value with a different body is refused with 422; another "
                "acceptance of an accepted quotation is refused with 409 (already_accepted).")
STAFF_FILTERS = [
    OpenApiParameter("status", str, enum=InquiryStatus.values),
    OpenApiParameter("customer", int, description="A customer's id."),
    OpenApiParameter("assigned_to", str, description='A staff member\'s id, "me" or "none".'),
]
DEALER_FILTERS = [OpenApiParameter("status", str, enum=DealerStatus.values,
                                   description="The dealer's status.")]
VERSIONS = [OpenApiParameter("older", int, description="Default: the version before `newer`."),
            OpenApiParameter("newer", int, description="Default: the latest version.")]


def _filters(request, names):
    return {name: request.query_params.get(name) for name in names}


def _input(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _detail_response(request, inquiry, *, dealer, code=status.HTTP_200_OK):
    """The inquiry (or its id) read afresh, in the caller's shape."""
    fresh = selectors.inquiry_detail(actor=request.user, pk=getattr(inquiry, "pk", inquiry))
    serializer = s.DealerInquiryDetailSerializer if dealer else s.InquiryDetailSerializer
    return Response(serializer(fresh, context={"request": request}).data, status=code)


class _InquiryApi(APIView):
    """Shared by the staff and the dealer views: ``dealer`` picks the dealer's shape."""

    dealer = False

    def _inquiry(self, request, pk):
        return selectors.inquiry_get(actor=request.user, pk=pk)

    def _detail(self, request, inquiry, code=status.HTTP_200_OK):
        return _detail_response(request, inquiry, dealer=self.dealer, code=code)


class _DetailApi(_InquiryApi):
    def get(self, request, pk):
        return self._detail(request, pk)


class _DiffApi(_InquiryApi):
    @extend_schema(responses=s.QuotationDiffSerializer)
    @query_parameters(VERSIONS)
    def get(self, request, pk):
        g = request.query_params
        older, newer, rows = selectors.inquiry_diff(
            actor=request.user, pk=pk, older=g.get("older") or None, newer=g.get("newer") or None)
        return Response(s.QuotationDiffSerializer({
            "inquiry": newer.inquiry_id, "older": older.version, "newer": newer.version,
            "lines": rows}).data)


class _AcceptApi(_InquiryApi):
    @extend_schema(request=s.QuotationAcceptSerializer, parameters=[IDEMPOTENCY],
                   responses={201: OrderDetailSerializer, 200: OrderDetailSerializer})
    def post(self, request, pk):
        inquiry = self._inquiry(request, pk)
        v = _input(s.QuotationAcceptSerializer, request)
        order, created = services.quotation_accept(
            actor=request.user, inquiry=inquiry, address_id=v["address"],
            payment_method=v["payment_method"], shipping_method_id=v.get("shipping_method"),
            delivery_date=v.get("delivery_date"), remark=v.get("remark", ""),
            quantities=v.get("quantities"), version=v.get("version"),
            idempotency_key=request.headers.get("Idempotency-Key"))
        fresh = (order_selectors.dealer_order_get(login=login_of(request.user), pk=order.pk)
                 if self.dealer else order_selectors.order_get(actor=request.user, pk=order.pk))
        return Response(OrderDetailSerializer(fresh or order, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- staff -----------------------------------------------------------------------------


@extend_schema(tags=[TAG])
class InquiryListApi(ListAPIView):
    """The inquiries of the customers you quote for, newest first, each with its latest
    version and that version's validity."""

    permission = STAFF_PERMISSION
    serializer_class = s.InquiryListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.inquiry_list(
            actor=self.request.user,
            filters=_filters(self.request, ("status", "customer", "assigned_to")))

    @query_parameters(STAFF_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=[TAG], responses=s.InquiryDetailSerializer)
class InquiryDetailApi(_DetailApi):
    """An inquiry with its lines, every quotation version (lines with the reference
    price, tiers, the variant a free-text line is mapped to; the dealer's counter-offers),
    its timeline and the actions you may take now."""

    permission = STAFF_PERMISSION


@extend_schema(tags=[TAG])
class InquiryDiffApi(_DiffApi):
    """What changed, line by line, between two versions of the quotation."""

    permission = STAFF_PERMISSION


@extend_schema(tags=[TAG])
class InquiryAssignApi(_InquiryApi):
    """Assign the inquiry to a staff member who quotes for its customer (null: nobody);
    a new inquiry is then in progress. Once assigned, only the assignee and those who
    work with every customer edit it."""

    permission = STAFF_PERMISSION

    @extend_schema(request=s.InquiryAssignSerializer, responses=s.InquiryDetailSerializer)
    def post(self, request, pk):
        inquiry = self._inquiry(request, pk)
        v = _input(s.InquiryAssignSerializer, request)
        inquiry = services.inquiry_assign(actor=request.user, inquiry=inquiry,
                                          assignee=selectors.assignee_get(pk=v["assigned_to"]))
        return self._detail(request, inquiry)


@extend_schema(tags=[TAG])
class InquiryQuoteApi(_InquiryApi):
    """Send a quotation version: every inquiry line priced (optional quantity tiers; a
    free-text line mapped to a variant) or declined, with a validity date, shipping fee,
    payment terms and a note. The first version, or a new one after a counter-offer or
    expiry; sent versions never change."""

    permission = STAFF_PERMISSION

    @extend_schema(request=s.QuotationSendSerializer, responses={201: s.InquiryDetailSerializer})
    def post(self, request, pk):
        inquiry = self._inquiry(request, pk)
        v = _input(s.QuotationSendSerializer, request)
        services.quotation_send(
            actor=request.user, inquiry=inquiry, lines=[dict(line) for line in v["lines"]],
            valid_until=v["valid_until"], shipping_fee=v["shipping_fee"],
            payment_terms=v["payment_terms"], note=v["note"])
        return self._detail(request, inquiry, code=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class InquiryAcceptApi(_AcceptApi):
    """Accept the current quotation on the dealer's behalf: the order is placed at exactly
    the quoted prices (the tier for each quantity) with the quoted shipping fee, credit
    check included. Refused once the quotation has expired or while a free-text line is
    neither mapped nor declined."""

    permission = STAFF_PERMISSION


# --- dealers ---------------------------------------------------------------------------


@extend_schema(tags=[DEALER_TAG])
class DealerInquiryListApi(ListAPIView):
    """GET: your company's inquiries, newest first, with their status as you see it.
    POST: ask for a quotation: catalog lines (variant, unit, quantity) and/or free-text
    lines (description, quantity, unit, target price), a wanted delivery date, a note."""

    permission = ANY_DEALER
    serializer_class = s.DealerInquiryListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.inquiry_list(actor=self.request.user,
                                      filters=_filters(self.request, ("status",)))

    @query_parameters(DEALER_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.InquiryCreateSerializer,
                   responses={201: s.DealerInquiryDetailSerializer})
    def post(self, request):
        v = _input(s.InquiryCreateSerializer, request)
        inquiry = services.inquiry_create(actor=request.user,
                                          lines=[dict(line) for line in v["lines"]],
                                          delivery_date=v.get("delivery_date"), note=v["note"])
        return _detail_response(request, inquiry, dealer=True, code=status.HTTP_201_CREATED)


@extend_schema(tags=[DEALER_TAG])
class DealerCartInquiryApi(_InquiryApi):
    """Ask for a quotation on what is in your cart (the cart is kept)."""

    permission = ANY_DEALER
    dealer = True

    @extend_schema(request=s.InquiryDetailsSerializer,
                   responses={201: s.DealerInquiryDetailSerializer})
    def post(self, request):
        v = _input(s.InquiryDetailsSerializer, request)
        inquiry = services.cart_inquire(actor=request.user, delivery_date=v.get("delivery_date"),
                                        note=v["note"])
        return self._detail(request, inquiry, code=status.HTTP_201_CREATED)


@extend_schema(tags=[DEALER_TAG], responses=s.DealerInquiryDetailSerializer)
class DealerInquiryDetailApi(_DetailApi):
    """Your inquiry with its lines, every quotation version, your counter-offers, its
    timeline and what you may do now."""

    permission = ANY_DEALER
    dealer = True


@extend_schema(tags=[DEALER_TAG])
class DealerInquiryDiffApi(_DiffApi):
    """What changed, line by line, between two versions of the quotation."""

    permission = ANY_DEALER
    dealer = True


@extend_schema(tags=[DEALER_TAG])
class DealerInquiryCounterApi(_InquiryApi):
    """Counter the current quotation: per line a wanted price and/or quantity and a
    comment. The supplier answers with a new version."""

    permission = ANY_DEALER
    dealer = True

    @extend_schema(request=s.CounterInputSerializer, responses=s.DealerInquiryDetailSerializer)
    def post(self, request, pk):
        inquiry = self._inquiry(request, pk)
        v = _input(s.CounterInputSerializer, request)
        inquiry = services.quotation_counter(actor=request.user, inquiry=inquiry,
                                             counters=[dict(c) for c in v["counters"]])
        return self._detail(request, inquiry)


class _DealerCloseApi(_InquiryApi):
    permission = ANY_DEALER
    dealer = True
    service = None  # the service that closes the inquiry

    @extend_schema(request=s.InquiryReasonSerializer, responses=s.DealerInquiryDetailSerializer,
                   tags=[DEALER_TAG])
    def post(self, request, pk):
        inquiry = self._inquiry(request, pk)
        v = _input(s.InquiryReasonSerializer, request)
        inquiry = self.service(actor=request.user, inquiry=inquiry, reason=v["reason"])
        return self._detail(request, inquiry)


class DealerInquiryDeclineApi(_DealerCloseApi):
    """Decline the quotation, with a reason: the inquiry is closed."""

    service = staticmethod(services.quotation_decline)


class DealerInquiryWithdrawApi(_DealerCloseApi):
    """Withdraw your inquiry while it is open, with a reason."""

    service = staticmethod(services.inquiry_withdraw)


@extend_schema(tags=[DEALER_TAG])
class DealerInquiryAcceptApi(_AcceptApi):
    """Accept the current quotation: the order is placed at exactly the quoted prices
    (the tier for each quantity you choose on a line with tiers; a line without tiers at
    its quoted quantity) with the quoted shipping fee. Refused once
    the quotation has expired (ask for a new one) or while a free-text line is neither
    mapped nor declined."""

    permission = ANY_DEALER
    dealer = True
