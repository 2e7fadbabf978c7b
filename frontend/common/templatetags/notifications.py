"""The bell: ``{% unread_notifications as n %}`` (one query per page, only when used)."""

from django import template

from ordering.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    request = context.get("request")
    return unread_count(request.user) if request is not None else 0
