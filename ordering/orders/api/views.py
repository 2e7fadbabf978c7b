"""Orders over the API: the staff order desk (list, detail, workflow actions, amendments,
shipments, orders on a dealer's behalf) and the dealer's cart, checkout and orders.

Thin: each view declares its permission (``roles.api.permissions.HasPermission``);
reads go through the scoped selectors (another company's or another tenant's order id
reads as 404); writes go through the services and the workflow, whose errors become
``{"error": {"code", "message", "fields"}}``. Creating an order takes an
``Idempotency-Key`` header: the same key again returns the first order (200), the same
key with a different body is refused (422).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import query_parameters
from ordering.orders.exceptions import OrderPermissionError
from ordering.customers.selectors import customer_get
from ordering.customers.services.guards import login_of
from ordering.orders import selectors, workflow
from ordering.orders.api import serializers as s
from ordering.orders.enums import OrderStatus, ReturnStatus
from ordering.orders.models import Carrier, ShippingMethod
from ordering.orders.services import amendments, cart, checkout, messages, returns, shipments
from roles.permissions import ANY_DEALER, SIGNED_IN

TAG, DEALER_TAG = "orders", "dealer orders"
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="Send a fresh value per order: a retry with the same value returns the first "
                "order; the same value with a different body is refused with 422.")


def _staff_order(request, pk):
    order = selectors.order_get(actor=request.user, pk=pk)
    if order is None:
        raise Http404
    return order


def _dealer_login(request):
    login = login_of(request.user)
    if login is None:
        raise OrderPermissionError("Sign in with your company's ordering login.")
    return login


def _dealer_order(request, pk):
    order = selectors.dealer_order_get(login=_dealer_login(request), pk=pk)
    if order is None:
        raise Http404
    return order


def _detail(request, order, *, dealer=False, code=status.HTTP_200_OK):
    fresh = (selectors.dealer_order_get(login=_dealer_login(request), pk=order.pk) if dealer
             else selectors.order_get(actor=request.user, pk=order.pk))
    if fresh is None:  # a staff member who placed an order outside their own scope
        fresh = order
    return Response(s.OrderDetailSerializer(fresh, context={"request": request}).data,
                    status=code)


def _key(request):
    return checkout.normal_key(request.headers.get("Idempotency-Key", ""))


def _lines(validated):
    return [{"variant": line["variant"], "unit": line.get("unit"), "quantity": line["quantity"]}
            for line in validated]


def _details(data):
    return {"address_id": data["address"], "payment_method": data["payment_method"],
            "shipping_method_id": data.get("shipping_method"),
            "delivery_date": data.get("delivery_date"), "remark": data.get("remark", ""),
            "use_rebate": data.get("use_rebate", False)}


LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Order number, customer name or exact SKU code."),
    OpenApiParameter("status", str, enum=OrderStatus.values + ["open"]),
    OpenApiParameter("customer", int), OpenApiParameter("sales_rep", str),
    OpenApiParameter("since", str, description="YYYY-MM-DD"),
    OpenApiParameter("until", str, description="YYYY-MM-DD (inclusive)"),
    OpenApiParameter("min_total", str), OpenApiParameter("max_total", str),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), default="new"),
]


# --- staff -----------------------------------------------------------------------------


@extend_schema(tags=[TAG])
class OrderListApi(ListAPIView):
    """GET: the orders you may see (sales reps and regional managers: their customers'),
    filtered and sorted. POST: place an order on a customer's behalf (代下单)."""

    permissions = {"GET": "view_orders", "POST": "place_orders"}
    serializer_class = s.OrderListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.order_list(
            actor=self.request.user, q=g.get("q", ""), status=g.get("status", ""),
            customer=g.get("customer"), sales_rep=g.get("sales_rep"), since=g.get("since"),
            until=g.get("until"), min_total=g.get("min_total"), max_total=g.get("max_total"),
            sort=g.get("sort") or "new")

    @query_parameters(LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.OrderCreateSerializer, parameters=[IDEMPOTENCY],
                   responses={201: s.OrderDetailSerializer, 200: s.OrderDetailSerializer})
    def post(self, request):
        data = s.OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_get(actor=request.user, pk=data.validated_data.get("customer"))
        if customer is None:
            raise Http404
        order, created = checkout.order_place(
            actor=request.user, customer=customer, lines=_lines(data.validated_data["lines"]),
            idempotency_key=_key(request), **_details(data.validated_data))
        return _detail(request, order,
                       code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=[TAG])
class OrderDetailApi(APIView):
    """An order with its lines, timeline, shipments, the workflow steps this supplier
    runs and the actions you may take now."""

    permission = "view_orders"

    @extend_schema(responses=s.OrderDetailSerializer)
    def get(self, request, pk):
        return _detail(request, _staff_order(request, pk))


class _ActionApi(APIView):
    """POST a workflow action (the workflow checks the step's own permission)."""

    permission = "view_orders"
    action = None

    @extend_schema(request=s.ReasonSerializer, responses=s.OrderDetailSerializer, tags=[TAG])
    def post(self, request, pk):
        order = _staff_order(request, pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = workflow.transition(order=order, action=self.action, actor=request.user,
                                    reason=data.validated_data.get("reason", ""))
        return _detail(request, order)


class OrderApproveApi(_ActionApi):
    """Approve the step the order waits at (order review: review_orders; finance review:
    finance_review; outbound review: outbound_review)."""

    action = workflow.APPROVE


class OrderRejectApi(_ActionApi):
    """Reject at a review step, with a reason (reserved stock is released)."""

    action = workflow.REJECT


class OrderCancelApi(_ActionApi):
    """Cancel before anything has shipped, with a reason (``cancel_orders``)."""

    action = workflow.CANCEL


class OrderReceiveApi(_ActionApi):
    """Confirm receipt on the dealer's behalf (``ship_orders``)."""

    action = workflow.RECEIVE


@extend_schema(tags=[TAG])
class OrderAmendApi(APIView):
    """Change an order during order review: quantities, prices (with a reason), lines
    removed or added, the shipping fee. A higher total waits for the dealer."""

    permission = "amend_orders"

    @extend_schema(request=s.AmendSerializer, responses=s.OrderDetailSerializer)
    def post(self, request, pk):
        order = _staff_order(request, pk)
        data = s.AmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        changes = {str(c["line"]): {k: c[k] for k in ("quantity", "unit_price", "price_reason")
                                    if k in c} for c in v.get("changes", [])}
        order = amendments.order_amend(actor=request.user, order=order, changes=changes,
                                       remove=v.get("remove", []), add=_lines(v.get("add", [])),
                                       shipping_fee=v.get("shipping_fee"),
                                       reason=v.get("reason", ""))
        return _detail(request, order)


@extend_schema(tags=[TAG])
class OrderShipmentApi(APIView):
    """Ship some or all of what is left (``ship_orders``); the last shipment moves the
    order on to receipt confirmation."""

    permission = "ship_orders"

    @extend_schema(request=s.ShipmentInputSerializer, responses={201: s.OrderDetailSerializer})
    def post(self, request, pk):
        order = _staff_order(request, pk)
        data = s.ShipmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        shipments.shipment_create(actor=request.user, order=order, quantities=v["quantities"],
                                  carrier_id=v.get("carrier"),
                                  tracking_number=v.get("tracking_number", ""),
                                  shipped_on=v.get("shipped_on"), note=v.get("note", ""))
        return _detail(request, order, code=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class ShippingMethodListApi(APIView):
    """The supplier's active shipping methods and their fees."""

    permission = SIGNED_IN

    @extend_schema(responses=s.ShippingMethodSerializer(many=True))
    def get(self, request):
        return Response(s.ShippingMethodSerializer(
            ShippingMethod.objects.filter(is_active=True), many=True).data)


@extend_schema(tags=[TAG])
class CarrierListApi(APIView):
    """The supplier's active carriers."""

    permission = "view_orders"

    @extend_schema(responses=s.CarrierSerializer(many=True))
    def get(self, request):
        return Response(s.CarrierSerializer(Carrier.objects.filter(is_active=True),
                                            many=True).data)


# --- dealers ---------------------------------------------------------------------------


def _cart(request, code=status.HTTP_200_OK):
    return Response(s.CartSerializer(selectors.cart_view(login=_dealer_login(request))).data,
                    status=code)


@extend_schema(tags=[DEALER_TAG])
class CartApi(APIView):
    """GET the cart priced for your company; POST lines to add (merged with the same
    variant and unit); DELETE to empty it."""

    permission = ANY_DEALER

    @extend_schema(responses=s.CartSerializer)
    def get(self, request):
        return _cart(request)

    @extend_schema(request=s.CartAddSerializer, responses={201: s.CartSerializer})
    def post(self, request):
        data = s.CartAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart.cart_add(login=_dealer_login(request), lines=_lines(data.validated_data["lines"]))
        return _cart(request, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.CartSerializer})
    def delete(self, request):
        cart.cart_clear(login=_dealer_login(request))
        return _cart(request)


@extend_schema(tags=[DEALER_TAG])
class CartLineApi(APIView):
    """PATCH a cart line's quantity (and unit); DELETE it."""

    permission = ANY_DEALER

    @extend_schema(request=s.CartLineUpdateSerializer, responses=s.CartSerializer)
    def patch(self, request, pk):
        data = s.CartLineUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = data.validated_data["unit"] if "unit" in data.validated_data else ""
        cart.cart_update(login=_dealer_login(request), line_id=pk,
                         quantity=data.validated_data["quantity"],
                         unit="base" if unit is None else unit)
        return _cart(request)

    @extend_schema(responses={200: s.CartSerializer})
    def delete(self, request, pk):
        cart.cart_remove(login=_dealer_login(request), line_id=pk)
        return _cart(request)


@extend_schema(tags=[DEALER_TAG])
class QuickOrderApi(APIView):
    """Paste lines of “SKU code, quantity[, unit]”: good lines go into the cart, the
    others come back in ``errors`` by row."""

    permission = ANY_DEALER

    @extend_schema(request=s.QuickOrderSerializer, responses=s.QuickOrderResultSerializer)
    def post(self, request):
        data = s.QuickOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added, errors = cart.quick_order(login=_dealer_login(request),
                                         text=data.validated_data["text"])
        body = s.CartSerializer(selectors.cart_view(login=_dealer_login(request))).data
        body.update({"added": added, "errors": [{"row": row, "message": str(message)}
                                                for row, message in errors]})
        return Response(body)


@extend_schema(tags=[DEALER_TAG])
class CheckoutApi(APIView):
    """Order what is in your cart (the cart is emptied)."""

    permission = ANY_DEALER

    @extend_schema(request=s.OrderDetailsSerializer, parameters=[IDEMPOTENCY],
                   responses={201: s.OrderDetailSerializer, 200: s.OrderDetailSerializer})
    def post(self, request):
        data = s.OrderDetailsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order, created = checkout.cart_checkout(actor=request.user, idempotency_key=_key(request),
                                                **_details(data.validated_data))
        return _detail(request, order, dealer=True,
                       code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=[DEALER_TAG])
class DealerOrderListApi(ListAPIView):
    """Your company's orders."""

    permission = ANY_DEALER
    serializer_class = s.OrderListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.dealer_order_list(login=_dealer_login(self.request), q=g.get("q", ""),
                                           status=g.get("status", ""), since=g.get("since"),
                                           until=g.get("until")).select_related("customer")

    @query_parameters(LIST_PARAMETERS[:2] + LIST_PARAMETERS[4:6])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=[DEALER_TAG])
class DealerOrderDetailApi(APIView):
    permission = ANY_DEALER

    @extend_schema(responses=s.OrderDetailSerializer)
    def get(self, request, pk):
        return _detail(request, _dealer_order(request, pk), dealer=True)


class _DealerActionApi(APIView):
    permission = ANY_DEALER
    action = None

    @extend_schema(request=s.ReasonSerializer, responses=s.OrderDetailSerializer,
                   tags=[DEALER_TAG])
    def post(self, request, pk):
        order = _dealer_order(request, pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if self.action == "accept":
            order = amendments.amendment_accept(actor=request.user, order=order)
        else:
            order = workflow.transition(order=order, action=self.action, actor=request.user,
                                        reason=data.validated_data.get("reason", ""))
        return _detail(request, order, dealer=True)


class DealerOrderCancelApi(_DealerActionApi):
    """Cancel while the supplier has approved nothing, with a reason."""

    action = workflow.CANCEL


class DealerOrderReceiveApi(_DealerActionApi):
    """Confirm that the goods arrived."""

    action = workflow.RECEIVE


class DealerOrderAcceptApi(_DealerActionApi):
    """Accept the supplier's changes to the order (its total rose)."""

    action = "accept"


# --- returns ---------------------------------------------------------------------------


def _staff_return(request, pk):
    found = selectors.return_get(actor=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _return_body(request, found, *, dealer=False, code=status.HTTP_200_OK):
    fresh = (selectors.dealer_return_get(login=_dealer_login(request), pk=found.pk) if dealer
             else selectors.return_get(actor=request.user, pk=found.pk))
    return Response(s.ReturnSerializer(fresh or found).data, status=code)


@extend_schema(tags=[TAG])
class ReturnListApi(ListAPIView):
    """Returns of the customers you may see (``manage_returns``)."""

    permission = "manage_returns"
    serializer_class = s.ReturnSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.return_list(actor=self.request.user,
                                     status=self.request.query_params.get("status", ""))

    @query_parameters([OpenApiParameter("status", str, enum=ReturnStatus.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=[TAG])
class ReturnDetailApi(APIView):
    permission = "manage_returns"

    @extend_schema(responses=s.ReturnSerializer)
    def get(self, request, pk):
        return _return_body(request, _staff_return(request, pk))


class _ReturnActionApi(APIView):
    """POST a step of a return: ``input`` parses the body, each step's ``act(request,
    return, data)`` calls its service."""

    permission = "manage_returns"
    input = s.ReasonSerializer

    def post(self, request, pk):
        found = _staff_return(request, pk)
        data = self.input(data=request.data)
        data.is_valid(raise_exception=True)
        return _return_body(request, self.act(request, found, data.validated_data))


@extend_schema(tags=[TAG], request=s.ReasonSerializer, responses=s.ReturnSerializer)
class ReturnApproveApi(_ReturnActionApi):
    def act(self, request, found, data):
        return returns.return_approve(actor=request.user, request=found,
                                      note=data.get("reason", ""))


@extend_schema(tags=[TAG], request=s.ReasonSerializer, responses=s.ReturnSerializer)
class ReturnRejectApi(_ReturnActionApi):
    def act(self, request, found, data):
        return returns.return_reject(actor=request.user, request=found,
                                     reason=data.get("reason", ""))


@extend_schema(tags=[TAG], request=s.ReturnReceiveSerializer, responses=s.ReturnSerializer)
class ReturnReceiveApi(_ReturnActionApi):
    """The goods arrived: per return line the quantity and its condition (resaleable
    goods go back into stock)."""

    input = s.ReturnReceiveSerializer

    def act(self, request, found, data):
        received = {line["line"]: (line["quantity"], line["condition"]) for line in data["lines"]}
        return returns.return_receive(actor=request.user, request=found, received=received)


@extend_schema(tags=[TAG], request=s.ReturnRefundSerializer, responses=s.ReturnSerializer)
class ReturnRefundApi(_ReturnActionApi):
    """Record the refund (default: the received goods at the prices ordered)."""

    input = s.ReturnRefundSerializer

    def act(self, request, found, data):
        return returns.return_refund(actor=request.user, request=found,
                                     amount=data.get("amount"), method=data["method"],
                                     reference=data.get("reference", ""))


@extend_schema(tags=[DEALER_TAG])
class DealerReturnListApi(ListAPIView):
    """Your company's returns."""

    permission = ANY_DEALER
    serializer_class = s.ReturnSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.dealer_return_list(login=_dealer_login(self.request))


@extend_schema(tags=[DEALER_TAG])
class DealerReturnRequestApi(APIView):
    """Ask to return goods of a shipped order (at most what was shipped less what other
    returns already claim)."""

    permission = ANY_DEALER

    @extend_schema(request=s.ReturnRequestSerializer, responses={201: s.ReturnSerializer})
    def post(self, request, pk):
        order = _dealer_order(request, pk)
        data = s.ReturnRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = returns.return_request(actor=request.user, order=order,
                                       quantities=data.validated_data["quantities"],
                                       reason=data.validated_data["reason"])
        return _return_body(request, found, dealer=True, code=status.HTTP_201_CREATED)


# --- the message thread of an order ------------------------------------------------------


class _ThreadApi(APIView):
    dealer = False

    def _order(self, request, pk):
        return _dealer_order(request, pk) if self.dealer else _staff_order(request, pk)

    @extend_schema(responses=s.MessageSerializer(many=True))
    def get(self, request, pk):
        found = messages.thread_open(actor=request.user, order=self._order(request, pk))
        return Response(s.MessageSerializer(found, many=True).data)

    @extend_schema(request=s.MessageInputSerializer, responses={201: s.MessageSerializer})
    def post(self, request, pk):
        data = s.MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = messages.message_post(actor=request.user, order=self._order(request, pk),
                                        body=data.validated_data["body"])
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class OrderThreadApi(_ThreadApi):
    """The order's messages with the dealer (reading marks them read)."""

    permission = "view_orders"


@extend_schema(tags=[DEALER_TAG])
class DealerOrderThreadApi(_ThreadApi):
    """Your messages with the supplier about this order."""

    permission = ANY_DEALER
    dealer = True
