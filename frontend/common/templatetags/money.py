"""``{{ amount|money }}`` (the tenant's currency) and ``{{ amount|money:order.currency }}``;
``{{ amount|money:"" }}`` groups and rounds without a symbol. A built-in of every
template (settings.TEMPLATES), so no ``{% load %}`` is needed."""

from django import template

from core.money import format_money

register = template.Library()


@register.filter(is_safe=True)
def money(amount, currency=None):
    if currency == "":
        return format_money(amount, symbol=False)
    return format_money(amount, currency)
