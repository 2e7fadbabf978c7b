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


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class TenantExport(models.Model):
    """One export of a tenant's complete data (``shared.exports``): its schema's dump,
    its files and a readable copy (CSV per table, order and statement PDFs) in one zip
    in the private export directory (``TENANT_EXPORT_ROOT``, never served as media or
    static files). Downloaded through a signed link that expires; the file is removed
    at ``expires_at`` by a periodic task."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE,
                               related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_by_email = models.CharField(_("requested by"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices,
                              default=ExportStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # 0-100
    step = models.CharField(_("step"), max_length=40, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # inside TENANT_EXPORT_ROOT
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    tables = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tenant export")
        verbose_name_plural = _("tenant exports")

    def __str__(self):
        return f"export {self.pk} of {self.tenant_id} ({self.status})"

    STEPS = {"database": _("Dumping the database"), "tables": _("Writing the tables"),
             "files": _("Copying the files"), "documents": _("Printing the documents"),
             "packing": _("Packing the archive"), "done": _("Ready")}

    @property
    def step_label(self):
        return self.STEPS.get(self.step, "")

    @property
    def in_progress(self):
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Impersonation(models.Model):
    """An operator using a tenant's dashboard as one of its staff, for support.

    Opened by a one-time link (``link_used_at``), read-only until the operator allows
    changes with a reason of their own (``writes_at``), over after ``expires_at`` or
    when ended. The rows stay when the operator or the tenant goes (history)."""

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    operator_email = models.CharField(_("operator"), max_length=254)
    tenant = models.ForeignKey("tenants.Tenant", null=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+")
    user_id_in_tenant = models.PositiveIntegerField()  # the staff user, in the tenant schema
    user_email = models.CharField(_("as user"), max_length=254)
    reason = models.CharField(_("reason"), max_length=300)
    writes_reason = models.CharField(_("reason for changes"), max_length=300, blank=True)
    writes_at = models.DateTimeField(_("changes allowed at"), null=True, blank=True)
    link_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("ends at the latest"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impersonation session")
        verbose_name_plural = _("impersonation sessions")

    def __str__(self):
        return f"{self.operator_email} as {self.user_email}"

    def is_live(self, now=None):
        return self.ended_at is None and (now or timezone.now()) < self.expires_at


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
