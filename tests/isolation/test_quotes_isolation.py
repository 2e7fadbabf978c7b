"""Nothing of acme's inquiries is reachable from globex: every inquiry URL of the API, the
dashboard and the shop (pages, print, PDF, files, messages), by id, with a globex
administrator's session, a globex API key and a globex dealer's session is 404, globex's
lists do not show it, and nothing changes. Globex's API key on
acme's host and acme's sessions on globex's host are refused before anything is read."""

import pytest
from django_tenants.utils import tenant_context

from ordering.orders.models import Order
from ordering.quotes.models import (Counter, Inquiry, InquiryAttachment, InquiryEvent,
                                    InquiryMessage, Quotation)
from roles.services.api_keys import api_key_create
from tests.conftest import TenantClient, host_of
from tests.isolation import test_orders_isolation
from tests.orders.conftest import build_shop
from tests.quotes.conftest import answer, ask

STAFF_GET = ["/api/v1/inquiries/{pk}/", "/api/v1/inquiries/{pk}/diff/"]
STAFF_POST = ["/api/v1/inquiries/{pk}/assign/", "/api/v1/inquiries/{pk}/quote/",
              "/api/v1/inquiries/{pk}/accept/"]
DEALER_GET = ["/api/v1/my/inquiries/{pk}/", "/api/v1/my/inquiries/{pk}/diff/"]
DEALER_POST = ["/api/v1/my/inquiries/{pk}/counter/", "/api/v1/my/inquiries/{pk}/decline/",
               "/api/v1/my/inquiries/{pk}/withdraw/", "/api/v1/my/inquiries/{pk}/accept/"]
DASHBOARD_GET = ["/dashboard/quotes/{pk}/", "/dashboard/quotes/{pk}/assign/",
                 "/dashboard/quotes/{pk}/quote/", "/dashboard/quotes/{pk}/accept/",
                 "/dashboard/quotes/{pk}/v1/print/", "/dashboard/quotes/{pk}/v1/pdf/",
                 "/dashboard/quotes/{pk}/files/{file}/"]
DASHBOARD_POST = ["/dashboard/quotes/{pk}/assign/", "/dashboard/quotes/{pk}/quote/",
                  "/dashboard/quotes/{pk}/accept/", "/dashboard/quotes/{pk}/messages/",
                  "/dashboard/quotes/{pk}/files/"]
SHOP_GET = ["/shop/quotes/{pk}/", "/shop/quotes/{pk}/accept/", "/shop/quotes/new/?copy={pk}",
            "/shop/quotes/{pk}/v1/print/", "/shop/quotes/{pk}/v1/pdf/",
            "/shop/quotes/{pk}/files/{file}/"]
SHOP_POST = ["/shop/quotes/{pk}/counter/", "/shop/quotes/{pk}/decline/",
             "/shop/quotes/{pk}/withdraw/", "/shop/quotes/{pk}/accept/",
             "/shop/quotes/{pk}/messages/", "/shop/quotes/{pk}/files/"]
globex_users = test_orders_isolation.globex_users  # a globex administrator and dealer
_statuses = test_orders_isolation._statuses


