"""Reads of the inbox: a user's notifications and the bell's unread count."""

from django.core.cache import cache
from django.db import connection

from ordering.notifications.models import Notification

UNREAD_CACHE_SECONDS = 300


def unread_key(user_id):
    return f"notifications:unread:{connection.schema_name}:{user_id}"


def unread_count(user):
    """The bell's number: cached per user (every page shows it), dropped on change."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)
