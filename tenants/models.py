from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants import cache as tenant_cache
from tenants.enums import Currency, ProvisionPath, TenantStatus


class Tenant(TenantMixin):
    """A supplier: one PostgreSQL schema, one subdomain.

    The public row keeps identity, routing, status, plan, language and currency only;
    the supplier's business settings live in its own schema
    (``ordering.settings.models.TenantSettings``). Create tenants only through
    ``tenants.services.tenant_provision``.
    """

    # Schemas are made by tenant_provision (pool, clone or migrate), never by save().
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("company name"), max_length=120)
    slug = models.SlugField(_("subdomain"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TenantStatus.choices, default=TenantStatus.TRIAL
    )
    plan = models.CharField(_("plan"), max_length=32, default="trial")  # a Plan value
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    owner_email = models.EmailField(_("owner e-mail"), blank=True)
    profile_completed = models.BooleanField(_("profile completed"), default=False)
    provisioned_by = models.CharField(
        _("provisioned by"), max_length=16, choices=ProvisionPath.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    @property
    def plan_label(self):
        """The plan's name in the active language (an unknown plan shows its code)."""
        from tenants.enums import Plan

        return Plan(self.plan).label if self.plan in Plan.values else self.plan

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        return self.schema_name == "public"

    @property
    def is_suspended(self):
        return self.status in (TenantStatus.SUSPENDED, TenantStatus.CANCELED)

    @property
    def host(self):
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Cached resolution must never serve a stale status or a moved domain.
        tenant_cache.forget_tenant(self)

    def delete(self, *args, **kwargs):
        tenant_cache.forget_tenant(self)
        return super().delete(*args, **kwargs)


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def save(self, *args, **kwargs):
        old = None
        if self.pk:
            old = Domain.objects.filter(pk=self.pk).values_list("domain", flat=True).first()
        super().save(*args, **kwargs)
        tenant_cache.forget_host(self.domain)
        if old and old != self.domain:
            tenant_cache.forget_host(old)

    def delete(self, *args, **kwargs):
        tenant_cache.forget_host(self.domain)
        return super().delete(*args, **kwargs)


class PoolSchema(models.Model):
    """An empty, fully migrated schema waiting to become a tenant (the warm pool)."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(
        max_length=64, help_text="Hash of the tenant migrations the schema was built with."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pool schema")
        verbose_name_plural = _("pool schemas")
        ordering = ["created_at"]

    def __str__(self):
        return self.schema_name


class PoolHealth(models.Model):
    """How the last warm-pool refill went (one row, ``pk=1``), for the operator console's
    health page (``tenants.selectors.pool_health``). Written by ``schemas.pool_refill``:
    a failure keeps its error and the time it began until a refill succeeds again."""

    refilled_at = models.DateTimeField(_("last refill"))
    error = models.TextField(_("error"), blank=True)
    ready = models.PositiveIntegerField(_("ready schemas"), default=0)
    target = models.PositiveIntegerField(_("pool size"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("last successful refill"), null=True, blank=True)

    class Meta:
        verbose_name = _("warm pool health")
        verbose_name_plural = _("warm pool health")

    @property
    def ok(self):
        return not self.error

    def __str__(self):
        return f"pool {self.ready}/{self.target}" + ("" if self.ok else " failing")
