"""The order lists take their page before they count anything (issue 10, item 19).

A supplier with 126,000 orders waited 3.4 s for the staff order list: the line count and
the unread-message count were a ``GROUP BY`` over every order before the ``LIMIT 50``,
and the paginator counted the pages through the same joins. Here, on more orders than a
page holds, for the staff page, the staff API, the dealer's page and the dealer's API:

- the page query has no ``GROUP BY`` and no ``DISTINCT``, and its plan aggregates
  nothing below the ``LIMIT``: the counts are subplans run once per row of the page;
- the paginator's count is a plain ``COUNT`` over the filtered orders: no join to the
  lines, the messages or the read marks, no sub-select of grouped rows;
- the counts shown are right (lines, unread messages for each side), a SKU search
  lists an order once however many of its lines match, and the number of queries
  stays within the list budget.
"""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ordering.orders import selectors
from ordering.orders.models import Order, OrderLine, OrderMessage
from ordering.orders.services import messages as order_messages
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import place

EXTRA = 64  # more orders than any list's page (50 for staff and the API, 20 for the shop)
LINE_TABLES = ("orders_orderline", "orders_ordermessage", "orders_orderthreadread")


@pytest.fixture
def many(shop):
    """``EXTRA`` + 1 orders of the shop's customer: each with one to three lines, every
    third with a message from the dealer, every fourth with one from staff."""
    base = place(shop, lines=[{"variant": shop.juice.pk, "quantity": 1}])
    template_line = base.lines.get()
    copies = []
    for n in range(EXTRA):
        copy = Order.objects.get(pk=base.pk)
        copy.pk = None
        copy.number = f"T{n:05d}"
        copy.idempotency_key = None
        copy.created_at = base.created_at - timedelta(minutes=n + 1)
        copies.append(copy)
    orders = Order.objects.bulk_create(copies)
    lines, notes = [], []
    for n, order in enumerate(orders):
        for position in range(1 + n % 3):
            line = OrderLine.objects.get(pk=template_line.pk)
            line.pk, line.order, line.position = None, order, position
            lines.append(line)
        if n % 3 == 0:
            notes.append(OrderMessage(order=order, author=shop.dana.user, from_dealer=True,
                                      body="When?"))
        if n % 4 == 0:
            notes.append(OrderMessage(order=order, author=shop.staff.admin, from_dealer=False,
                                      body="Tomorrow."))
    OrderLine.objects.bulk_create(lines)
    OrderMessage.objects.bulk_create(notes)
    return [base, *orders]


def _client(acme, login_as, user):
    return login_as(TenantClient(host_of(acme)), acme, user)


def _order_queries(captured):
    return [q["sql"] for q in captured.captured_queries
            if re.search(r'FROM "orders_order"', q["sql"])]


def _plan_nodes(node, in_subplan=False):
    """(node, inside a subplan?) for the node and everything under it."""
    yield node, in_subplan
    for child in node.get("Plans", []):
        yield from _plan_nodes(child, in_subplan or child.get("Parent Relationship") in (
            "SubPlan", "InitPlan"))


def _assert_page_first(sql, page_size):
    assert "GROUP BY" not in sql.upper(), sql
    assert "DISTINCT" not in sql.upper(), sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert plan["Node Type"] == "Limit", plan
    for node, in_subplan in _plan_nodes(plan):
        if in_subplan:  # a line or message count: once per row of the page, no more
            assert node["Actual Loops"] <= page_size, node
        else:  # the orders themselves: nothing aggregated or de-duplicated before the page
            assert node["Node Type"] not in ("Aggregate", "Unique", "SetOp"), node


def _assert_plain_count(queries, *, required=True):
    counts = [sql for sql in queries if sql.upper().startswith("SELECT COUNT(")]
    assert counts or not required, queries
    for sql in counts:  # a SKU search filters through a semi-join (IN), never a join
        assert not any(f'JOIN "{table}"' in sql for table in LINE_TABLES), sql
        assert "GROUP BY" not in sql.upper() and "DISTINCT" not in sql.upper(), sql
        assert not sql.upper().startswith("SELECT COUNT(*) FROM (SELECT"), sql


@pytest.mark.parametrize("surface, path, page_size", [
    ("staff", "/dashboard/orders/", 50),
    ("staff", "/api/v1/orders/", 50),
    ("dealer", "/shop/orders/", 20),
    ("dealer", "/api/v1/my/orders/", 50),
])
def test_the_order_list_takes_its_page_before_counting(shop, many, acme, login_as, surface,
                                                       path, page_size):
    user = shop.staff.admin if surface == "staff" else shop.dana.user
    client = _client(acme, login_as, user)
    client.get(path)  # warm: sessions, permissions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    assert len(captured) <= 10, [q["sql"] for q in captured.captured_queries]
    queries = _order_queries(captured)
    pages = [sql for sql in queries if re.search(rf"LIMIT {page_size}\b", sql)]
    assert len(pages) == 1, queries
    _assert_page_first(pages[0], page_size)
    # the staff page takes its length from the status tabs' counts when only the status
    # filters it; the others count (plainly)
    _assert_plain_count(queries, required=path != "/dashboard/orders/")
    if path == "/dashboard/orders/":
        assert response.context["page"].paginator.count == Order.objects.count() == len(many)


