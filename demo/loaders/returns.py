"""Returns: a few returns of the latest completed orders, one in each state (requested,
approved, received, completed, rejected). Skipped when the tenant has returns; needs
completed orders (the ``orders`` loader)."""

import random

from django.contrib.auth import get_user_model

from ordering.notifications.services import muted
from ordering.orders.enums import OrderStatus, ReturnCondition, ReturnStatus
from ordering.orders.models import Order, ReturnRequest
from ordering.orders.services import returns

RETURN_FATES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED,
                ReturnStatus.COMPLETED, ReturnStatus.COMPLETED, ReturnStatus.REJECTED)


def load(supplier):
    """Request returns on completed orders and take each to its state."""
    if ReturnRequest.objects.exists():
        return
    rng = random.Random(f"returns-{supplier['slug']}")
    admin = get_user_model().objects.filter(groups__role__key="system_administrator",
                                            is_active=True).order_by("pk").first()
    done = Order.objects.filter(status=OrderStatus.COMPLETED).select_related(
        "login__user").order_by("-created_at")[:len(RETURN_FATES)]
    with muted():
        for order, fate in zip(done, RETURN_FATES):
            _one(order, fate, admin, rng)


def _one(order, fate, admin, rng):
    line = order.lines.first()
    request = returns.return_request(
        actor=order.login.user, order=order, quantities={line.pk: max(1, line.factor)},
        reason=rng.choice(["Two bottles arrived broken / 两瓶破损",
                           "Wrong colour delivered / 颜色发错"]))
    if fate == ReturnStatus.REJECTED:
        returns.return_reject(actor=admin, request=request,
                              reason="Damage happened after delivery")
        return
    if fate == ReturnStatus.REQUESTED:
        return
    returns.return_approve(actor=admin, request=request)
    if fate == ReturnStatus.APPROVED:
        return
    returns.return_receive(actor=admin, request=request, received={
        rl.pk: (rl.quantity, ReturnCondition.GOOD) for rl in request.lines.all()})
    if fate == ReturnStatus.COMPLETED:
        returns.return_refund(actor=admin, request=request)
