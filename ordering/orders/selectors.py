"""Reads of orders for pages and the API: staff (scoped by role) and dealers (their own
company's). Each is a constant number of queries however many rows.

The lists take their page before they count anything: an order's line count is a
correlated subquery in the select list, which PostgreSQL evaluates for the rows the
``LIMIT`` lets through (50), not for the whole order history; a filter on a line (the
SKU search) is a semi-join, not a join with ``DISTINCT``. The paginator's ``COUNT(*)``
runs over the filtered orders alone (Django drops the unused annotations from it)."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone as dt_timezone
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import (Count, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery,
                              Value)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date

from billing.selectors import online_payments_ready
from core.text import whole_number as _int
from ordering.orders import workflow
from ordering.orders.enums import OrderStatus, PaymentMethod
from ordering.orders.models import (CartLine, Carrier, Order, OrderEvent, OrderLine, OrderMessage,
                                    OrderThreadRead, PaymentOption, Shipment, ShipmentLine,
                                    ShippingMethod)
from ordering.orders.services import lines as line_service
from roles.permissions import scope

SORTS = {"new": ("-created_at", "-id"), "old": ("created_at", "id"),
         "total": ("-total", "-id"), "number": ("-number",)}


def _amount(value):
    """A finite amount under 10¹² from a filter parameter, else None (no filter)."""
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        return None
    return amount


def _day(value, end=False):
    try:
        day = parse_date(str(value or "")) if value else None
    except ValueError:  # well formed but impossible, e.g. 2026-02-31: no filter
        day = None
    if day is None:
        return None
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return moment + timedelta(days=1) if end else moment


def _filters(qs, *, q="", status="", since=None, until=None):
    q = (q or "").strip()
    if q:
        # semi-joins on the order's own row: no join filter across tables, no DISTINCT
        from ordering.customers.models import Customer

        qs = qs.filter(Q(number__icontains=q)
                       | Q(customer_id__in=Customer.objects.filter(name__icontains=q)
                           .values("pk"))
                       | Q(pk__in=OrderLine.objects.filter(sku_code__iexact=q)
                           .values("order_id")))
    if status == "open":
        qs = qs.filter(status__in=workflow.OPEN_STATUSES)
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    if _day(since):
        qs = qs.filter(created_at__gte=_day(since))
    if _day(until):
        qs = qs.filter(created_at__lt=_day(until, end=True))
    return qs


def line_count():
    """The order's number of lines, counted in a correlated subquery (no GROUP BY over the
    orders: it runs once per row of the page)."""
    return Subquery(OrderLine.objects.filter(order=OuterRef("pk")).order_by()
                    .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
                    .values("n"), output_field=IntegerField())


def order_list(*, actor, q="", status="", customer=None, sales_rep=None, since=None, until=None,
               min_total=None, max_total=None, sort="new"):
    qs = scope(actor, Order.objects.all()).select_related("customer", "customer__sales_rep",
                                                          "placed_by")
    qs = _filters(qs, q=q, status=status, since=since, until=until)
    if _int(customer):
        qs = qs.filter(customer_id=_int(customer))
    if sales_rep == "none":
        qs = qs.filter(customer__sales_rep__isnull=True)
    elif _int(sales_rep):
        qs = qs.filter(customer__sales_rep_id=_int(sales_rep))
    for bound, lookup in ((min_total, "total__gte"), (max_total, "total__lte")):
        amount = _amount(bound)
        if amount is not None:
            qs = qs.filter(**{lookup: amount})
    return qs.annotate(line_count=line_count()).order_by(*SORTS.get(sort, SORTS["new"]))


def dealer_order_list(*, login, q="", status="", since=None, until=None):
    qs = Order.objects.filter(customer_id=login.customer_id)
    qs = _filters(qs, q=q, status=status, since=since, until=until)
    return qs.annotate(line_count=line_count()).order_by("-created_at", "-id")


def _detail(qs):
    return qs.select_related("customer", "customer__level", "customer__sales_rep", "placed_by",
                             "login__user", "quotation__inquiry").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor")
                 .order_by("created_at", "id")),
        Prefetch("shipments", queryset=Shipment.objects.select_related("carrier")
                 .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects
                                            .select_related("order_line")))))


def order_get(*, actor, pk):
    """An order the staff member may see, with lines, timeline and shipments, or None."""
    if _int(pk) is None:
        return None
    return _detail(scope(actor, Order.objects.filter(pk=_int(pk)))).first()


def dealer_order_get(*, login, pk):
    if _int(pk) is None or login is None:
        return None
    return _detail(Order.objects.filter(pk=_int(pk), customer_id=login.customer_id)).first()


def status_counts(*, actor):
    """{status: count} of the orders the staff member sees (for tabs)."""
    rows = scope(actor, Order.objects.all()).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def count_from_status_counts(counts, *, status=""):
    """The length of ``order_list`` filtered by ``status`` alone, from ``status_counts``
    (the list need not count its orders a second time)."""
    if status == "open":
        return sum(n for value, n in counts.items() if value in workflow.OPEN_STATUSES)
    if status in OrderStatus.values:
        return counts.get(status, 0)
    return sum(counts.values())


# --- returns -----------------------------------------------------------------------------


def _returns(qs):
    from ordering.orders.models import ReturnEvent, ReturnLine

    return qs.select_related("order", "customer", "requested_by").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line")),
        Prefetch("events", queryset=ReturnEvent.objects.select_related("actor")), "photos")


def return_list(*, actor, status=""):
    from ordering.orders.enums import ReturnStatus
    from ordering.orders.models import ReturnRequest

    qs = scope(actor, ReturnRequest.objects.all())
    if status in ReturnStatus.values:
        qs = qs.filter(status=status)
    return _returns(qs)


def return_get(*, actor, pk):
    from ordering.orders.models import ReturnRequest

    if _int(pk) is None:
        return None
    return _returns(scope(actor, ReturnRequest.objects.filter(pk=_int(pk)))).first()


def dealer_return_list(*, login):
    from ordering.orders.models import ReturnRequest

    return _returns(ReturnRequest.objects.filter(customer_id=login.customer_id))


def dealer_return_get(*, login, pk):
    from ordering.orders.models import ReturnRequest

    if _int(pk) is None or login is None:
        return None
    return _returns(ReturnRequest.objects.filter(pk=_int(pk), customer_id=login.customer_id)
                    ).first()


def available_payment_methods():
    """The payment methods this tenant can offer at all: every one, but online payment
    only when the platform has its Stripe keys and the tenant's own Stripe account
    accepts payments (no query without keys)."""
    methods = list(PaymentMethod.values)
    if not online_payments_ready(getattr(connection, "tenant", None)):
        methods.remove(PaymentMethod.ONLINE)
    return methods


def offered_payment_methods():
    """The payment methods dealers may choose at checkout, in order (one query, and one
    more for online payment when the platform has Stripe keys). Until the supplier has
    chosen (no rows), every available method is offered; a method added since (no row
    of its own) is offered too."""
    rows = list(PaymentOption.objects.order_by("position", "id").values_list("method",
                                                                             "is_active"))
    available = available_payment_methods()
    if not rows:
        return available
    chosen = {method for method, _active in rows}
    offered = [method for method, active in rows if active and method in available]
    return offered + [method for method in available if method not in chosen]


def shipping_methods(*, active_only=False):
    """The tenant's shipping methods in list order (checkout offers the active ones;
    the first is preselected)."""
    qs = ShippingMethod.objects.order_by("position", "id")
    return list(qs.filter(is_active=True) if active_only else qs)


def shipping_method_get(*, pk):
    return ShippingMethod.objects.filter(pk=pk).first()


def carriers(*, active_only=False):
    """The tenant's carriers in list order."""
    qs = Carrier.objects.order_by("position", "id")
    return list(qs.filter(is_active=True) if active_only else qs)


