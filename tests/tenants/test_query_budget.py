"""Query budgets of the shell pages (ARCHITECTURE.md, Budgets)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import DealerFactory, UserFactory


def _warm_count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_anonymous_login_page_makes_no_query(acme_client):
    assert _warm_count(acme_client, "/login/") == []


def test_signed_in_dashboard_makes_four_queries(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    queries = _warm_count(acme_client, "/dashboard/")
    # search_path once, the session, the user, the user's permissions; nothing about the tenant
    assert len(queries) == 4, queries
    assert queries[0].startswith("SET search_path")


def test_signed_in_shop_makes_four_queries(acme, acme_client, login_as):
    with tenant_context(acme):
        dealer = DealerFactory()
    login_as(acme_client, acme, dealer)
    # search_path, the session, the user, the dealer's login with its company
    assert len(_warm_count(acme_client, "/shop/")) == 4


def test_public_landing_makes_no_query(public_client):
    assert _warm_count(public_client, "/") == []


def test_administrator_dashboard_checks_every_section_with_one_permission_query(
        acme, acme_client, login_as):
    from django.contrib.auth import get_user_model

    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
    login_as(acme_client, acme, owner)
    queries = _warm_count(acme_client, "/dashboard/")
    # six sidebar has_perm checks share one query; the first-run checklist is one more
    assert len(queries) == 5, queries
    assert sum("auth_permission" in q for q in queries) == 1
    assert sum("EXISTS" in q for q in queries) == 1


def test_a_completed_first_run_checklist_costs_no_query(acme, acme_client, login_as):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from frontend.dashboard.checklist import COMPLETE_KEY

    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
        cache.set(COMPLETE_KEY, True, None)
    login_as(acme_client, acme, owner)
    queries = _warm_count(acme_client, "/dashboard/")
    assert len(queries) == 4, queries


def test_staff_list_is_constant_in_queries(acme, acme_client, login_as):
    from django.contrib.auth import get_user_model

    from tests.factories.roles import staff_with_roles

    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
    login_as(acme_client, acme, owner)
    with tenant_context(acme):
        staff_with_roles("sales_rep")
    few = len(_warm_count(acme_client, "/dashboard/staff/"))
    with tenant_context(acme):
        for _ in range(15):
            staff_with_roles("sales_rep", "shipping_clerk")
    many = len(_warm_count(acme_client, "/dashboard/staff/"))
    assert few == many <= 10
    assert len(_warm_count(acme_client, "/api/v1/staff/")) <= 10
