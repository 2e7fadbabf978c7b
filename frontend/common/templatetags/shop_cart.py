"""The cart badge of the shop's header and tab bar: ``{% shop_cart_count as n %}``.

One COUNT query per request at most (kept on the request, so the header and the tab
bar share it); none when the view already put ``cart_count`` in the context.
"""

from django import template

from ordering.customers.selectors import login_for_dealer
from ordering.orders.selectors import cart_count
from roles.enums import UserKind

register = template.Library()
_MISSING = object()


@register.simple_tag(takes_context=True)
def shop_cart_count(context):
    known = context.get("cart_count")
    if known is not None:
        return known
    request = context.get("request")
    if request is None:
        return 0
    cached = getattr(request, "_shop_cart_count", None)
    if cached is not None:
        return cached
    login = context.get("dealer_login", _MISSING)
    if login is _MISSING:
        user = getattr(request, "user", None)
        is_dealer = getattr(user, "is_authenticated", False) and \
            getattr(user, "kind", None) == UserKind.DEALER
        login = login_for_dealer(user) if is_dealer else None
    count = cart_count(login=login) if login is not None else 0
    request._shop_cart_count = count
    return count