def carrier_get(*, pk):
    return Carrier.objects.filter(pk=pk).first()


# --- the cart ------------------------------------------------------------------------


@dataclass
class CartView:
    lines: list  # [lines.Line] with key = CartLine id
    unavailable: list = field(default_factory=list)  # [(CartLine id, message)]

    @property
    def subtotal(self):
        return line_service.total(self.lines)

    @property
    def count(self):
        return len(self.lines) + len(self.unavailable)

    @property
    def problems(self):
        return [line for line in self.lines if line.problem]

    @property
    def ok(self):
        return bool(self.lines) and not self.problems and not self.unavailable


def cart_view(*, login):
    """The cart priced for the login's company (constant queries for any size)."""
    rows = list(CartLine.objects.filter(login=login).values("pk", "variant_id", "unit_id",
                                                            "quantity"))
    raw = [{"variant": r["variant_id"], "unit": r["unit_id"], "quantity": r["quantity"],
            "key": r["pk"]} for r in rows]
    lines, unknown = line_service.resolve(login.customer, raw)
    order = {r["pk"]: i for i, r in enumerate(rows)}
    lines.sort(key=lambda line: order.get(line.key, 0))
    return CartView(lines=lines, unavailable=unknown)


def cart_count(*, login):
    return CartLine.objects.filter(login=login).count() if login else 0


# --- order messages ---------------------------------------------------------------

NEVER = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)  # read before any message


def order_thread(*, actor, order):
    """The order's messages, oldest first, with the authors, each annotated with when
    ``actor`` last read the thread (``seen``; None: never). Who may read it is the
    caller's to check (``services.messages.thread_open``)."""
    return list(OrderMessage.objects.filter(order=order).select_related("author")
                .annotate(seen=Subquery(OrderThreadRead.objects.filter(
                    order=order, user=actor).values("read_at")[:1])))


def with_unread(queryset, user, *, dealer):
    """Annotate orders with ``unread_messages``: the other side's messages after the
    user last read the thread (all of them when never read). A correlated subquery per
    order, no join and no GROUP BY: on a paged list it runs for the page's orders only."""
    read_at = Coalesce(Subquery(OrderThreadRead.objects.filter(
        order=OuterRef("order_id"), user=user).values("read_at")[:1]), Value(NEVER))
    unread = (OrderMessage.objects.filter(order=OuterRef("pk"), from_dealer=not dealer)
              .filter(created_at__gt=read_at).order_by()
              .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
              .values("n"))
    return queryset.annotate(unread_messages=Subquery(unread, output_field=IntegerField()))
