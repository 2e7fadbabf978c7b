"""Limits and entitlements as people meet them: the page, the API, the middleware."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from billing.models import Plan
from ordering.customers.models import Customer
from roles.enums import UserKind
from tenants.enums import TenantStatus
from tenants.services import tenant_set_status
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def _owner():
    return get_user_model().objects.get(email="owner@acme.example")


@pytest.fixture
def owner_client(in_acme, acme_client, login_as):
    return login_as(acme_client, in_acme, _owner())


def _cap(acme, **limits):
    Plan.objects.filter(code=acme.plan).update(**limits)


def test_api_refuses_one_customer_too_many_in_the_standard_error_shape(acme, owner_client):
    _cap(acme, max_customers=Customer.objects.count())
    response = owner_client.post("/api/v1/customers/", {"name": "Over"},
                                 content_type="application/json")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert "Upgrade your plan on the billing page" in error["message"]
    assert error["fields"] == {}
    assert not Customer.objects.filter(name="Over").exists()


def test_page_shows_the_limit_message(acme, owner_client):
    _cap(acme, max_customers=Customer.objects.count())
    response = owner_client.post("/dashboard/customers/new/",
                                 {"name": "Over", "payment_terms": "prepaid"})
    assert response.status_code in (400, 402, 403)
    assert "Upgrade your plan on the billing page" in response.content.decode()
    assert not Customer.objects.filter(name="Over").exists()


def test_one_staff_seat_too_many_is_refused(acme, in_acme):
    from billing.exceptions import BillingError
    from roles.models import Role
    from roles.services.staff import staff_invite

    seats = get_user_model().objects.filter(kind=UserKind.STAFF, is_active=True).count()
    _cap(acme, max_staff=seats)
    with pytest.raises(BillingError) as error:
        staff_invite(actor=_owner(), email="extra@acme.example", name="Extra",
                     roles=list(Role.objects.all()[:1]), site_url="http://acme.localhost")
    assert error.value.limit == "staff"
    assert not get_user_model().objects.filter(email="extra@acme.example").exists()


def test_one_sku_too_many_is_refused(acme, in_acme):
    from billing.exceptions import BillingError
    from ordering.catalog.models import Variant
    from ordering.catalog.services.products import product_create_single, unit_get_or_create

    _cap(acme, max_skus=Variant.objects.filter(is_active=True).count())
    with pytest.raises(BillingError) as error:
        product_create_single(actor=_owner(), name="Over", code="OVER-1", list_price="9.90",
                              unit=unit_get_or_create("box"))
    assert error.value.limit == "skus"
    assert not Variant.objects.filter(code__istartswith="OVER").exists()


def test_suspended_dealer_sees_ordering_paused_and_api_answers_402(acme, acme_client, login_as):
    with tenant_context(acme):
        dealer = UserFactory(kind=UserKind.DEALER)
        staff = UserFactory()
    tenant_set_status(tenant=acme, status=TenantStatus.SUSPENDED)
    login_as(acme_client, acme, dealer)
    response = acme_client.get("/shop/")
    assert response.status_code == 403
    assert "Ordering is paused" in response.content.decode()
    login_as(acme_client, acme, staff)
    api = acme_client.post("/api/v1/customers/", {"name": "No"}, content_type="application/json")
    assert api.status_code == 402
    assert api.json()["error"]["code"] == "tenant_read_only"


def test_usage_refresh_counts_into_the_usage_row(acme, in_acme):
    from billing.models import Usage
    from billing.services import usage_refresh

    usage_refresh(tenant=acme)
    usage = Usage.objects.get(tenant=acme)
    assert usage.customers == Customer.objects.count()
    assert usage.staff == get_user_model().objects.filter(kind=UserKind.STAFF,
                                                          is_active=True).count()
    assert connection.schema_name == acme.schema_name


# --- who meets a limit, and whether they are shown the way to lift it ---------------------


def test_api_limit_error_carries_the_upgrade_link_and_the_figures(acme, owner_client):
    count = Customer.objects.count()
    _cap(acme, max_customers=count)
    error = owner_client.post("/api/v1/customers/", {"name": "Over"},
                              content_type="application/json").json()["error"]
    assert error["upgrade_url"] == "http://acme.localhost/dashboard/billing/"
    assert (error["limit"], error["allowed"], error["used"]) == ("customers", count, count)


def test_page_links_the_administrator_to_the_billing_page(acme, owner_client):
    _cap(acme, max_customers=Customer.objects.count())
    page = owner_client.post("/dashboard/customers/new/",
                             {"name": "Over", "payment_terms": "prepaid"}).content.decode()
    assert 'data-testid="upgrade-link"' in page and 'href="/dashboard/billing/"' in page


def test_staff_without_billing_rights_are_told_to_ask_an_administrator(acme, in_acme,
                                                                        acme_client, login_as):
    from tests.factories.roles import staff_with_roles

    clerk = staff_with_roles("business_lead", email="clerk@acme.example")
    _cap(acme, max_customers=Customer.objects.count())
    login_as(acme_client, acme, clerk)
    page = acme_client.post("/dashboard/customers/new/",
                            {"name": "Over", "payment_terms": "prepaid"}).content.decode()
    assert "Ask an administrator to upgrade the plan" in page
    assert "upgrade-link" not in page
    api = acme_client.post("/api/v1/customers/", {"name": "Over"},
                           content_type="application/json").json()["error"]
    assert api["code"] == "plan_limit_reached" and "upgrade_url" not in api
    assert not Customer.objects.filter(name="Over").exists()


def test_a_dealer_at_the_order_limit_is_told_to_contact_the_supplier(acme, in_acme):
    from billing.exceptions import BillingError
    from billing.limits import limit_check

    dealer = UserFactory(kind=UserKind.DEALER)
    Plan.objects.filter(code=acme.plan).update(max_orders=0)
    with pytest.raises(BillingError) as error:
        limit_check(acme, "orders", actor=dealer)
    assert "contact the supplier" in error.value.message
    assert error.value.upgrade_url == "" and "billing page" not in error.value.message
