"""The order workflow, as data, and the one function that moves an order.

    submitted → order review → finance review → outbound review → shipping
              → receipt confirmation → completed

A tenant may switch off any step in ``SKIPPABLE`` (``TenantSettings.workflow_off``, read
with ``ordering.settings.selectors.tenant_settings``); an order
passes a switched-off step at once, and the timeline says so. Shipping cannot be
switched off. Reject (with a reason) is possible at each review step; the dealer may
cancel while nothing has been approved and nothing shipped; staff with
``cancel_orders`` may cancel until the first shipment.

``transition()`` is the only code that assigns ``Order.status`` (a test greps for
it). This module is also the one definition of what an order's status allows: "open"
(``OPEN_STATUSES``, ``is_open``), "may amend", "may ship", "may cancel", "may return",
"awaits the dealer" — pages, the API, selectors, services and templates (through their
view's context) ask these functions, and a test greps for status lists elsewhere.
Confirming receipt is an ordinary action (``RECEIVE``), taken with ``transition()``
like the others: it locks the order row, checks the action, the actor's permission and scope,
moves the order, runs the stock side effects, writes ``OrderEvent`` rows and queues
the notifications on commit.

**Steps switched off while orders wait at them.** Orders already waiting at a step
when the tenant switches it off move on to the next step that is on, as the
platform (no actor), with a "skipped" event saying the step was switched off
(``advance_switched_off``, run by the settings service after the change commits).
Until that has run, staff with the step's permission may still approve them.

**Holds at order review.** An order with a line whose price is still to be confirmed
(待核价), or whose amended total the dealer has not accepted, stays at order review
even when that step is switched off; it moves on (``release_hold``) as soon as the
amendment prices the line or the dealer accepts.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from core.exceptions import ApplicationError, ConflictError
from ordering.orders import hooks
from ordering.orders.exceptions import (OrderConflictError, OrderError, OrderErrorCode,
                                        OrderNotFoundError, OrderPermissionError)
from ordering.orders.enums import (EventKind, FulfilmentStatus, OrderStatus, ReserveAt,
                                   ReturnStatus)
from ordering.settings.selectors import tenant_settings
from roles.enums import UserKind
from roles.permissions import can_reach, has_perm

S = OrderStatus


@dataclass(frozen=True)
class Step:
    status: str
    perm: str | None  # the permission that approves this step (None: not staff-approved)
    label: object
    skippable: bool = True
    review: bool = True  # may be approved or rejected


STEPS = (
    Step(S.ORDER_REVIEW, "review_orders", gettext_lazy("Order review")),
    Step(S.FINANCE_REVIEW, "finance_review", gettext_lazy("Finance review")),
    Step(S.OUTBOUND_REVIEW, "outbound_review", gettext_lazy("Outbound review")),
    Step(S.SHIPPING, "ship_orders", gettext_lazy("Shipping"), skippable=False, review=False),
    Step(S.RECEIPT, None, gettext_lazy("Receipt confirmation"), review=False),
)
STEP_BY_STATUS = {step.status: step for step in STEPS}
SKIPPABLE = tuple(step.status for step in STEPS if step.skippable)
REVIEW_STEPS = tuple(step.status for step in STEPS if step.review)
TERMINAL = (S.COMPLETED, S.CANCELLED, S.REJECTED)
VOIDED = (S.CANCELLED, S.REJECTED)  # stopped before completion: nothing is owed
# An open order is one still on its way: submitted, or waiting at a step.
OPEN_STATUSES = (S.SUBMITTED,) + tuple(step.status for step in STEPS)
# Staff with ``amend_orders`` change an order while it waits at order review.
AMENDABLE_STATUSES = (S.ORDER_REVIEW,)
CANCELLABLE_BY_STAFF = (S.SUBMITTED,) + REVIEW_STEPS + (S.SHIPPING,)

# Actions, and the statuses each may start from.
SUBMIT, APPROVE, REJECT, CANCEL, SHIPPED, RECEIVE, ADVANCE = (
    "submit", "approve", "reject", "cancel", "shipped", "receive", "advance")
ACTIONS = {
    SUBMIT: (S.SUBMITTED,),
    APPROVE: REVIEW_STEPS,
    REJECT: REVIEW_STEPS,
    CANCEL: CANCELLABLE_BY_STAFF,
    SHIPPED: (S.SHIPPING,),
    RECEIVE: (S.RECEIPT,),
    ADVANCE: REVIEW_STEPS + (S.RECEIPT,),
}
# The permission each action needs from staff (approve: the step's own).
ACTION_PERMS = {REJECT: None, CANCEL: "cancel_orders", SHIPPED: "ship_orders",
                RECEIVE: "ship_orders"}
# The actions a person takes from an order's page or the API's action endpoints (shipping
# is recorded by a shipment; submit and advance are the platform's).
PERSON_ACTIONS = (APPROVE, REJECT, CANCEL, RECEIVE)


def switched_off():
    """The steps the current tenant switched off."""
    return frozenset(tenant_settings().workflow_off or ()) & set(SKIPPABLE)


def steps_on():
    """The steps this tenant runs, in order."""
    off = switched_off()
    return [step for step in STEPS if step.status not in off]


def next_status(current, *, also_off=()):
    """The first step after ``current`` that is on (``completed`` after the last);
    ``also_off``: steps this order passes as well (a quoted order's pre-approved review)."""
    off = switched_off() | set(also_off)
    statuses = [step.status for step in STEPS]
    start = 0 if current == S.SUBMITTED else statuses.index(current) + 1
    for status in statuses[start:]:
        if status not in off:
            return status
    return S.COMPLETED


def quoted_pre_approved(order):
    """The steps an order from an accepted quotation passes at once: order review, when
    the tenant pre-approves quoted orders (``TenantSettings.quoted_skip_review``)."""
    if order.quotation_id and tenant_settings().quoted_skip_review:
        return frozenset({S.ORDER_REVIEW})
    return frozenset()


def skipped_between(current, target):
    """The steps passed over when moving from ``current`` to ``target``."""
    statuses = [step.status for step in STEPS]
    start = 0 if current == S.SUBMITTED else statuses.index(current) + 1
    end = statuses.index(target) if target in statuses else len(statuses)
    return statuses[start:end]


def step_label(status):
    step = STEP_BY_STATUS.get(status)
    return step.label if step else S(status).label


def progress(order, *, submitted=False):
    """The steps ``order`` walks, for a progress bar: (``submitted`` first, if asked) the
    tenant's steps — plus the one the order waits at if it was switched off since — and
    completed, each ``{"status", "label", "state"}`` with state done / current / todo, or
    "stopped" at the step where it was rejected or cancelled (the order's events must be
    loaded; they are prefetched on detail pages)."""
    order_of = [step.status for step in STEPS]
    statuses = [step.status for step in steps_on()]
    if order.status in STEP_BY_STATUS and order.status not in statuses:
        statuses = sorted(statuses + [order.status], key=order_of.index)
    statuses = ([S.SUBMITTED] if submitted else []) + statuses + [S.COMPLETED]
    stopped = order.status in (S.CANCELLED, S.REJECTED)
    if stopped:  # where it stopped: the step its rejecting / cancelling event left
        last = next((e for e in reversed(order.events.all())
                     if e.kind in (EventKind.REJECTED, EventKind.CANCELLED)), None)
        at = statuses.index(last.from_status) if last and last.from_status in statuses else 0
    elif order.status == S.COMPLETED:
        at = len(statuses)
    else:
        at = statuses.index(order.status) if order.status in statuses else 0
    rows = []
    for index, status in enumerate(statuses):
        state = ("done" if index < at else "todo" if index > at
                 else "stopped" if stopped else "current")
        rows.append({"status": status, "label": step_label(status), "state": state})
    return rows


# --- who may do what ------------------------------------------------------------------


def _is_dealer(actor):
    return actor is not None and getattr(actor, "kind", None) == UserKind.DEALER


def _dealer_login(actor, order):
    from ordering.customers.services.guards import login_of

    login = login_of(actor)
    if login is None or login.customer_id != order.customer_id or not actor.is_active:
        raise OrderNotFoundError(_("No such order."))
    return login


def has_approval(order):
    """Has any review step been approved (by someone, not skipped)?"""
    return order.events.filter(kind=EventKind.APPROVED).exists()


def may(order, action, actor):
    """May ``actor`` take ``action`` on ``order`` now (its status, their permission and
    scope, the holds)?"""
    try:
        _check(order, action, actor, reason="-")
    except ApplicationError:
        return False
    return True


def allowed_actions(order, actor):
    """The actions ``actor`` may take on ``order`` now (for pages and the API)."""
    if not is_open(order):
        return []
    return [action for action in PERSON_ACTIONS if may(order, action, actor)]


# --- what an order's status allows: the one definition of each ------------------------


def is_open(order):
    """Still on its way (not completed, cancelled or rejected)."""
    return order.status in OPEN_STATUSES


def is_amendable(order):
    """Waiting where staff may change it (order review)."""
    return order.status in AMENDABLE_STATUSES


def may_amend(order, actor):
    """May ``actor`` change the order's lines, prices and fee now?"""
    return is_amendable(order) and actor is not None and has_perm(actor, "amend_orders") \
        and can_reach(actor, order)


def is_shippable(order):
    """Waiting for (the rest of) its shipment."""
    return order.status in ACTIONS[SHIPPED]


def may_ship(order, actor):
    """May ``actor`` record a shipment of the order now?"""
    return is_shippable(order) and actor is not None \
        and has_perm(actor, ACTION_PERMS[SHIPPED]) and can_reach(actor, order)


def may_cancel(order, actor):
    """May ``actor`` cancel the order now (the dealer: nothing approved or shipped; staff
    with ``cancel_orders``: nothing shipped)?"""
    return may(order, CANCEL, actor)


def may_receive(order, actor):
    return may(order, RECEIVE, actor)


def awaits_dealer(order):
    """Held at order review until the dealer accepts the amended (higher) total."""
    return bool(order.awaiting_dealer) and is_amendable(order)


def may_accept(order, actor):
    """May ``actor`` (a dealer login that may order) accept the amended order now?"""
    if not awaits_dealer(order) or not _is_dealer(actor):
        return False
    from ordering.customers.services.guards import login_of

    login = login_of(actor)
    return login is not None and login.customer_id == order.customer_id and login.can_order


def may_return(order, actor):
    """May ``actor`` ask to return goods of the order: a dealer login of the order's
    company that may order, and shipped goods not yet claimed by another return?"""
    if not _is_dealer(actor) or order.fulfilment_status == FulfilmentStatus.UNSHIPPED:
        return False
    from ordering.customers.services.guards import login_of
    from ordering.orders.services.returns import returnable

    login = login_of(actor)
    if login is None or login.customer_id != order.customer_id or not login.can_order \
            or not actor.is_active:
        return False
    return any(returnable(order).values())


def _check(order, action, actor, *, reason):
    if order.status not in ACTIONS.get(action, ()):
        raise OrderConflictError(
            _("This order is %(status)s: it cannot be %(action)s now.")
            % {"status": order.get_status_display().lower(), "action": ACTION_LABELS[action]},
            code=OrderErrorCode.INVALID_TRANSITION)
    if action in (REJECT, CANCEL) and not (reason or "").strip():
        raise OrderError(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    if action == ADVANCE and order.status not in switched_off():
        raise OrderConflictError(_("This step is on: the order waits for its approval."),
                            code=OrderErrorCode.INVALID_TRANSITION)
    if action == ADVANCE and order.status == S.ORDER_REVIEW:
        _raise_hold(order)  # held orders wait at review even when it is switched off
    if actor is None or action == SUBMIT:  # the platform; checkout checked the orderer
        return
    if _is_dealer(actor):
        login = _dealer_login(actor, order)
        if action in (CANCEL, RECEIVE) and not login.can_order:
            raise OrderPermissionError(_("Your login can only view."))
        if action == CANCEL:
            if order.status not in (S.SUBMITTED,) + REVIEW_STEPS \
                    or order.fulfilment_status != FulfilmentStatus.UNSHIPPED or has_approval(order):
                raise OrderConflictError(_("The supplier has already approved this order; ask them "
                                      "to cancel it."), code=OrderErrorCode.INVALID_TRANSITION)
            return
        if action == RECEIVE:
            return
        raise OrderPermissionError(_("You do not have permission to do this."))
    if action == APPROVE or action == REJECT:
        perm = STEP_BY_STATUS[order.status].perm
    else:
        perm = ACTION_PERMS.get(action)
    if perm is None or not has_perm(actor, perm):
        raise OrderPermissionError(_("You do not have permission to do this."))
    if not can_reach(actor, order):
        raise OrderNotFoundError(_("No such order."))
    if action == CANCEL and order.fulfilment_status != FulfilmentStatus.UNSHIPPED:
        raise OrderConflictError(_("Part of this order has shipped: it can no longer be cancelled."),
                            code=OrderErrorCode.INVALID_TRANSITION)
    if action == APPROVE and order.status == S.ORDER_REVIEW:
        _raise_hold(order)


def review_hold(order):
    """Why ``order`` must stay at order review (even when the tenant switched that step
    off): the dealer has not accepted an amendment that raised the total, or a line's
    price is still to be confirmed (待核价). ``(code, message)`` or None."""
    if order.awaiting_dealer:
        return "awaiting_dealer", _("The dealer has not yet accepted the amended order.")
    if order.lines.filter(price_pending=True).exists():
        return "price_pending", _("Set the price of every line marked “price to be "
                                  "confirmed” first.")
    return None


def _raise_hold(order):
    hold = review_hold(order)
    if hold:
        raise OrderConflictError(hold[1], code=hold[0])


ACTION_LABELS = {
    SUBMIT: gettext_lazy("submitted"), APPROVE: gettext_lazy("approved"),
    REJECT: gettext_lazy("rejected"), CANCEL: gettext_lazy("cancelled"),
    SHIPPED: pgettext_lazy("order action", "shipped"),
    RECEIVE: pgettext_lazy("order action", "received"),
    ADVANCE: gettext_lazy("moved on"),
}


# --- the transition -------------------------------------------------------------------


def lock(order_or_pk):
    """The order, re-read under a row lock (so two transitions queue up)."""
    from ordering.orders.models import Order

    pk = getattr(order_or_pk, "pk", order_or_pk)
    order = Order.objects.select_for_update().filter(pk=pk).first()
    if order is None:
        raise OrderNotFoundError(_("No such order."))
    return order


def record(order, kind, actor, *, step="", from_status="", to_status="", reason="", data=None):
    from ordering.orders.models import OrderEvent

    return OrderEvent.objects.create(
        order=order, kind=kind, step=step, from_status=from_status, to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None, reason=(reason or "").strip(),
        data=data or {})


def _enter(order, target, actor, *, skipped_note="", notes=None):
    """Move ``order`` (locked) to ``target``, recording the steps passed over (each with
    ``notes[step]``, else ``skipped_note``) and running the stock side effects of the steps
    it enters."""
    from ordering.orders.services import reservations

    current = order.status
    for status in skipped_between(current, target):
        record(order, EventKind.SKIPPED, None, step=status, from_status=current,
               to_status=target, reason=(notes or {}).get(status, skipped_note))
    reserve_now = not order.stock_reserved and (
        tenant_settings().reserve_stock_at == ReserveAt.SUBMIT
        or target in (S.SHIPPING, S.RECEIPT, S.COMPLETED))
    if reserve_now and target not in (S.CANCELLED, S.REJECTED):
        reservations.reserve(order, actor=actor)
        record(order, EventKind.STOCK_RESERVED, actor)
    order.status = target
    if target == S.COMPLETED:
        order.completed_at = timezone.now()
    order.save(update_fields=["status", "completed_at", "stock_reserved", "fulfilment_status",
                              "updated_at"])


def transition(*, order, action, actor, reason="", data=None):
    """Perform ``action`` on ``order`` for ``actor`` (None: the platform) and return the
    order, locked and updated. Raises ConflictError when the order's state does not
    allow it (also when a concurrent transition got there first), PermissionDenied or
    NotFound for an actor who may not."""
    with transaction.atomic():
        order = lock(order)
        _check(order, action, actor, reason=reason)
        before = order.status
        event_kind, target, step, pre_approved = None, None, before, frozenset()
        if action == SUBMIT:
            pre_approved = quoted_pre_approved(order)
            target, event_kind, step = (next_status(S.SUBMITTED, also_off=pre_approved),
                                        EventKind.SUBMITTED, "")
            if target != S.ORDER_REVIEW and review_hold(order):
                target = S.ORDER_REVIEW  # a price to confirm holds it at review, on or off
        elif action in (APPROVE, ADVANCE):
            if action == APPROVE and before == S.FINANCE_REVIEW:
                hooks.run("finance_review", order=order, actor=actor)  # may refuse
            target = next_status(before)
            event_kind = EventKind.APPROVED if action == APPROVE else EventKind.SKIPPED
        elif action == SHIPPED:
            target, event_kind = next_status(S.SHIPPING), EventKind.SHIPPED
        elif action == RECEIVE:
            target, event_kind = S.COMPLETED, EventKind.RECEIVED
        elif action == REJECT:
            target, event_kind = S.REJECTED, EventKind.REJECTED
        elif action == CANCEL:
            target, event_kind = S.CANCELLED, EventKind.CANCELLED
        event = record(order, event_kind, actor, step=step, from_status=before,
                       to_status=target, reason=reason, data=data)
        if action == RECEIVE:
            order.fulfilment_status = FulfilmentStatus.RECEIVED
        if target in (S.CANCELLED, S.REJECTED):
            from ordering.orders.services import reservations

            if order.stock_reserved:
                reservations.release(order, actor=actor)
                record(order, EventKind.STOCK_RELEASED, actor)
            order.status = target
            order.save(update_fields=["status", "stock_reserved", "updated_at"])
            hooks.run("order_voided", order=order, actor=actor)
        else:
            _enter(order, target, actor, skipped_note=(
                _("Switched off in the workflow settings") if action != ADVANCE
                else reason), notes={status: _("Pre-approved: the prices were agreed in a "
                                               "quotation") for status in pre_approved
                                     if status not in switched_off()})
        from ordering.orders.notify import notify_order_event

        notify_order_event(event)
    return order


def release_hold(order, *, actor=None):
    """After an amendment or the dealer's acceptance: an order held at a switched-off
    order review moves on once nothing holds it any more."""
    if S.ORDER_REVIEW not in switched_off():
        return order
    current = lock(order)
    if current.status != S.ORDER_REVIEW or review_hold(current):
        return current
    return transition(order=current, action=ADVANCE, actor=actor,
                      reason=_("Switched off in the workflow settings"))


def advance_switched_off():
    """Move every order waiting at a switched-off step to the next step that is on.
    Returns how many moved. Idempotent: an order already moved is not touched."""
    from ordering.orders.models import Order

    off = switched_off()
    moved = 0
    for pk in Order.objects.filter(status__in=off).values_list("pk", flat=True):
        try:
            transition(order=pk, action=ADVANCE, actor=None,
                       reason=_("Switched off in the workflow settings"))
        except ConflictError:
            continue  # moved meanwhile
        moved += 1
    return moved


# --- returns --------------------------------------------------------------------------
#
# A return (退货单) has its own small state machine; the order's status never changes
# with it. Each target status and the statuses it may be reached from:

R = ReturnStatus
RETURN_STEPS = {
    R.APPROVED: (R.REQUESTED,),
    R.REJECTED: (R.REQUESTED, R.APPROVED),
    R.RECEIVED: (R.APPROVED,),
    R.COMPLETED: (R.RECEIVED,),
}


def return_transition(request, to):
    """Move a return (locked by the caller, in its transaction) to ``to``: the one place
    a return's status changes. ConflictError when its status does not allow it."""
    if request.status not in RETURN_STEPS[to]:
        raise OrderConflictError(_("This return is %(status)s: it cannot change that way now.")
                            % {"status": request.get_status_display().lower()},
                            code=OrderErrorCode.INVALID_TRANSITION)
    request.status = to
    request.save(update_fields=["status", "updated_at"])
    return request
