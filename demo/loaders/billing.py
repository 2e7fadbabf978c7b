"""Billing: the plans come with the billing migrations; acme is active on Pro (billed
by hand, a month paid), globex is in its trial, and a third, empty supplier (initech)
is past due so the banner and the grace period can be seen. Idempotent."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from billing.enums import BillingStatus, EventSource
from billing.services import plan_assign, subscription_ensure
from demo import suppliers
from tenants.models import Tenant
from tenants.services import tenant_provision

# slug → (plan, status)
SUBSCRIPTIONS = {"acme": ("pro", BillingStatus.ACTIVE),
                 "globex": ("trial", BillingStatus.TRIAL)}
PAST_DUE = {"slug": "initech", "name": "Initech Supplies", "owner": "owner@initech.example"}


def load(supplier):
    """Put the supplier on its demo plan and status (nothing for an unlisted one)."""
    if supplier["slug"] not in SUBSCRIPTIONS:
        return
    plan, status = SUBSCRIPTIONS[supplier["slug"]]
    tenant = Tenant.objects.get(slug=supplier["slug"])
    subscription = subscription_ensure(tenant=tenant)
    if subscription.plan.code == plan and subscription.status == status:
        return
    plan_assign(tenant=tenant, plan_code=plan, status=status, source=EventSource.MANUAL,
                period_end=timezone.now() + timedelta(days=30) if status == "active" else None,
                reason="demo")


def past_due_load():
    """The past-due supplier (public schema; provisioned bare if missing)."""
    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=PAST_DUE["slug"]).first()
    if tenant is None:
        tenant = tenant_provision(name=PAST_DUE["name"], slug=PAST_DUE["slug"],
                                  owner_email=PAST_DUE["owner"],
                                  owner_password=suppliers.PASSWORD, language="en").tenant
    if subscription_ensure(tenant=tenant).status != BillingStatus.PAST_DUE:
        plan_assign(tenant=tenant, plan_code="basic", status=BillingStatus.PAST_DUE,
                    source=EventSource.MANUAL, reason="demo",
                    period_end=timezone.now() - timedelta(days=3))
    return tenant
