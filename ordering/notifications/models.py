"""The inbox (站内消息): one row per recipient and event, written in the recipient's
language when the event happens. It knows nothing of what it is about: ``subject``
names the thing (``"order:12"``) for the app that wrote it.

``ThreadMessage`` and ``ThreadRead`` are the abstract rows of a message thread along a
thing (``threads.Thread``): an app's subclasses add the foreign key to its thing."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    # what it is about, unique per recipient: a task that runs twice writes it once
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(max_length=200, blank=True)
    # the thing it is about, as "<kind>:<pk>" of the app that wrote it ("order:12")
    subject = models.CharField(max_length=60, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["recipient", "key"],
                                               name="notification_once_per_recipient")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
                   # a user's notification centre, newest first
                   models.Index(fields=["recipient", "-created_at", "-id"],
                                name="notification_recipient_idx")]


class ThreadMessage(models.Model):
    """A message between the dealer's company and the supplier's staff on a thing (the
    subclass adds the foreign key to it)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    from_dealer = models.BooleanField()
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        default_permissions = ()


class ThreadRead(models.Model):
    """How far a user has read a thing's messages (for unread counts); the subclass adds
    the foreign key to the thing and a unique constraint on it and ``user``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        abstract = True
        default_permissions = ()
