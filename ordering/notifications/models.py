"""The in-site message centre: one row per recipient and event, written in the
recipient's language when the event happens."""

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
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
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
