"""The dashboard's first-run checklist (SPEC §2, issue 10 item 10): each step is done when
its data exists, is read in one query, links to the page that does it; after the last
step the home page leads on to the next thing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from frontend.dashboard.checklist import COMPLETE_KEY
from ordering.catalog.services import products as catalog
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from ordering.onboarding import first_run_facts
from ordering.orders.enums import ReserveAt
from ordering.orders.models import Carrier, ShippingMethod
from ordering.orders.services import settings as order_settings
from tenants.services import tenant_update_profile
from tests.factories.roles import staff_with_roles

STEPS = ["company-profile", "products", "customers", "payments", "workflow", "shipping"]
LINKS = {
    "company-profile": "/dashboard/settings/company/",
    "products": "/dashboard/catalog/products/new/",
    "customers": "/dashboard/customers/new/",
    "payments": "/dashboard/orders/settings/#payment-methods",
    "workflow": "/dashboard/orders/settings/",
    "shipping": "/dashboard/orders/settings/#shipping-methods",
}


def _owner():
    return get_user_model().objects.get(email="owner@acme.example")


def _facts():
    return first_run_facts()


# --- each step's rule (service level) ------------------------------------------------

def test_a_bare_site_has_nothing_done(in_acme):
    assert _facts() == dict.fromkeys(["products", "customers", "payments", "workflow",
                                      "shipping"], False)


def test_products_are_done_with_the_first_product(in_acme):
    catalog.product_create_single(actor=_owner(), name="Tea", code="TEA",
                                  unit=catalog.unit_get_or_create("box"), list_price="9.90")
    assert _facts()["products"] is True


def test_customers_are_done_only_when_a_customer_has_a_login(in_acme):
    customer = customer_services.customer_create(actor=_owner(), name="No Login Yet")
    assert _facts()["customers"] is False
    login_services.login_create(actor=_owner(), customer=customer, email="d@nl.example",
                                password="Dealer-pass-2026", site_url="http://acme.localhost")
    assert _facts()["customers"] is True


def test_payments_are_done_once_the_methods_are_chosen(in_acme):
    order_settings.payment_methods_update(actor=_owner(), methods=["transfer"])
    assert _facts()["payments"] is True


def test_workflow_is_done_once_its_settings_are_saved(in_acme, acme):
    order_settings.order_settings_update(
        actor=_owner(), workflow_off=["finance_review"],
        reserve_stock_at=ReserveAt.SUBMIT, auto_receipt_days=7, min_order_amount="0")
    assert _facts() == {**dict.fromkeys(["products", "customers", "payments", "shipping"],
                                        False), "workflow": True}


@pytest.mark.parametrize("what", ["method", "carrier"])
def test_shipping_is_done_once_a_method_or_carrier_is_saved(in_acme, what):
    # defaults alone (created at provisioning, unaudited) do not tick the step
    ShippingMethod.objects.create(name="Standard delivery")
    Carrier.objects.create(name="EMS")
    assert _facts()["shipping"] is False
    if what == "method":
        order_settings.shipping_method_save(actor=_owner(), method=ShippingMethod.objects.get(),
                                            name="Standard delivery", fee="8")
    else:
        order_settings.carrier_save(actor=_owner(), name="顺丰速运")
    assert _facts()["shipping"] is True


def test_the_facts_are_one_query_however_much_data(in_acme):
    unit = catalog.unit_get_or_create("box")
    for n in range(3):
        catalog.product_create_single(actor=None, name=f"P{n}", code=f"P{n}", unit=unit,
                                      list_price="1")
    with CaptureQueriesContext(connection) as ctx:
        _facts()
    assert len(ctx.captured_queries) == 1


# --- the home page -------------------------------------------------------------------

def _steps_shown(body):
    return {key: f'data-testid="checklist-step-{key}" data-done="yes"' in body for key in STEPS
            if f'data-testid="checklist-step-{key}"' in body}


def test_the_checklist_shows_six_linked_steps_with_the_next_one_first(acme, acme_client,
                                                                       login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, _owner())
    body = acme_client.get("/dashboard/").content.decode()
    assert _steps_shown(body) == dict.fromkeys(STEPS, False)
    for key, url in LINKS.items():
        assert f'href="{url}" class="fw-semibold' in body, key
    assert 'href="/dashboard/settings/company/" data-testid="checklist-next"' in body
    assert "0 of 6 done" in body


def test_staff_see_only_the_steps_they_may_do(acme, acme_client, login_as):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        clerk = staff_with_roles("shipping_clerk")
    login_as(acme_client, acme, rep)
    assert set(_steps_shown(acme_client.get("/dashboard/").content.decode())) == {"customers"}
    login_as(acme_client, acme, clerk)
    body = acme_client.get("/dashboard/").content.decode()
    assert _steps_shown(body) == {} and 'data-testid="next-steps"' not in body


def test_when_every_step_is_done_the_home_page_leads_on(acme, acme_client, login_as):
    with tenant_context(acme):
        owner = _owner()
        login_as(acme_client, acme, owner)
        tenant_update_profile(tenant=acme, name=acme.name, default_language="zh-hans",
                              currency="CNY", actor=owner)
        catalog.product_create_single(actor=owner, name="Tea", code="TEA",
                                      unit=catalog.unit_get_or_create("box"), list_price="9")
        customer = customer_services.customer_create(actor=owner, name="Dealer Co")
        login_services.login_create(actor=owner, customer=customer, email="d@co.example",
                                    password="Dealer-pass-2026", site_url="http://acme.localhost")
        order_settings.payment_methods_update(actor=owner, methods=["transfer", "credit"])
        order_settings.order_settings_update(
            actor=owner, workflow_off=[], reserve_stock_at=ReserveAt.SUBMIT,
            auto_receipt_days=7, min_order_amount="0")
        body = acme_client.get("/dashboard/").content.decode()
        assert "5 of 6 done" in body
        assert 'href="/dashboard/orders/settings/#shipping-methods" data-testid="checklist-next"' \
            in body
        order_settings.carrier_save(actor=owner, name="顺丰速运")
        body = acme_client.get("/dashboard/").content.decode()
        assert 'data-testid="checklist"' not in body
        assert 'data-testid="next-steps"' in body
        assert 'value="https://acme.localhost/"' in body  # the shop link to share
        assert 'href="/dashboard/customers/new/" data-testid="next-invite"' in body
        assert cache.get(COMPLETE_KEY) is True
