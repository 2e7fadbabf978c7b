"""Staff customer pages: list (search, filters, scope, query budget), create and edit,
detail with contacts, addresses and logins, enable/disable, levels, bulk assignment."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.customers.enums import CustomerStatus
from ordering.customers.models import Address, Contact, Customer, CustomerLevel, CustomerLogin
from ordering.customers.services import customers as services
from ordering.customers.services import logins as login_services
from roles.services.regions import region_create
from tests.factories.roles import staff_with_roles

User = get_user_model()
SITE = "http://acme.localhost"


@pytest.fixture
def lead_client(acme, acme_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, staff_with_roles("business_lead"))
    return acme_client


def _customers(n, **values):
    return [services.customer_create(actor=None, name=f"Dealer {i:03d}", **values)
            for i in range(n)]


def test_list_shows_customers_and_filters(acme, lead_client):
    with tenant_context(acme):
        services.level_create(actor=None, name="Standard", price_percent=100, is_default=True)
        gold = services.level_create(actor=None, name="Gold", price_percent=90)
        services.customer_create(actor=None, name="Pearl River Foods", level=gold, tags="vip")
        services.customer_create(actor=None, name="Yangtze Drinks")
    page = lead_client.get("/dashboard/customers/")
    assert page.status_code == 200
    assert b"Pearl River Foods" in page.content and b"Yangtze Drinks" in page.content
    filtered = lead_client.get("/dashboard/customers/", {"q": "pearl"})
    assert b"Pearl River Foods" in filtered.content and b"Yangtze Drinks" not in filtered.content
    by_tag = lead_client.get("/dashboard/customers/", {"tag": "vip"})
    assert b"Yangtze Drinks" not in by_tag.content
    by_level = lead_client.get("/dashboard/customers/", {"level": str(gold.pk)})
    assert b"Yangtze Drinks" not in by_level.content
    assert lead_client.get("/dashboard/customers/", {"level": "x' OR 1=1", "page": "zz",
                                                     "sort": "nonsense"}).status_code == 200


def test_list_query_count_does_not_grow_with_rows(acme, lead_client):
    with tenant_context(acme):
        _customers(3)
    lead_client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert lead_client.get("/dashboard/customers/").status_code == 200
    with tenant_context(acme):
        _customers(30, tags="bulk")
    with CaptureQueriesContext(connection) as many:
        assert lead_client.get("/dashboard/customers/").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 16, [q["sql"] for q in many.captured_queries]


def test_detail_query_count_does_not_grow_with_contacts_addresses_and_logins(acme,
                                                                            lead_client):
    from ordering.customers.services import contacts

    with tenant_context(acme):
        customer = _customers(1)[0]
        contacts.contact_save(actor=None, customer=customer, name="One")
        login_services.login_create(actor=None, customer=customer, email="one@d.example",
                                    site_url=SITE)
    url = f"/dashboard/customers/{customer.pk}/"
    lead_client.get("/dashboard/")  # warm the tenant cache
    with CaptureQueriesContext(connection) as few:
        assert lead_client.get(url).status_code == 200
    with tenant_context(acme):
        for i in range(8):
            contacts.contact_save(actor=None, customer=customer, name=f"C{i}")
            contacts.address_save(actor=None, customer=customer, recipient=f"R{i}", phone="1",
                                  address=f"{i} Road")
            login_services.login_create(actor=None, customer=customer, email=f"l{i}@d.example",
                                        site_url=SITE)
    with CaptureQueriesContext(connection) as many:
        assert lead_client.get(url).status_code == 200
    assert len(many) == len(few) and len(many) <= 15


def test_create_edit_and_validation(acme, lead_client):
    response = lead_client.post("/dashboard/customers/new/", {
        "name": "Golden Gate Trading", "code": "", "payment_terms": "credit",
        "payment_days": "30", "credit_limit": "20000", "tags": "vip, east",
        "contact_name": "Zhao Min", "contact_phone": "13700000000"})
    assert response.status_code == 302
    with tenant_context(acme):
        customer = Customer.objects.get(name="Golden Gate Trading")
        assert customer.tags == ["vip", "east"] and customer.payment_days == 30
        assert customer.contacts.get().name == "Zhao Min"
    assert response.url == f"/dashboard/customers/{customer.pk}/"
    bad = lead_client.post("/dashboard/customers/new/", {"name": "", "payment_terms": "prepaid",
                                                         "credit_limit": "-1"})
    assert bad.status_code == 400
    assert b"invalid-feedback" in bad.content
    duplicate = lead_client.post("/dashboard/customers/new/", {
        "name": "Copy", "code": customer.code.lower(), "payment_terms": "prepaid"})
    assert duplicate.status_code == 400
    assert "Another customer already has this code." in duplicate.content.decode()
    with tenant_context(acme):
        assert not Customer.objects.filter(name="Copy").exists()
    edited = lead_client.post(f"/dashboard/customers/{customer.pk}/edit/", {
        "name": "Golden Gate Trading Ltd", "code": customer.code, "payment_terms": "credit",
        "payment_days": "45", "credit_limit": "20000", "tags": "vip"})
    assert edited.status_code == 302
    with tenant_context(acme):
        customer.refresh_from_db()
        assert customer.name == "Golden Gate Trading Ltd" and customer.payment_days == 45


def test_staff_without_the_credit_permission_see_credit_fields_read_only(acme, acme_client,
                                                                        login_as):
    with tenant_context(acme):
        customer = services.customer_create(actor=None, name="Credit Co", credit_limit="500")
        rep = staff_with_roles("regional_manager")
        region = region_create(actor=None, name="Hunan")
        assign_perm("roles.work_in_region", rep, region)
        services.customer_update(actor=None, customer=customer, region=region)
        login_as(acme_client, acme, rep)
    response = acme_client.post(f"/dashboard/customers/{customer.pk}/edit/", {
        "name": "Credit Co", "code": customer.code, "region": region.pk,
        "payment_terms": "credit", "credit_limit": "999999", "payment_days": "90"})
    assert response.status_code == 302  # the disabled fields are ignored
    with tenant_context(acme):
        customer.refresh_from_db()
        assert str(customer.credit_limit) == "500.00" and customer.payment_terms == "prepaid"


def test_detail_manages_contacts_addresses_and_logins(acme, lead_client,
                                                     django_capture_on_commit_callbacks):
    from django.core import mail

    with tenant_context(acme):
        customer = _customers(1)[0]
    base = f"/dashboard/customers/{customer.pk}"
    assert lead_client.get(f"{base}/").status_code == 200
    assert lead_client.post(f"{base}/contacts/new/", {"name": "Li", "phone": "1"}).status_code == 302
    assert lead_client.post(f"{base}/contacts/new/", {"name": ""}).status_code == 400
    assert lead_client.post(f"{base}/addresses/new/", {
        "recipient": "Li", "phone": "1", "address": "8 Harbour Rd"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert lead_client.post(f"{base}/logins/new/", {
            "email": "buyer@dealer.example", "name": "Buyer", "buyer_role": "order"}
        ).status_code == 302
    assert any("buyer@dealer.example" in m.to for m in mail.outbox)
    limited = lead_client.post(f"{base}/logins/new/", {
        "email": "second@dealer.example", "buyer_role": "order_up_to"})
    assert limited.status_code == 400
    assert "Enter the amount up to which" in limited.content.decode()
    with tenant_context(acme):
        contact = Contact.objects.get(customer=customer)
        address = Address.objects.get(customer=customer)
        login = CustomerLogin.objects.get(customer=customer)
        assert login.is_primary and not User.objects.filter(email="second@dealer.example").exists()
    assert lead_client.post(f"{base}/contacts/{contact.pk}/", {
        "name": "Li Lei", "phone": "2"}).status_code == 302
    assert lead_client.post(f"{base}/addresses/{address.pk}/", {"action": "delete"}).status_code == 302
    primary_off = lead_client.post(f"{base}/logins/{login.pk}/", {"action": "disable"}, follow=True)
    assert "primary login" in primary_off.content.decode()
    with tenant_context(acme):
        assert Contact.objects.get(pk=contact.pk).name == "Li Lei"
        assert not Address.objects.filter(pk=address.pk).exists()
        assert User.objects.get(pk=login.user_id).is_active


def test_disabling_a_customer_signs_its_dealers_out(acme, lead_client, login_as):
    from tests.conftest import TenantClient, host_of

    with tenant_context(acme):
        customer = _customers(1)[0]
        login = login_services.login_create(actor=None, customer=customer,
                                            email="d@dealer.example",
                                            password="Correct-Horse-42", site_url=SITE)
        User.objects.filter(pk=login.user_id).update(must_change_password=False)
        dealer = TenantClient(host_of(acme))
        login_as(dealer, acme, User.objects.get(pk=login.user_id))
    assert dealer.get("/shop/").status_code == 200
    assert lead_client.post(f"/dashboard/customers/{customer.pk}/status/",
                            {"action": "disable"}).status_code == 302
    assert dealer.get("/shop/").status_code == 302  # signed out: back to the login page
    with tenant_context(acme):
        assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.DISABLED


def test_scoped_staff_get_404_for_other_customers_everywhere(acme, acme_client, login_as):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        mine = services.customer_create(actor=rep, name="Mine")
        other = services.customer_create(actor=None, name="Not Mine")
        contact = Contact.objects.create(customer=other, name="X", is_primary=True)
        login_as(acme_client, acme, rep)
    listing = acme_client.get("/dashboard/customers/").content.decode()
    assert "Mine" in listing and "Not Mine" not in listing
    assert acme_client.get(f"/dashboard/customers/{mine.pk}/").status_code == 200
    for url in (f"/dashboard/customers/{other.pk}/", f"/dashboard/customers/{other.pk}/edit/",
                f"/dashboard/customers/{other.pk}/contacts/{contact.pk}/",
                f"/dashboard/customers/{other.pk}/logins/new/"):
        assert acme_client.get(url).status_code == 404, url
    assert acme_client.post(f"/dashboard/customers/{other.pk}/status/",
                            {"action": "disable"}).status_code == 404
    assert acme_client.post(f"/dashboard/customers/{other.pk}/contacts/{contact.pk}/",
                            {"action": "delete"}).status_code == 404
    with tenant_context(acme):
        assert Customer.objects.get(pk=other.pk).status == CustomerStatus.ACTIVE
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_bulk_assign_from_the_list(acme, lead_client):
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        level = services.level_create(actor=None, name="Gold", price_percent=90)
        customers = _customers(3)
    response = lead_client.post("/dashboard/customers/bulk-assign/", {
        "customers": [c.pk for c in customers[:2]], "sales_rep": rep.pk, "level": level.pk,
        "next_query": "q=Dealer"})
    assert response.status_code == 302 and response.url == "/dashboard/customers/?q=Dealer"
    with tenant_context(acme):
        assert set(Customer.objects.filter(sales_rep=rep).values_list("pk", flat=True)) == {
            customers[0].pk, customers[1].pk}
    nothing = lead_client.post("/dashboard/customers/bulk-assign/", {"customers": [], "sales_rep": rep.pk},
                               follow=True)
    assert "Select at least one customer." in nothing.content.decode()


def test_levels_page(acme, lead_client):
    assert lead_client.get("/dashboard/customers/levels/").status_code == 200
    assert lead_client.post("/dashboard/customers/levels/", {
        "name": "Level 1 distributor", "price_percent": "85"}).status_code == 302
    assert lead_client.post("/dashboard/customers/levels/", {
        "name": "level 1 DISTRIBUTOR", "price_percent": "80"}).status_code == 400
    assert lead_client.post("/dashboard/customers/levels/", {
        "name": "Free", "price_percent": "0"}).status_code == 400
    with tenant_context(acme):
        level = CustomerLevel.objects.get(name="Level 1 distributor")
        assert level.is_default  # the first level is the default
        services.customer_create(actor=None, name="Uses it")
    assert lead_client.post(f"/dashboard/customers/levels/{level.pk}/", {
        "name": "Level 1", "price_percent": "88", "is_default": "on"}).status_code == 302
    in_use = lead_client.post(f"/dashboard/customers/levels/{level.pk}/", {"action": "delete"},
                              follow=True)
    assert "to another level first" in in_use.content.decode()
    with tenant_context(acme):
        assert CustomerLevel.objects.get(pk=level.pk).name == "Level 1"


def test_shipping_clerk_reads_but_cannot_write_and_dealers_get_403(acme, acme_client, login_as):
    from tests.factories import DealerFactory

    with tenant_context(acme):
        customer = _customers(1)[0]
        login_as(acme_client, acme, staff_with_roles("shipping_clerk"))
    assert acme_client.get("/dashboard/customers/").status_code == 200
    assert acme_client.get(f"/dashboard/customers/{customer.pk}/").status_code == 200
    assert acme_client.get("/dashboard/customers/new/").status_code == 403
    assert acme_client.post(f"/dashboard/customers/{customer.pk}/edit/",
                            {"name": "Hijacked", "payment_terms": "prepaid"}).status_code == 403
    with tenant_context(acme):
        assert Customer.objects.get(pk=customer.pk).name == customer.name
        login_as(acme_client, acme, DealerFactory())
    assert acme_client.get("/dashboard/customers/").status_code == 403


def test_globex_staff_cannot_reach_acme_customers(acme, globex, globex_client, login_as):
    with tenant_context(acme):
        customer = _customers(1)[0]
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    assert globex_client.get(f"/dashboard/customers/{customer.pk}/").status_code == 404
    assert b"Dealer 000" not in globex_client.get("/dashboard/customers/").content
