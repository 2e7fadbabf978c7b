"""The inbox: telling users something, in the site and by e-mail, in each recipient's
language, once.

This app knows nothing of orders, returns or messages. The app that has news decides
what it says and to whom (orders: ``ordering.orders.notify``), and calls ``deliver``
from its own background task: one ``Notification`` per recipient (unique on
recipient + ``key``, so a retried task writes nothing twice), e-mailed to each one
whose ``emailed_at`` is empty, under a row lock, through core's e-mail task with a key
of its own (two runs at once, or one run twice, send once).
"""

import hashlib
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation

from core.tasks import email_send_task
from ordering.notifications.models import Notification
from ordering.notifications.selectors import unread_key

EMAIL_TEMPLATE = "email/order_event"

_muted = threading.local()


@contextmanager
def muted():
    """Record events without telling anyone (loading demo history, data migrations)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def is_muted():
    return getattr(_muted, "on", False)


def language_of(user):
    """The language a user is told things in: theirs, else the tenant's, else the site's."""
    return (getattr(user, "preferred_language", "") or
            getattr(connection.tenant, "default_language", "") or settings.LANGUAGE_CODE)


def deliver(users, *, key, kind, title, body="", link="", subject="", skip=None,
            email_template=EMAIL_TEMPLATE):
    """One notification per user (``title()`` rendered in the user's language), written
    once per ``key`` and e-mailed once (``email_template``: its ``_subject.txt`` and
    ``_body.txt``); ``skip`` is the pk of the user who caused it (not told of their own
    doing). Returns how many notifications exist for ``key`` among ``users`` (new or
    from an earlier run)."""
    count = 0
    for user in users:
        if user.pk == skip:
            continue
        with translation.override(language_of(user)):
            text = str(title())
        note, created = Notification.objects.get_or_create(
            recipient=user, key=key, defaults={"kind": kind, "title": text, "body": body,
                                               "link": link, "subject": subject})
        if created:
            forget_unread(user.pk)
        count += 1
        _email(note, user, email_template)
    return count


def _email_key(note):
    """The e-mail task's key: the notification's schema, id and moment of writing (a
    schema name given again to a new tenant, whose ids start over, never matches)."""
    digest = hashlib.sha1(f"{connection.schema_name}:{note.pk}:{note.created_at.isoformat()}"
                          .encode()).hexdigest()
    return f"notification:{digest}"


def _email(note, user, template=EMAIL_TEMPLATE):
    """Send the notification's e-mail once: a row lock on the notification (two runs at
    once send once) and the e-mail task's key (a run repeated after a crash sends once).
    The e-mail task runs here, inside this background task: nothing to queue again."""
    if not user.email:
        return
    with transaction.atomic():
        locked = Notification.objects.select_for_update().filter(pk=note.pk,
                                                                 emailed_at__isnull=True).first()
        if locked is None:
            return
        host = getattr(connection.tenant, "host", "") or ""
        context = {"title": locked.title, "body": locked.body, "name": user.name or user.email,
                   "url": f"https://{host}{locked.link}" if host and locked.link else ""}
        email_send_task([user.email], template, context, language_of(user),
                        key=_email_key(locked))
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])


def forget_unread(user_id):
    """Drop the cached unread count (a notification was written or read)."""
    cache.delete(unread_key(user_id))
    transaction.on_commit(lambda: cache.delete(unread_key(user_id)), robust=True)


def mark_read(*, user, pk=None):
    """Mark one notification (or all of the user's) read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    changed = qs.update(read_at=timezone.now())
    if changed:
        forget_unread(user.pk)
    return changed