def test_the_staff_page_counts_its_pages_once(shop, many, acme, login_as):
    """Filtered by status alone, the page length comes from the tabs' counts (one
    GROUP BY status over the orders table, no second COUNT); with any other filter the
    list counts itself."""
    from ordering.orders.enums import OrderStatus

    client = _client(acme, login_as, shop.staff.admin)
    Order.objects.filter(pk__in=[order.pk for order in many[:5]]).update(
        status=OrderStatus.COMPLETED)
    expected = {"": len(many), "open": len(many) - 5, "completed": 5,
                OrderStatus.SHIPPING: 0, "nonsense": len(many)}
    for status, count in expected.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/dashboard/orders/?status={status}")
        assert response.context["page"].paginator.count == count, status
        assert not [sql for sql in _order_queries(captured)
                    if sql.upper().startswith("SELECT COUNT(*)")], status
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/dashboard/orders/?status=open&customer=%d" % shop.customer.pk)
    assert response.context["page"].paginator.count == len(many) - 5
    _assert_plain_count(_order_queries(captured))


def test_the_filtered_and_sorted_staff_lists_take_their_page_first(shop, many, acme, login_as):
    client = _client(acme, login_as, shop.staff.admin)
    for query in ("?sort=total", "?sort=old", "?status=open", "?q=OJ-1", "?q=Gold",
                  "?min_total=1&sort=number"):
        for path in ("/dashboard/orders/", "/api/v1/orders/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path + query).status_code == 200
            pages = [sql for sql in _order_queries(captured) if "LIMIT 50" in sql]
            assert len(pages) == 1, (path, query)
            _assert_page_first(pages[0], 50)
            _assert_plain_count(_order_queries(captured),
                                required="q=" in query or path.startswith("/api/"))


def test_the_counts_on_the_page_are_right(shop, many):
    page = list(selectors.with_unread(
        selectors.order_list(actor=shop.staff.admin), shop.staff.admin, dealer=False)[:50])
    assert len(page) == 50
    for order in page:
        assert order.line_count == order.lines.count()
        assert order.unread_messages == order.messages.filter(from_dealer=True).count()
    dealer_page = list(selectors.with_unread(
        selectors.dealer_order_list(login=shop.dana), shop.dana.user, dealer=True)[:20])
    for order in dealer_page:
        assert order.line_count == order.lines.count()
        assert order.unread_messages == order.messages.filter(from_dealer=False).count()
    # reading a thread clears its count for that user only
    read = next(order for order in page if order.unread_messages)
    order_messages.thread_open(actor=shop.staff.admin, order=read)
    again = selectors.with_unread(Order.objects.filter(pk=read.pk), shop.staff.admin,
                                       dealer=False).get()
    assert again.unread_messages == 0
    other = selectors.with_unread(Order.objects.filter(pk=read.pk), shop.staff.reviewer,
                                       dealer=False).get()
    assert other.unread_messages == read.unread_messages


def test_a_sku_search_lists_an_order_once(shop, many):
    three_lines = many[3]  # three lines of the same SKU
    assert three_lines.lines.count() == 3
    found = list(selectors.order_list(actor=shop.staff.admin, q="oj-1"))
    assert len(found) == len(many)
    assert len({order.pk for order in found}) == len(found)
    assert len(list(selectors.dealer_order_list(login=shop.dana, q="OJ-1"))) == len(many)


# --- the other lists ---------------------------------------------------------------------


@pytest.mark.parametrize("user, path", [
    ("admin", "/dashboard/customers/"), ("admin", "/dashboard/customers/?q=Gold"),
    ("admin", "/api/v1/customers/?q=13800000000"), ("sales", "/dashboard/customers/"),
    ("admin", "/dashboard/catalog/products/"), ("admin", "/api/v1/products/"),
    ("admin", "/dashboard/catalog/products/?stock=in_stock&sort=-price"),
    ("admin", "/dashboard/catalog/stock/"), ("admin", "/dashboard/returns/"),
    ("admin", "/api/v1/returns/"), ("admin", "/dashboard/audit/?since=2026-01-01&until=2099-12-31"),
    ("admin", "/api/v1/audit-log/"), ("admin", "/dashboard/audit/logins/"),
    ("admin", "/api/v1/login-log/"), ("admin", "/dashboard/notifications/"),
    ("dana", "/shop/returns/"), ("dana", "/api/v1/my/returns/"), ("dana", "/shop/notifications/"),
])
def test_every_list_pages_without_grouping_the_whole_table(shop, acme, login_as, user, path):
    """No list groups or de-duplicates the whole table before its LIMIT, and its page
    count is a plain COUNT."""
    actor = shop.dana.user if user == "dana" else getattr(shop.staff, user)
    client = _client(acme, login_as, actor)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    assert len(captured) <= 15, [q["sql"] for q in captured.captured_queries]
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    pages = [sql for sql in reads if re.search(r"LIMIT \d+$", sql)
             and not re.search(r"LIMIT [12]$", sql)]
    assert pages, reads
    for sql in pages:
        assert "GROUP BY" not in sql.upper() and "DISTINCT" not in sql.upper(), sql
    _assert_plain_count(reads)


def test_the_audit_log_filters_whole_days_in_the_site_time_zone(shop):
    """The date filter is a range on the indexed column; a day is the site's day."""
    from datetime import datetime, time

    from django.utils import timezone

    from roles.models import AuditLog
    from roles.selectors import audit_log_list

    day = datetime(2026, 3, 5).date()
    start = timezone.make_aware(datetime.combine(day, time.min))
    for label, moment in (("before", start - timedelta(seconds=1)), ("first", start),
                          ("last", start + timedelta(days=1, seconds=-1)),
                          ("after", start + timedelta(days=1))):
        AuditLog.objects.create(action="test.day", object_repr=label, created_at=moment)
    found = audit_log_list(actor=shop.staff.admin, action="test.day", since="2026-03-05",
                           until="2026-03-05")
    assert sorted(found.values_list("object_repr", flat=True)) == ["first", "last"]
    assert "::date" not in str(found.query) and "AT TIME ZONE" not in str(found.query)
