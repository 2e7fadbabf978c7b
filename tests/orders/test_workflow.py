"""The workflow: every path through every combination of switched-off steps, who may
take each action, reject and cancel (stock back exactly once), stock reserved at
submission or at outbound review, steps switched off while orders wait, and that no
code outside the workflow module assigns an order's status."""

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from ordering.catalog.models import Variant
from ordering.orders import workflow
from ordering.orders.enums import EventKind, FulfilmentStatus, OrderStatus, ReserveAt
from ordering.orders.models import Order
from ordering.orders.services.shipments import (receipt_confirm, receipt_confirm_overdue,
                                                shipment_create)
from tests.orders.conftest import place, set_workflow

S = OrderStatus
APPROVER = {S.ORDER_REVIEW: "reviewer", S.FINANCE_REVIEW: "finance",
            S.OUTBOUND_REVIEW: "warehouse"}
COMBINATIONS = [frozenset(c) for n in range(len(workflow.SKIPPABLE) + 1)
                for c in itertools.combinations(workflow.SKIPPABLE, n)]


def _reserved(shop):
    return Variant.objects.get(pk=shop.juice.pk).reserved


def _ship_all(shop, order, **values):
    lines = {line.pk: line.to_ship for line in Order.objects.get(pk=order.pk).lines.all()}
    return shipment_create(actor=shop.staff.shipper, order=order, quantities=lines,
                           carrier_id=shop.carrier.pk, tracking_number="SF1", **values)


@pytest.mark.parametrize("off", COMBINATIONS, ids=lambda c: "+".join(sorted(c)) or "all-on")
def test_an_order_walks_exactly_the_steps_that_are_on(shop, off):
    set_workflow(shop.tenant, off=off)
    order = place(shop)
    visited = [order.status]
    while order.status in APPROVER:
        order = workflow.transition(order=order, action=workflow.APPROVE,
                                    actor=getattr(shop.staff, APPROVER[order.status]))
        visited.append(order.status)
    assert order.status == S.SHIPPING
    _ship_all(shop, order)
    order = Order.objects.get(pk=order.pk)
    visited.append(order.status)
    if S.RECEIPT not in off:
        assert order.status == S.RECEIPT
        order = receipt_confirm(actor=shop.dana.user, order=order)
        visited.append(order.status)
    expected = [s.status for s in workflow.steps_on()] + [S.COMPLETED]
    assert visited == expected
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.COMPLETED and order.completed_at is not None
    skipped = list(order.events.filter(kind=EventKind.SKIPPED).values_list("step", flat=True))
    assert sorted(skipped) == sorted(off)
    juice = Variant.objects.get(pk=shop.juice.pk)
    assert (juice.on_hand, juice.reserved) == (90, 0)


@pytest.mark.parametrize("status, allowed", [
    (S.ORDER_REVIEW, {"admin", "reviewer"}),
    (S.FINANCE_REVIEW, {"admin", "finance"}),
    (S.OUTBOUND_REVIEW, {"admin", "warehouse"}),
])
@pytest.mark.parametrize("action", [workflow.APPROVE, workflow.REJECT])
def test_each_review_step_needs_its_own_permission(shop, status, allowed, action):
    order = place(shop)
    for step in (S.ORDER_REVIEW, S.FINANCE_REVIEW, S.OUTBOUND_REVIEW):
        if step == status:
            break
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    assert order.status == status
    for name in ("reviewer", "finance", "warehouse", "shipper", "sales"):
        actor = getattr(shop.staff, name)
        if name in allowed:
            continue
        with pytest.raises(PermissionDeniedError):
            workflow.transition(order=order, action=action, actor=actor, reason="no")
    with pytest.raises(PermissionDeniedError):
        workflow.transition(order=order, action=action, actor=shop.dana.user, reason="no")
    name = sorted(allowed - {"admin"})[0]
    order = workflow.transition(order=order, action=action, actor=getattr(shop.staff, name),
                                reason="checked")
    assert order.status == (S.REJECTED if action == workflow.REJECT
                            else workflow.next_status(status))


