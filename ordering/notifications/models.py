"""The inbox (站内消息): one row per recipient and event, written in the recipient's
language when the event happens. It knows nothing of what it is about: ``subject``
names the thing (``"order:12"``) for the app that wrote it."""

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
