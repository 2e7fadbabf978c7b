import pytest

from billing.enums import BillingStatus as S, EventSource
from billing.exceptions import BillingError
from billing.lifecycle import transition
from billing.models import Plan
from billing.services import plan_assign, subscription_ensure
from ordering.customers.models import Customer
from ordering.customers.services.customers import customer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(in_acme):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="owner@acme.example")


def _cap_customers(acme, n):
    plan = Plan.objects.get(code=acme.plan)
    plan.max_customers = n
    plan.save()


def test_one_customer_more_than_the_plan_allows_is_refused(acme, owner):
    used = Customer.objects.count()
    _cap_customers(acme, used + 1)
    customer_create(actor=owner, name="First")
    with pytest.raises(BillingError) as error:
        customer_create(actor=owner, name="Second")
    assert error.value.code == "plan_limit_reached"
    assert error.value.status == 402
    assert "Upgrade your plan" in error.value.message
    assert (error.value.limit, error.value.allowed) == ("customers", used + 1)
    assert not Customer.objects.filter(name="Second").exists()


def test_upgrading_lifts_the_limit_at_once(acme, owner):
    _cap_customers(acme, Customer.objects.count())
    with pytest.raises(BillingError):
        customer_create(actor=owner, name="Blocked")
    plan_assign(tenant=acme, plan_code="enterprise", source=EventSource.MANUAL)
    acme.refresh_from_db()
    assert customer_create(actor=owner, name="Now fine").pk


def test_downgrade_below_usage_is_refused_with_what_to_remove(acme, owner):
    customer_create(actor=owner, name="One")
    Plan.objects.filter(code="basic").update(max_customers=0)
    with pytest.raises(BillingError) as error:
        plan_assign(tenant=acme, plan_code="basic", source=EventSource.MANUAL)
    assert error.value.code == "downgrade_below_usage"
    assert "customers" in error.value.fields
    acme.refresh_from_db()
    assert acme.plan == "trial"


def test_suspended_tenant_services_refuse_writes_and_keep_data(acme, owner):
    before = Customer.objects.count()
    transition(subscription=subscription_ensure(tenant=acme), to=S.SUSPENDED,
               source=EventSource.MANUAL)
    owner_tenant = acme
    owner_tenant.refresh_from_db()
    from django.db import connection

    connection.tenant.status = owner_tenant.status
    with pytest.raises(BillingError) as error:
        customer_create(actor=owner, name="Refused")
    assert error.value.code == "tenant_read_only"
    assert Customer.objects.count() == before


def test_api_answers_the_limit_in_the_standard_error_shape():
    from core.api import exception_handler

    error = BillingError("plan_limit_reached", "Upgrade", fields={"limit": "customers"})
    response = exception_handler(error, {})
    assert response.status_code == 402
    assert response.data == {"error": {"code": "plan_limit_reached", "message": "Upgrade",
                                       "fields": {"limit": "customers"}}}