@pytest.mark.parametrize("status", [S.SHIPPING, S.RECEIPT, S.COMPLETED, S.CANCELLED,
                                    S.REJECTED])
def test_approve_and_reject_are_refused_outside_review(shop, status):
    order = place(shop)
    if status == S.CANCELLED:
        order = workflow.transition(order=order, action=workflow.CANCEL,
                                    actor=shop.dana.user, reason="oops")
    elif status == S.REJECTED:
        order = workflow.transition(order=order, action=workflow.REJECT,
                                    actor=shop.staff.reviewer, reason="no")
    else:
        for _ in range(3):
            order = workflow.transition(order=order, action=workflow.APPROVE,
                                        actor=shop.staff.admin)
        if status in (S.RECEIPT, S.COMPLETED):
            _ship_all(shop, order)
        if status == S.COMPLETED:
            receipt_confirm(actor=shop.dana.user, order=order)
    order = Order.objects.get(pk=order.pk)
    assert order.status == status
    for action in (workflow.APPROVE, workflow.REJECT):
        with pytest.raises(ConflictError):
            workflow.transition(order=order, action=action, actor=shop.staff.admin, reason="x")


def test_reject_and_cancel_need_a_reason(shop):
    order = place(shop)
    for action in (workflow.REJECT, workflow.CANCEL):
        with pytest.raises(ApplicationError) as error:
            workflow.transition(order=order, action=action, actor=shop.staff.admin, reason=" ")
        assert "reason" in error.value.fields


def test_dealer_cancels_until_the_first_approval_and_stock_comes_back_once(shop):
    order = place(shop)
    assert _reserved(shop) == 10
    workflow.transition(order=order, action=workflow.CANCEL, actor=shop.dana.user,
                        reason="ordered twice")
    assert _reserved(shop) == 0
    with pytest.raises(ConflictError):  # a retried cancel
        workflow.transition(order=order, action=workflow.CANCEL, actor=shop.dana.user,
                            reason="ordered twice")
    assert _reserved(shop) == 0
    released = order.events.filter(kind=EventKind.STOCK_RELEASED).count()
    assert released == 1

    approved = place(shop)
    workflow.transition(order=approved, action=workflow.APPROVE, actor=shop.staff.reviewer)
    with pytest.raises(ConflictError):
        workflow.transition(order=approved, action=workflow.CANCEL, actor=shop.dana.user,
                            reason="changed my mind")
    with pytest.raises(PermissionDeniedError):  # staff without cancel_orders
        workflow.transition(order=approved, action=workflow.CANCEL, actor=shop.staff.finance,
                            reason="x")
    workflow.transition(order=approved, action=workflow.CANCEL, actor=shop.staff.admin,
                        reason="customer called")
    assert _reserved(shop) == 0


def test_staff_cannot_cancel_after_a_partial_shipment(shop):
    order = place(shop)
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    line = order.lines.get()
    shipment_create(actor=shop.staff.shipper, order=order, quantities={line.pk: 4},
                    tracking_number="T1")
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.SHIPPING and order.fulfilment_status == FulfilmentStatus.PARTIAL
    with pytest.raises(ConflictError):
        workflow.transition(order=order, action=workflow.CANCEL, actor=shop.staff.admin,
                            reason="too late")
    juice = Variant.objects.get(pk=shop.juice.pk)
    assert (juice.on_hand, juice.reserved) == (96, 6)


def test_other_dealer_cannot_touch_the_order(shop):
    from core.exceptions import NotFoundError

    order = place(shop)
    with pytest.raises(NotFoundError):
        workflow.transition(order=order, action=workflow.CANCEL, actor=shop.olga.user,
                            reason="mine now")


