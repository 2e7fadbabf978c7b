"""The counts on the shop's header and tab bar: ``{% shop_cart_count as n %}`` (lines in
the cart) and ``{% shop_quotes_waiting as n %}`` (inquiries waiting for the dealer's
answer).

One query per request at most for both (kept on the request, so the header and the
tab bar share it); none for the cart when the view already put ``cart_count`` in the
context and the page shows no quotation badge.
"""

from django import template

from ordering.customers.selectors import login_for_dealer
from ordering.quotes.selectors import dealer_badges
from roles.enums import UserKind

register = template.Library()
_MISSING = object()


def _badges(context):
    """``(cart lines, inquiries waiting)`` for the signed-in dealer, once per request."""
    request = context.get("request")
    if request is None:
        return 0, 0
    cached = getattr(request, "_shop_badges", None)
    if cached is not None:
        return cached
    login = context.get("dealer_login", _MISSING)
    if login is _MISSING:
        user = getattr(request, "user", None)
        is_dealer = getattr(user, "is_authenticated", False) and \
            getattr(user, "kind", None) == UserKind.DEALER
        login = login_for_dealer(user) if is_dealer else None
    request._shop_badges = dealer_badges(login=login)
    return request._shop_badges


@register.simple_tag(takes_context=True)
def shop_cart_count(context):
    known = context.get("cart_count")
    if known is not None:
        return known
    return _badges(context)[0]


@register.simple_tag(takes_context=True)
def shop_quotes_waiting(context):
    return _badges(context)[1]
