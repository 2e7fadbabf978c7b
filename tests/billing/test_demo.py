import pytest
from django_tenants.utils import tenant_context

from billing.selectors import subscription_for
from demo.loaders import billing

pytestmark = pytest.mark.django_db


def test_demo_billing_loader_sets_acme_active_on_pro_and_globex_trialing(acme, globex):
    for tenant in (acme, globex):
        with tenant_context(tenant):
            billing.load({"slug": tenant.slug})
            billing.load({"slug": tenant.slug})  # idempotent
    assert (subscription_for(acme).plan.code, subscription_for(acme).status) == ("pro", "active")
    assert subscription_for(globex).status == "trial"