def test_stock_reserved_at_outbound_review_when_the_tenant_says_so(shop):
    set_workflow(shop.tenant, reserve_at=ReserveAt.OUTBOUND)
    order = place(shop)
    assert _reserved(shop) == 0 and not order.stock_reserved
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    assert _reserved(shop) == 0
    order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.warehouse)
    assert order.status == S.SHIPPING and _reserved(shop) == 10
    cancelled = place(shop)
    workflow.transition(order=cancelled, action=workflow.CANCEL, actor=shop.dana.user,
                        reason="x")
    assert _reserved(shop) == 10  # never reserved, nothing released


def test_orders_waiting_at_a_step_switched_off_move_on(shop):
    waiting = place(shop)
    further = workflow.transition(order=place(shop), action=workflow.APPROVE,
                                  actor=shop.staff.reviewer)
    assert further.status == S.FINANCE_REVIEW
    set_workflow(shop.tenant, off={S.FINANCE_REVIEW})
    with pytest.raises(ConflictError):  # a step that is on is not skipped
        workflow.transition(order=waiting, action=workflow.ADVANCE, actor=None)
    assert workflow.advance_switched_off() == 1
    assert workflow.advance_switched_off() == 0
    moved = Order.objects.get(pk=further.pk)
    assert moved.status == S.OUTBOUND_REVIEW
    event = moved.events.filter(kind=EventKind.SKIPPED).get()
    assert event.step == S.FINANCE_REVIEW and event.actor is None
    assert Order.objects.get(pk=waiting.pk).status == S.ORDER_REVIEW


