"""One table: a sales rep and a regional manager see exactly their customers in the list
page, the detail page, the API list, the API detail and the export; another customer's
record by id is 404 everywhere."""

import csv
import io

import pytest
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.customers.services import customers as services
from roles.services.regions import region_create
from tests.factories.roles import staff_with_roles


@pytest.fixture
def world(acme):
    """Guangdong › Guangzhou and Zhejiang; a rep with two assigned customers, a manager
    of Guangdong (three customers there, one in a city), and customers of nobody's."""
    with tenant_context(acme):
        gd = region_create(actor=None, name="Guangdong")
        gz = region_create(actor=None, name="Guangzhou", parent=gd)
        zj = region_create(actor=None, name="Zhejiang")
        rep = staff_with_roles("sales_rep")
        manager = staff_with_roles("regional_manager")
        assign_perm("roles.work_in_region", manager, gd)
        make = services.customer_create
        customers = {
            "rep-1": make(actor=None, name="Scope Rep One", region=zj, sales_rep=rep),
            "rep-2": make(actor=None, name="Scope Rep Two", sales_rep=rep),
            "gd-1": make(actor=None, name="Scope Guangdong One", region=gd),
            "gz-1": make(actor=None, name="Scope Guangzhou One", region=gz),
            "zj-1": make(actor=None, name="Scope Zhejiang One", region=zj),
            "none": make(actor=None, name="Scope Nobody"),
        }
    return {"rep": rep, "manager": manager, "customers": customers}


EXPECTED = {"rep": {"rep-1", "rep-2"}, "manager": {"gd-1", "gz-1"}}


def _names_from(surface, client):
    if surface == "page":
        body = client.get("/dashboard/customers/?q=Scope").content.decode()
        return body
    if surface == "api":
        return " ".join(item["name"] for item in
                        client.get("/api/v1/customers/?q=Scope&page_size=100").json()["results"])
    response = client.get("/dashboard/customers/export/?kind=customers&format=csv&q=Scope")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("surface", ["page", "api", "export"])
@pytest.mark.parametrize("who", ["rep", "manager"])
def test_lists_and_exports_show_exactly_the_users_customers(acme, acme_client, login_as, world,
                                                           who, surface):
    user = world[who]
    if surface == "export":
        with tenant_context(acme):  # exporting needs export_data on top of the role
            from django.contrib.auth.models import Group, Permission

            extra = Group.objects.create(name=f"export-{who}")
            extra.permissions.add(Permission.objects.get(codename="export_data",
                                                         content_type__app_label="roles"))
            user.groups.add(extra)
    with tenant_context(acme):
        login_as(acme_client, acme, user)
    shown = _names_from(surface, acme_client)
    for key, customer in world["customers"].items():
        assert (customer.name in shown) == (key in EXPECTED[who]), (key, surface)


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_detail_pages_and_api_answer_404_outside_the_scope(acme, acme_client, login_as, world,
                                                          who):
    with tenant_context(acme):
        login_as(acme_client, acme, world[who])
    for key, customer in world["customers"].items():
        allowed = key in EXPECTED[who]
        page = acme_client.get(f"/dashboard/customers/{customer.pk}/")
        api = acme_client.get(f"/api/v1/customers/{customer.pk}/")
        assert page.status_code == (200 if allowed else 404), (key, "page")
        assert api.status_code == (200 if allowed else 404), (key, "api")
        if not allowed:
            assert customer.name.encode() not in page.content + api.content
