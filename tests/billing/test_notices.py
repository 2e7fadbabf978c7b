"""What the owner and the staff are told when the subscription is not in good standing:
the dashboard's banner (past due to those who can pay, with the day a site billed by hand
is paused; paused or ended to every staff member) and one e-mail per change of status;
and signup starting from a plan chosen on the pricing page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing import lifecycle
from billing.enums import BillingStatus as S, EventSource
from billing.services import GRACE_DAYS, manual_periods_check, subscription_ensure
from tenants.models import Tenant
from tests.conftest import TenantClient
from tests.factories.roles import staff_with_roles

pytestmark = pytest.mark.django_db


def _move(tenant, status):
    subscription = subscription_ensure(tenant=tenant)
    lifecycle.transition(subscription=subscription, to=status, source=EventSource.MANUAL,
                         reason="test")
    return subscription


def _page(tenant, user, login_as, path="/dashboard/"):
    client = login_as(TenantClient("acme.localhost"), tenant, user)
    return client.get(path).content.decode()


def test_past_due_tells_who_can_pay_when_the_site_will_pause(acme, login_as):
    subscription = subscription_ensure(tenant=acme)
    subscription.manual = True
    subscription.current_period_end = timezone.now() - timedelta(days=2)
    subscription.save()
    _move(acme, S.ACTIVE)
    assert manual_periods_check() == 1
    acme = Tenant.objects.get(pk=acme.pk)
    assert acme.status == S.PAST_DUE
    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
        reviewer = staff_with_roles("order_reviewer", email="rev-notice@acme.example")
    page = _page(acme, owner, login_as)
    pause_day = (subscription.current_period_end + timedelta(days=GRACE_DAYS)).date()
    assert 'data-testid="billing-notice"' in page and pause_day.isoformat() in page
    assert 'data-testid="billing-pay-now"' in page
    assert 'data-testid="billing-notice"' not in _page(acme, reviewer, login_as)


def test_a_paused_site_tells_every_staff_member(acme, login_as):
    _move(acme, S.SUSPENDED)
    acme = Tenant.objects.get(pk=acme.pk)
    with tenant_context(acme):
        reviewer = staff_with_roles("order_reviewer", email="rev-paused@acme.example")
    page = _page(acme, reviewer, login_as)
    assert 'data-testid="billing-notice"' in page and "paused" in page
    assert 'data-testid="billing-pay-now"' not in page  # not theirs to pay


def test_a_site_in_good_standing_shows_no_banner_and_costs_no_query(acme, login_as,
                                                                   django_assert_max_num_queries):
    from billing.selectors import billing_notice

    _move(acme, S.ACTIVE)
    acme = Tenant.objects.get(pk=acme.pk)
    with django_assert_max_num_queries(0):
        assert billing_notice(tenant=acme, can_pay=True) is None


def test_the_owner_gets_one_email_per_change_of_status(acme, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    acme.owner_email = "owner@acme.example"
    acme.save(update_fields=["owner_email"])
    with django_capture_on_commit_callbacks(execute=True):
        _move(acme, S.ACTIVE)
        _move(acme, S.PAST_DUE)
        _move(acme, S.PAST_DUE)  # the same status again (a webhook twice): nothing
        _move(acme, S.SUSPENDED)
        _move(acme, S.ACTIVE)
    subjects = [message.subject for message in mailoutbox]
    assert len(subjects) == 3, subjects
    assert all(message.to == ["owner@acme.example"] for message in mailoutbox)
    assert "/dashboard/billing/" in mailoutbox[0].body


def test_signup_from_a_plan_lands_on_the_billing_page_with_it_picked(public_client):
    form = public_client.get("/signup/?plan=pro", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="signup-plan"' in form and 'value="pro"' in form
    response = public_client.post("/signup/", {
        "name": "Plan Foods", "slug": "planfoods", "owner_name": "Li Na",
        "owner_email": "li@planfoods.example", "owner_password": "Plan-foods-2026",
        "language": "en", "plan": "pro"})
    assert response.status_code == 302 and "next=" in response.url
    site = TenantClient("planfoods.localhost")
    landed = site.get(response.url.removeprefix("http://planfoods.localhost"))
    assert landed.status_code == 302 and landed.url == "/dashboard/billing/?plan=pro"
    page = site.get(landed.url).content.decode()
    assert 'data-testid="plan-row-pro"' in page or 'data-testid="billing-manual"' in page
    # an unknown plan is ignored
    odd = public_client.get("/signup/?plan=<script>").content.decode()
    assert 'data-testid="signup-plan"' not in odd
