from django import template

from roles.permissions import has_perm as _has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def has_perm(context, perm, obj=None):
    """``{% has_perm "manage_staff" as can_manage_staff %}``: hide what may not be used."""
    request = context.get("request")
    return bool(request is not None and _has_perm(request.user, perm, obj))