def test_receipt_is_confirmed_automatically_after_n_days(shop):
    set_workflow(shop.tenant, auto_receipt_days=7)
    order = place(shop)
    for _ in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE, actor=shop.staff.admin)
    _ship_all(shop, order)
    assert receipt_confirm_overdue() == 0
    assert receipt_confirm_overdue(now=timezone.now() + timedelta(days=6, hours=23)) == 0
    assert receipt_confirm_overdue(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert receipt_confirm_overdue(now=timezone.now() + timedelta(days=8)) == 0
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.COMPLETED and order.fulfilment_status == FulfilmentStatus.RECEIVED
    event = order.events.get(kind=EventKind.RECEIVED)
    assert event.actor is None and "automatically" in event.reason
    set_workflow(shop.tenant, auto_receipt_days=0)
    assert receipt_confirm_overdue() == 0


# Every status has one home: the only lines that assign ``<something>.status`` (or
# ``.update(status=…)``, or ``x.status, y = …``) in the code.
STATUS_HOMES = {
    "ordering/orders/workflow.py": 3,  # orders (enter / stop) and returns
    "ordering/customers/services/customers.py": 1,  # customer_status_change
    "ordering/customers/services/applications.py": 1,  # _decide
    "tenants/services.py": 1,  # tenant_set_status
    "ordering/finance/services/payments.py": 2,  # a payment confirmed or rejected
    "ordering/finance/services/reconciliation.py": 1,  # _move (statements of account)
    "shared/exports.py": 3,  # an export job: running, done or failed, expired
    "ordering/quotes/workflow.py": 2,  # an inquiry and its latest quotation round
}


def test_every_status_is_assigned_only_in_its_home():
    """Order and return statuses change only in ordering/orders/workflow.py; customer,
    application and tenant statuses each in their one service function."""
    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"^\s*(?:[\w.]+\s*,\s*)*[\w.]+\.status\s*(?:,\s*[\w.]+\s*)*=(?!=)"
                         r"|\.update\([^)]*\bstatus=")
    found = {}
    for folder in ("ordering", "frontend", "shared", "demo", "roles", "tenants", "core", "bench"):
        for path in (root / folder).glob("**/*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line.split("#")[0]):
                    found.setdefault(str(path.relative_to(root)), []).append(
                        f"{number}: {line.strip()}")
    assert {path: len(lines) for path, lines in found.items()} == STATUS_HOMES, found


def test_a_view_only_login_can_neither_cancel_nor_confirm_receipt(shop):
    order = place(shop)
    assert workflow.allowed_actions(order, shop.viewer.user) == []
    with pytest.raises(PermissionDeniedError):
        workflow.transition(order=order, action=workflow.CANCEL, actor=shop.viewer.user,
                            reason="not mine to cancel")


# "Open", "may amend", "may ship", "may cancel", "may return" each have one definition,
# in ordering/orders/workflow.py: no other code lists order statuses or compares an
# order's status with one, and no template compares ``order.status``.
STATUS_DEFINITION_FOLDERS = ("ordering", "frontend", "shared", "roles", "tenants", "core",
                             "bench", "demo", "billing")
STATUS_DEFINITION_HOME = {"ordering/orders/workflow.py", "ordering/orders/enums.py"}


def _status_definitions(path):
    """(line, what) for each list of order statuses and each comparison of a ``.status``
    with an order status in ``path``."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {"OrderStatus"} | {
        target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name) and node.value.id == "OrderStatus"
        for target in node.targets if isinstance(target, ast.Name)}

    def is_status(node):
        return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.isupper())

    def is_status_field(node):
        return isinstance(node, ast.Attribute) and node.attr == "status"

    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if sum(is_status(element) for element in node.elts) >= 2:
                found.append((node.lineno, "a list of order statuses"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(map(is_status_field, operands)) and any(map(is_status, operands)):
                found.append((node.lineno, "a status compared with an order status"))
    return found


def test_what_a_status_allows_is_defined_only_in_the_workflow():
    root = Path(settings.BASE_DIR)
    found = {}
    for folder in STATUS_DEFINITION_FOLDERS:
        for path in (root / folder).glob("**/*.py"):
            name = str(path.relative_to(root))
            if "migrations" in path.parts or name in STATUS_DEFINITION_HOME:
                continue
            for number, what in _status_definitions(path):
                found.setdefault(name, []).append(f"{number}: {what}")
    # a template deciding on a step the order waits at (the wording of a stopped order,
    # ``== "rejected"``, is presentation)
    steps = "|".join(workflow.OPEN_STATUSES)
    templates = re.compile(rf"\border\.status\s*(?:==|!=)\s*[\"']({steps})[\"']")
    for path in (root / "frontend" / "templates").glob("**/*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if templates.search(line):
                found.setdefault(str(path.relative_to(root)), []).append(
                    f"{number}: order.status compared with a step in a template")
    assert found == {}, found


def test_the_status_definition_check_sees_lists_and_comparisons(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("S = OrderStatus\nTERMINAL = (S.COMPLETED, S.CANCELLED)\n"
                      "ok = order.status == OrderStatus.SHIPPING\n"
                      "colours = {S.SUBMITTED: 'grey', S.SHIPPING: 'blue'}\n")
    assert _status_definitions(sample) == [(2, "a list of order statuses"),
                                           (3, "a status compared with an order status")]


def test_open_and_may_functions_agree_with_the_steps(shop):
    order = place(shop)
    assert workflow.is_open(order) and workflow.OPEN_STATUSES == (
        S.SUBMITTED, S.ORDER_REVIEW, S.FINANCE_REVIEW, S.OUTBOUND_REVIEW, S.SHIPPING, S.RECEIPT)
    assert set(workflow.OPEN_STATUSES) | set(workflow.TERMINAL) == set(S.values)
    assert workflow.may_amend(order, shop.staff.admin)
    assert not workflow.may_amend(order, shop.staff.shipper)  # no amend_orders
    assert not workflow.may_ship(order, shop.staff.shipper)  # not at shipping yet
    assert workflow.may_cancel(order, shop.dana.user) and workflow.may_cancel(order,
                                                                              shop.staff.admin)
    assert not workflow.may_cancel(order, shop.viewer.user)
    assert not workflow.may_return(order, shop.dana.user)  # nothing shipped
