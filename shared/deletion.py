"""Delete a canceled tenant for good, once its retention period is over
(``billing.lifecycle.deletion_allowed``). Cannot be undone.

The operator types the tenant's subdomain to confirm. In one transaction: the platform
audit record (kept: the log is append-only and its foreign keys are not constraints),
then every public row pointing at the tenant (domains, subscription with its Stripe
ids and changes, the connected Stripe account, usage, trial reminders, exports; Stripe
and Connect events keep their ids but lose the tenant), a warm-pool entry of the
schema's name, its queued tasks, and the schema itself
(``tenants.services.tenant_delete``). After it: the tenant's files, its export files and
every cache entry in its key space (and its hosts' cached resolution)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import lifecycle
from billing.models import ConnectedAccount, Subscription
from core.exceptions import ApplicationError
from shared.operators import ops_require
from shared.services import platform_audit
from tenants.services import tenant_delete
from shared.exceptions import DeletionRefusedError


def deletion_refusal(tenant, *, today=None):
    """Why ``tenant`` may not be deleted now (a sentence), or None when it may."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is None or lifecycle.retention_ends_on(subscription) is None:
        return _("Only a canceled tenant can be deleted.")
    if not lifecycle.deletion_allowed(subscription, today=today):
        return _("The data of a canceled tenant is kept until %(day)s; it can be deleted "
                 "from that day.") % {
            "day": lifecycle.retention_ends_on(subscription).isoformat()}
    return None


def tenant_purge(*, operator, tenant, confirm, reason="", ip=None, today=None):
    """Delete ``tenant`` (schema, files, public rows, cache) when ``confirm`` is its
    subdomain and its retention period is over; the audit record stays."""
    ops_require(operator, "delete")
    if tenant.is_public:
        raise DeletionRefusedError(_("The public schema cannot be deleted."))
    if (confirm or "").strip().lower() != tenant.slug:
        message = _("Type the subdomain “%(slug)s” exactly to confirm.") % {"slug": tenant.slug}
        raise ApplicationError(message, fields={"confirm": [message]})
    refusal = deletion_refusal(tenant, today=today)
    if refusal:
        raise DeletionRefusedError(refusal, fields={"confirm": [refusal]})
    subscription = Subscription.objects.filter(tenant=tenant).first()
    account = ConnectedAccount.objects.filter(tenant=tenant).first()
    hosts = sorted({tenant.host, *tenant.domains.values_list("domain", flat=True)})
    with transaction.atomic():
        platform_audit(
            operator=operator, action="tenant.delete", tenant=tenant, reason=reason,
            before={"schema": tenant.schema_name, "slug": tenant.slug, "name": tenant.name,
                    "domains": hosts, "status": tenant.status, "plan": tenant.plan,
                    "owner_email": tenant.owner_email,
                    "stripe_customer": subscription.stripe_customer_id if subscription else None,
                    "stripe_subscription": (subscription.stripe_subscription_id
                                            if subscription else None),
                    "stripe_account": account.account_id if account else None,
                    "canceled_at": subscription.status_changed_at.isoformat()
                    if subscription and subscription.status_changed_at else None},
            after={"deleted_at": timezone.now().isoformat()}, ip=ip)
        exports = tenant_exports_remove_later(tenant)
        tenant_delete(tenant=tenant)
    exports()
    return hosts


def tenant_exports_remove_later(tenant):
    """The tenant's export files are removed once its rows are gone for good (after the
    commit): a rolled-back deletion keeps them."""
    files = []
    from shared.exports import export_path
    from shared.models import TenantExport

    for export in TenantExport.objects.filter(tenant=tenant).exclude(file_name=""):
        try:
            files.append(export_path(export))
        except ApplicationError:
            continue

    def remove():
        for path in files:
            path.unlink(missing_ok=True)
        return len(files)

    return remove
