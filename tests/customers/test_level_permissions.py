"""Customer levels are pricing: a level's price percentage prices every customer at it,
most of them outside any one rep's or region's reach. Every level action by every
built-in role over the API (and the page's own edit URL), the service refusing the
scoped roles whatever the view did, and the level list never showing scoped staff
tenant-wide customer counts."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from core.exceptions import PermissionDeniedError
from ordering.customers import selectors
from ordering.customers.models import CustomerLevel
from ordering.customers.services import customers as customer_services
from roles.catalog import BUILTIN_ROLES
from roles.services.regions import region_create
from tests.factories.roles import staff_with_roles

ROLES = [role.key for role in BUILTIN_ROLES]
# manage_prices: the system administrator and the business lead (nobody scoped)
CHANGE_LEVELS = {"system_administrator", "business_lead"}
READ_LEVELS = {role.key for role in BUILTIN_ROLES if "view_customers" in role.permissions}

LEVELS_URL = "/api/v1/customer-levels/"


def _levels():
    return list(CustomerLevel.objects.order_by("id").values_list(
        "name", "price_percent", "position", "is_default"))


@pytest.fixture
def level_setup(acme):
    with tenant_context(acme):
        CustomerLevel.objects.update(is_default=False)
        default = CustomerLevel.objects.create(name="Lv Standard", price_percent=Decimal("100"),
                                               position=1, is_default=True)
        target = CustomerLevel.objects.create(name="Lv Gold", price_percent=Decimal("90"),
                                              position=2)
        return {"default": default, "target": target}


ACTIONS = {
    "list": ("get", LEVELS_URL, None),
    "detail": ("get", LEVELS_URL + "{pk}/", None),
    "create": ("post", LEVELS_URL, {"name": "Rep's own level", "price_percent": "1"}),
    "update": ("patch", LEVELS_URL + "{pk}/", {"price_percent": "0.01"}),
    "make-default": ("patch", LEVELS_URL + "{pk}/", {"is_default": True}),
    "delete": ("delete", LEVELS_URL + "{pk}/", None),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_every_level_action_by_every_role_over_the_api(acme, acme_client, login_as,
                                                        level_setup, role, action):
    method, url, body = ACTIONS[action]
    with tenant_context(acme):
        user = staff_with_roles(role)
        before = _levels()
    login_as(acme_client, acme, user)
    url = url.format(pk=level_setup["target"].pk)
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    response = getattr(acme_client, method)(url, **kwargs)
    allowed = role in (READ_LEVELS if method == "get" else CHANGE_LEVELS)
    with tenant_context(acme):
        after = _levels()
    if not allowed:
        assert response.status_code == 403, (response.status_code, response.content[:200])
        assert after == before
        return
    assert response.status_code in (200, 201, 204), response.content[:300]
    with tenant_context(acme):
        target = CustomerLevel.objects.filter(pk=level_setup["target"].pk).first()
        if action == "create":
            assert CustomerLevel.objects.filter(name="Rep's own level").exists()
        elif action == "update":
            assert target.price_percent == Decimal("0.01")
        elif action == "make-default":
            assert target.is_default
            assert CustomerLevel.objects.filter(is_default=True).count() == 1
        elif action == "delete":
            assert target is None
        else:
            assert after == before


PAGE_ACTIONS = {
    "edit-page": ("get", None),
    "update": ("post", {"name": "Lv Gold", "price_percent": "0.01", "position": "2"}),
    "make-default": ("post", {"name": "Lv Gold", "price_percent": "90", "position": "2",
                              "is_default": "on"}),
    "delete": ("post", {"action": "delete"}),
}


@pytest.mark.parametrize("action", sorted(PAGE_ACTIONS))
@pytest.mark.parametrize("role", ["sales_rep", "regional_manager", "business_lead"])
def test_the_level_page_of_one_level_needs_manage_prices(acme, acme_client, login_as,
                                                         level_setup, role, action):
    method, data = PAGE_ACTIONS[action]
    with tenant_context(acme):
        user = staff_with_roles(role)
        before = _levels()
    login_as(acme_client, acme, user)
    url = f"/dashboard/customers/levels/{level_setup['target'].pk}/"
    response = getattr(acme_client, method)(url, **({"data": data} if data else {}))
    with tenant_context(acme):
        after = _levels()
    if role in CHANGE_LEVELS:
        assert response.status_code in (200, 302)
        assert (after != before) == (method == "post")
    else:
        assert response.status_code == 403
        assert after == before


@pytest.mark.parametrize("role", ["sales_rep", "regional_manager"])
def test_the_services_refuse_scoped_roles_whatever_the_view_checked(in_acme, level_setup,
                                                                     role):
    user = staff_with_roles(role)
    target = level_setup["target"]
    before = _levels()
    with pytest.raises(PermissionDeniedError):
        customer_services.level_create(actor=user, name="Sneaky", price_percent="1")
    with pytest.raises(PermissionDeniedError):
        customer_services.level_update(actor=user, level=target, name="Lv Gold",
                                       price_percent="0.01", position=2, is_default=True)
    with pytest.raises(PermissionDeniedError):
        customer_services.level_delete(actor=user, level=target)
    assert _levels() == before


def test_scoped_staff_see_counts_of_their_own_customers_only(acme, acme_client, login_as,
                                                            level_setup, customer_factory):
    with tenant_context(acme):
        gold = level_setup["target"]
        south = region_create(actor=None, name="South")
        north = region_create(actor=None, name="North")
        rep = staff_with_roles("sales_rep")
        manager = staff_with_roles("regional_manager")
        assign_perm("roles.work_in_region", manager, south)
        lead = staff_with_roles("business_lead")
        customer_factory(level=gold, sales_rep=rep, region=north)
        for _ in range(2):
            customer_factory(level=gold, region=south)
        for _ in range(4):
            customer_factory(level=gold, region=north)
        expected = {rep: 1, manager: 2, lead: 7}
        for user, count in expected.items():
            counts = {level.pk: level.customer_count
                      for level in selectors.level_list(actor=user)}
            assert counts[gold.pk] == count
    for user, count in expected.items():
        login_as(acme_client, acme, user)
        listed = acme_client.get(LEVELS_URL).json()["results"]
        assert next(row for row in listed if row["id"] == gold.pk)["customer_count"] == count
        one = acme_client.get(f"{LEVELS_URL}{gold.pk}/").json()
        assert one["customer_count"] == count
        page = acme_client.get("/dashboard/customers/levels/")
        assert page.status_code == 200
        assert [row.customer_count for row in page.context["levels"]
                if row.pk == gold.pk] == [count]
        assert page.context["can_manage"] == (user is lead)
