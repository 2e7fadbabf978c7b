"""Nothing of acme's inquiries is reachable from globex through the shop: a globex
dealer's session gets 404 on every inquiry URL by acme's id (and acme's number is not
in its list), a globex session cookie is anonymous on acme's site, and nothing
changes."""

import pytest
from django_tenants.utils import tenant_context

from ordering.customers.services import contacts, customers
from ordering.quotes.models import Inquiry
from tests.conftest import TenantClient, host_of
from tests.orders.conftest import build_shop, dealer_login
from tests.quotes.conftest import answer, ask

DEALER_GET = ["/shop/quotes/{pk}/", "/shop/quotes/{pk}/accept/", "/shop/quotes/new/?copy={pk}"]
DEALER_POST = ["/shop/quotes/{pk}/counter/", "/shop/quotes/{pk}/decline/",
               "/shop/quotes/{pk}/withdraw/", "/shop/quotes/{pk}/accept/"]


@pytest.fixture
def acme_inquiry(acme):
    with tenant_context(acme):
        shop = build_shop(acme)
        inquiry = ask(shop)
        answer(shop, inquiry)
        inquiry.refresh_from_db()
        return inquiry


@pytest.fixture
def globex_dealer(globex):
    with tenant_context(globex):
        customer = customers.customer_create(actor=None, name="Globex buyer")
        contacts.address_save(actor=None, customer=customer, recipient="G", phone="1",
                              address="Road")
        return dealer_login(customer, "buyer@globex-quotes.example").user


def test_acme_inquiries_are_404_for_a_globex_dealer(acme, globex, acme_inquiry, globex_dealer,
                                                    login_as):
    buyer = login_as(TenantClient(host_of(globex)), globex, globex_dealer)
    seen = {}
    for path in DEALER_GET:
        url = path.format(pk=acme_inquiry.pk)
        seen[url] = buyer.get(url).status_code
    for path in DEALER_POST:
        url = path.format(pk=acme_inquiry.pk)
        seen[url] = buyer.post(url, {"decline-reason": "x", "withdraw-reason": "x"}).status_code
    assert {url: code for url, code in seen.items() if code != 404} == {}
    listing = buyer.get("/shop/quotes/")
    assert listing.status_code == 200
    assert acme_inquiry.number.encode() not in listing.content
    with tenant_context(acme):
        inquiry = Inquiry.objects.get(pk=acme_inquiry.pk)
        assert inquiry.status == acme_inquiry.status == "quoted"
        assert inquiry.events.count() == 1  # quoted, nothing since


def test_a_globex_dealer_session_is_anonymous_on_acme(acme, globex, acme_inquiry, globex_dealer,
                                                      login_as):
    buyer = login_as(TenantClient(host_of(globex)), globex, globex_dealer)
    assert buyer.get("/shop/quotes/").status_code == 200
    stolen = TenantClient(host_of(acme))
    stolen.cookies["sessionid"] = buyer.cookies["sessionid"].value
    for path in DEALER_GET:
        response = stolen.get(path.format(pk=acme_inquiry.pk))
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = stolen.post(f"/shop/quotes/{acme_inquiry.pk}/decline/", {"decline-reason": "x"})
    assert response.status_code in (302, 403)
    with tenant_context(acme):
        assert Inquiry.objects.get(pk=acme_inquiry.pk).status == "quoted"