@pytest.fixture
def acme_inquiry(acme):
    """A quoted acme inquiry with a file, and its shop."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ordering.quotes.attachments import attachment_add

    with tenant_context(acme):
        shop = build_shop(acme)
        inquiry = ask(shop)
        answer(shop, inquiry)
        attachment_add(actor=shop.dana.user, inquiry=inquiry,
                       file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%x\n"))
        return shop, inquiry


@pytest.fixture
def globex_key(globex, globex_users):
    """A globex API key (acting as globex's administrator)."""
    with tenant_context(globex):
        return api_key_create(actor=None, user=globex_users[0], name="ERP")[1]


def _file_of(acme, inquiry):
    with tenant_context(acme):
        return InquiryAttachment.objects.get(inquiry_id=inquiry.pk).pk


def _acme_state(acme):
    with tenant_context(acme):
        return (sorted(Inquiry.objects.values_list("pk", "status", "assigned_to")),
                sorted(Quotation.objects.values_list("pk", "status")), Counter.objects.count(),
                InquiryEvent.objects.count(), Order.objects.count(),
                InquiryMessage.objects.count(), InquiryAttachment.objects.count())


def test_acme_inquiries_are_404_on_globex_by_session_and_api_key(
        acme, globex, acme_inquiry, globex_users, globex_key, login_as):
    _shop, inquiry = acme_inquiry
    admin, dealer = globex_users
    before = _acme_state(acme)
    staff = login_as(TenantClient(host_of(globex)), globex, admin)
    keyed = TenantClient(host_of(globex), HTTP_AUTHORIZATION=f"Api-Key {globex_key}")
    buyer = login_as(TenantClient(host_of(globex)), globex, dealer)
    results = {}
    file = _file_of(acme, inquiry)
    for who, client, gets, posts in (
            ("session", staff, STAFF_GET + DASHBOARD_GET, STAFF_POST + DASHBOARD_POST),
            ("key", keyed, STAFF_GET, STAFF_POST),
            ("dealer", buyer, DEALER_GET + SHOP_GET, DEALER_POST + SHOP_POST)):
        for url, code in {**_statuses(client, gets, inquiry.pk, "get", file=file),
                          **_statuses(client, posts, inquiry.pk, "post", file=file)}.items():
            results[f"{who} {url}"] = code
    assert {call: code for call, code in results.items() if code != 404} == {}
    for client in (staff, keyed):
        assert client.get("/api/v1/inquiries/").json()["count"] == 0
    assert buyer.get("/api/v1/my/inquiries/").json()["count"] == 0
    assert inquiry.number.encode() not in staff.get("/dashboard/quotes/").content
    assert inquiry.number.encode() not in buyer.get("/shop/quotes/").content
    assert _acme_state(acme) == before
    with tenant_context(globex):
        assert not Inquiry.objects.exists() and not Order.objects.exists()


def test_globex_credentials_mean_nothing_on_acme_and_acme_sessions_nothing_on_globex(
        acme, globex, acme_inquiry, globex_key, login_as):
    shop, inquiry = acme_inquiry
    before = _acme_state(acme)
    keyed = TenantClient(host_of(acme), HTTP_AUTHORIZATION=f"Api-Key {globex_key}")
    for path in ("/api/v1/inquiries/", f"/api/v1/inquiries/{inquiry.pk}/"):
        response = keyed.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_failed"
    response = keyed.post(f"/api/v1/inquiries/{inquiry.pk}/accept/", {},
                          content_type="application/json")
    assert response.status_code == 401
    for user, path in ((shop.staff.admin, f"/api/v1/inquiries/{inquiry.pk}/"),
                       (shop.dana.user, f"/api/v1/my/inquiries/{inquiry.pk}/")):
        home = login_as(TenantClient(host_of(acme)), acme, user)
        assert home.get(path).status_code == 200
        crossed = TenantClient(host_of(globex))
        crossed.cookies = home.cookies
        assert crossed.get(path).status_code in (401, 403), path
        assert crossed.post(path.replace(f"{inquiry.pk}/", f"{inquiry.pk}/accept/"), {},
                            content_type="application/json").status_code in (401, 403)
    assert _acme_state(acme) == before


def test_a_globex_dealer_session_is_anonymous_on_acme_s_shop(acme, globex, acme_inquiry,
                                                           globex_users, login_as):
    _shop, inquiry = acme_inquiry
    buyer = login_as(TenantClient(host_of(globex)), globex, globex_users[1])
    assert buyer.get("/shop/quotes/").status_code == 200
    before = _acme_state(acme)
    stolen = TenantClient(host_of(acme))
    stolen.cookies["sessionid"] = buyer.cookies["sessionid"].value
    for path in ("/shop/quotes/{pk}/", "/shop/quotes/{pk}/accept/", "/shop/quotes/{pk}/v1/pdf/"):
        response = stolen.get(path.format(pk=inquiry.pk))
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = stolen.post(f"/shop/quotes/{inquiry.pk}/decline/", {"decline-reason": "x"})
    assert response.status_code in (302, 403)
    assert _acme_state(acme) == before
