"""The public schema's own records: operators' roles and the platform audit log.

The platform audit log is append-only: PostgreSQL refuses UPDATE and DELETE on it
(migration 0002), so nobody, operators included, can edit what was done."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OperatorRole(models.TextChoices):
    ADMIN = "admin", _("Operator admin")
    SUPPORT = "support", _("Support")
    FINANCE = "finance", _("Finance")


class OperatorProfile(models.Model):
    """An operator's role (an operator without one is an operator admin: the
    platform's first operators were made before roles existed)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="operator_profile")
    role = models.CharField(_("role"), max_length=10, choices=OperatorRole.choices,
                            default=OperatorRole.SUPPORT)

    def __str__(self):
        return f"{self.user_id} {self.role}"


class PlatformAudit(models.Model):
    """Who did what to which tenant, before and after, when and from where."""

    # the ids stay as they were when the operator or the tenant is deleted (the rows
    # cannot change); the e-mail and the label say who and which
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    operator_email = models.CharField(_("operator"), max_length=254)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    tenant = models.ForeignKey("tenants.Tenant", null=True, blank=True,
                               on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    tenant_label = models.CharField(_("tenant"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("platform audit record")
        verbose_name_plural = _("platform audit log")


class PlatformMetric(models.Model):
    """One day's platform figures, computed by the metrics task (``shared.metrics``):
    the whole set as one JSON document, rewritten on every run of that day. See
    ``shared.metrics`` for why one row per day and what the document holds."""

    day = models.DateField(_("day"), unique=True)
    computed_at = models.DateTimeField(_("computed"))
    seconds = models.FloatField(_("seconds to compute"), default=0)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("platform metrics")
        verbose_name_plural = _("platform metrics")

    def __str__(self):
        return f"{self.day}"
