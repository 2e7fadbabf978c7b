"""Dealer self-service in the shop (/shop/account/): the dealer's profile and company,
the company's shipping addresses (view-only logins may only look) and — for the
company's primary login only — the company's ordering logins. Isolation between
companies and between tenants."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_tenants.utils import tenant_context

from core.exceptions import PermissionDeniedError
from ordering.customers.enums import BuyerRole
from ordering.customers.models import Address, CustomerLogin
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from roles.models import Region
from tests.conftest import TenantClient
from tests.factories import DealerFactory

User = get_user_model()
PASSWORD = "Correct-Horse-42"
SITE = "http://acme.localhost"


def _login(customer, email, **values):
    """A login opened by the platform with a password, ready for force_login."""
    login = login_services.login_create(actor=None, customer=customer, email=email,
                                        password=PASSWORD, site_url=SITE, **values)
    login.user.must_change_password = False
    login.user.save(update_fields=["must_change_password"])
    return login


def _address(customer, recipient="Wang Fang", **values):
    values = {"phone": "13900000000", "address": "1 Harbour Road", **values}
    return contact_services.address_save(actor=None, customer=customer, recipient=recipient,
                                         **values)


@pytest.fixture
def shop(in_acme):
    """Two acme companies. Riverside: primary Alice, Bob (can order), Carol (view only),
    two addresses. Pearl River: primary Dave and one address."""
    region = Region.objects.create(name="Guangdong")
    city = Region.objects.create(name="Shenzhen", parent=region)
    riverside = customer_services.customer_create(
        actor=None, name="Riverside Trading", contact={"name": "Li Lei", "phone": "020-1234"},
        invoice_title="Riverside Trading Ltd.", tax_number="91440300MA5XXXX")
    alice = _login(riverside, "alice@riverside.example", name="Alice")
    bob = _login(riverside, "bob@riverside.example", name="Bob")
    carol = _login(riverside, "carol@riverside.example", name="Carol",
                   buyer_role=BuyerRole.VIEW_ONLY)
    home = _address(riverside, "Alice", region=city)
    depot = _address(riverside, "Depot", address="9 Warehouse Lane")
    pearl = customer_services.customer_create(actor=None, name="Pearl River Foods")
    dave = _login(pearl, "dave@pearl.example", name="Dave")
    pearl_address = _address(pearl, "Dave")
    return SimpleNamespace(riverside=riverside, alice=alice, bob=bob, carol=carol, home=home,
                           depot=depot, pearl=pearl, dave=dave, pearl_address=pearl_address,
                           region=region, city=city)


@pytest.fixture
def as_login(acme, login_as):
    """``as_login(login)``: a fresh acme client signed in as that dealer login."""

    def sign_in(login):
        return login_as(TenantClient("acme.localhost"), acme, login.user)

    return sign_in


def _pages(shop):
    return [
        ("/shop/account/", "account-company"),
        ("/shop/account/addresses/", "address-list"),
        ("/shop/account/addresses/new/", "address-form"),
        (f"/shop/account/addresses/{shop.home.pk}/", "address-form"),
        (f"/shop/account/addresses/{shop.depot.pk}/delete/", "address-delete-confirm"),
        ("/shop/account/logins/", "login-list"),
        ("/shop/account/logins/new/", "login-form"),
        (f"/shop/account/logins/{shop.bob.pk}/", "login-form"),
    ]


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- access --------------------------------------------------------------------------


def test_every_page_renders_for_the_primary_login(shop, as_login):
    client = as_login(shop.alice)
    for url, testid in _pages(shop):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'data-testid="{testid}"' in response.content.decode(), url


def test_account_page_shows_the_company_and_the_buyer_role(shop, as_login):
    login_services.login_update(actor=None, login=shop.bob, buyer_role=BuyerRole.ORDER_UP_TO,
                                order_limit="2500")
    page = as_login(shop.bob).get("/shop/account/").content.decode()
    assert "Riverside Trading" in page and shop.riverside.code in page
    assert "Li Lei" in page and "91440300MA5XXXX" in page
    assert "Can order up to an amount" in page and "2,500.00" in page
    assert 'data-testid="link-addresses"' in page
    assert 'data-testid="link-logins"' not in page  # Bob is not the primary login
    assert 'data-testid="link-logins"' in as_login(shop.alice).get("/shop/account/").content.decode()


def test_home_shows_the_company_and_links_to_the_account(shop, as_login):
    page = as_login(shop.carol).get("/shop/").content.decode()
    assert "Riverside Trading" in page and "View only" in page
    assert 'href="/shop/account/"' in page


def test_pages_need_sign_in(shop, acme_client):
    for url, _testid in _pages(shop):
        response = acme_client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    response = acme_client.post(f"/shop/account/addresses/{shop.home.pk}/delete/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert Address.objects.filter(pk=shop.home.pk).exists()


def test_staff_get_403(shop, acme_client, login_as, acme):
    owner = User.objects.get(email="owner@acme.example")
    login_as(acme_client, acme, owner)
    for url, _testid in _pages(shop):
        assert acme_client.get(url).status_code == 403, url
    assert acme_client.post(f"/shop/account/logins/{shop.bob.pk}/status/",
                            {"action": "disable"}).status_code == 403
    assert User.objects.get(pk=shop.bob.user_id).is_active


def test_a_dealer_without_a_company_gets_a_friendly_404(in_acme, acme, acme_client, login_as):
    login_as(acme_client, acme, DealerFactory())
    response = acme_client.get("/shop/account/")
    assert response.status_code == 404
    assert 'data-testid="account-not-linked"' in response.content.decode()
    assert acme_client.get("/shop/account/addresses/").status_code == 404
    assert 'data-testid="shop-not-linked"' in acme_client.get("/shop/").content.decode()


# --- profile ---------------------------------------------------------------------------


def test_profile_is_saved_through_the_service(shop, as_login):
    client = as_login(shop.bob)
    response = client.post("/shop/account/", {"name": "Bob Chen", "phone": "13811112222",
                                              "preferred_language": "zh-hans"}, follow=True)
    assert response.redirect_chain[-1][0] == "/shop/account/"
    user = User.objects.get(pk=shop.bob.user_id)
    assert (user.name, user.phone, user.preferred_language) == (
        "Bob Chen", "13811112222", "zh-hans")
    assert _messages(response)


def test_profile_refuses_a_phone_of_another_account(shop, as_login):
    User.objects.filter(pk=shop.alice.user_id).update(phone="13800001111")
    response = as_login(shop.bob).post("/shop/account/", {
        "name": "Bob", "phone": "13800001111", "preferred_language": "en"})
    assert response.status_code == 400
    assert "used by another account" in response.content.decode()
    assert User.objects.get(pk=shop.bob.user_id).phone == ""


# --- addresses -------------------------------------------------------------------------


def test_addresses_are_listed_default_first(shop, as_login):
    page = as_login(shop.bob).get("/shop/account/addresses/").content.decode()
    assert page.index("1 Harbour Road") < page.index("9 Warehouse Lane")
    assert page.count('data-testid="address-default-badge"') == 1
    assert "Guangdong Shenzhen" in page
    assert "Dave" not in page  # another company's address


def test_add_an_address_with_a_region(shop, as_login):
    client = as_login(shop.bob)
    page = client.get("/shop/account/addresses/new/").content.decode()
    assert f'value="{shop.city.pk}"' in page and "› Shenzhen" in page
    response = client.post("/shop/account/addresses/new/", {
        "recipient": "Bob", "phone": "13700000000", "region": shop.city.pk,
        "address": "5 Market Street", "postal_code": "518000", "is_default": "on"})
    assert response.status_code == 302 and response.url == "/shop/account/addresses/"
    address = Address.objects.get(address="5 Market Street")
    assert address.customer_id == shop.riverside.pk and address.region_id == shop.city.pk
    assert address.is_default
    assert Address.objects.filter(customer=shop.riverside, is_default=True).count() == 1


def test_an_invalid_address_is_refused_with_messages(shop, as_login):
    response = as_login(shop.bob).post("/shop/account/addresses/new/", {
        "recipient": "", "phone": "", "region": "999999", "address": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert {"recipient", "phone", "address", "region"} <= set(form.errors)
    assert Address.objects.filter(customer=shop.riverside).count() == 2


def test_edit_set_default_and_delete_an_address(shop, as_login):
    client = as_login(shop.bob)
    response = client.post(f"/shop/account/addresses/{shop.depot.pk}/", {
        "recipient": "Depot B", "phone": "13900000001", "region": "",
        "address": "10 Warehouse Lane", "postal_code": ""})
    assert response.status_code == 302
    shop.depot.refresh_from_db()
    assert (shop.depot.recipient, shop.depot.address) == ("Depot B", "10 Warehouse Lane")
    assert not shop.depot.is_default

    response = client.post(f"/shop/account/addresses/{shop.depot.pk}/default/", follow=True)
    assert "Default address changed." in _messages(response)
    shop.depot.refresh_from_db()
    shop.home.refresh_from_db()
    assert shop.depot.is_default and not shop.home.is_default

    confirm = client.get(f"/shop/account/addresses/{shop.depot.pk}/delete/")
    assert "10 Warehouse Lane" in confirm.content.decode()
    assert Address.objects.filter(pk=shop.depot.pk).exists()  # GET only asks
    response = client.post(f"/shop/account/addresses/{shop.depot.pk}/delete/", follow=True)
    assert "Address deleted." in _messages(response)
    assert not Address.objects.filter(pk=shop.depot.pk).exists()
    shop.home.refresh_from_db()
    assert shop.home.is_default  # the remaining address took over


def test_another_companys_address_is_not_found_and_unchanged(shop, as_login):
    client = as_login(shop.alice)
    target = shop.pearl_address
    base = f"/shop/account/addresses/{target.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/", {"recipient": "Hacked", "phone": "1", "address": "x"}
                       ).status_code == 404
    assert client.post(f"{base}/default/").status_code == 404
    assert client.get(f"{base}/delete/").status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    target.refresh_from_db()
    assert target.recipient == "Dave" and target.is_default


def test_a_view_only_login_sees_but_cannot_change_addresses(shop, as_login):
    client = as_login(shop.carol)
    page = client.get("/shop/account/addresses/").content.decode()
    assert "1 Harbour Road" in page and 'data-testid="addresses-view-only"' in page
    assert 'data-testid="address-add"' not in page and 'data-testid="address-edit"' not in page
    assert client.get("/shop/account/addresses/new/").status_code == 403
    response = client.post("/shop/account/addresses/new/", {
        "recipient": "Carol", "phone": "13600000000", "address": "7 Side Street"})
    assert response.status_code == 403
    assert client.post(f"/shop/account/addresses/{shop.depot.pk}/default/").status_code == 403
    assert client.post(f"/shop/account/addresses/{shop.home.pk}/delete/").status_code == 403
    assert Address.objects.filter(customer=shop.riverside).count() == 2
    shop.home.refresh_from_db()
    assert shop.home.is_default


def test_the_service_refuses_address_changes_by_a_view_only_login(shop):
    carol = User.objects.get(pk=shop.carol.user_id)
    with pytest.raises(PermissionDeniedError):
        contact_services.address_save(actor=carol, customer=shop.riverside, recipient="C",
                                      phone="1", address="x")
    with pytest.raises(PermissionDeniedError):
        contact_services.address_set_default(actor=carol, address=shop.depot)
    with pytest.raises(PermissionDeniedError):
        contact_services.address_delete(actor=carol, address=shop.home)
    assert Address.objects.filter(customer=shop.riverside).count() == 2
    # a login that may order does it
    bob = User.objects.get(pk=shop.bob.user_id)
    contact_services.address_set_default(actor=bob, address=shop.depot)
    shop.depot.refresh_from_db()
    assert shop.depot.is_default


# --- logins ----------------------------------------------------------------------------


def test_the_primary_lists_its_companys_logins(shop, as_login):
    page = as_login(shop.alice).get("/shop/account/logins/").content.decode()
    for email in ("alice@riverside.example", "bob@riverside.example",
                  "carol@riverside.example"):
        assert email in page
    assert "dave@pearl.example" not in page
    assert page.count('data-testid="login-card"') == 3
    assert page.count('data-testid="login-disable"') == 2  # not on its own card


def test_the_primary_adds_a_login_with_an_initial_password(shop, as_login, acme):
    response = as_login(shop.alice).post("/shop/account/logins/new/", {
        "email": "Erin@Riverside.example", "name": "Erin", "phone": "13500000000",
        "buyer_role": BuyerRole.ORDER, "access": "password", "password": "Erin-pass-2026"},
        follow=True)
    assert response.redirect_chain[-1][0] == "/shop/account/logins/"
    assert any("erin@riverside.example" in m for m in _messages(response))
    erin = CustomerLogin.objects.select_related("user").get(user__email="erin@riverside.example")
    assert erin.customer_id == shop.riverside.pk and not erin.is_primary
    assert erin.user.must_change_password and erin.user.phone == "13500000000"
    assert len(mail.outbox) == 0
    # Erin signs in and must choose her own password first
    client = TenantClient("acme.localhost")
    response = client.post("/login/", {"username": "erin@riverside.example",
                                       "password": "Erin-pass-2026"})
    assert response.status_code == 302 and response.url == "/password/change/"
    assert client.get("/shop/account/").url == "/password/change/"


def test_the_primary_adds_a_login_with_an_invitation(shop, as_login,
                                                    django_capture_on_commit_callbacks):
    client = as_login(shop.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/shop/account/logins/new/", {
            "email": "frank@riverside.example", "name": "Frank", "phone": "",
            "buyer_role": BuyerRole.ORDER_UP_TO, "order_limit": "800",
            "access": "invite", "password": "ignored-Pass-2026"})
    assert response.status_code == 302
    frank = CustomerLogin.objects.select_related("user").get(user__email="frank@riverside.example")
    assert frank.buyer_role == BuyerRole.ORDER_UP_TO and frank.order_limit == Decimal("800.00")
    assert not frank.user.has_usable_password() and not frank.user.must_change_password
    assert [m.to for m in mail.outbox] == [["frank@riverside.example"]]
    assert "http://acme.localhost/password/reset/" in mail.outbox[0].body


def test_adding_a_login_checks_its_input(shop, as_login):
    client = as_login(shop.alice)
    before = CustomerLogin.objects.count()
    response = client.post("/shop/account/logins/new/", {
        "email": "gina@riverside.example", "buyer_role": BuyerRole.ORDER, "access": "password",
        "password": ""})
    assert response.status_code == 400 and "password" in response.context["form"].errors
    response = client.post("/shop/account/logins/new/", {
        "email": "gina@riverside.example", "buyer_role": BuyerRole.ORDER_UP_TO,
        "order_limit": "", "access": "invite"})
    assert response.status_code == 400
    assert "Enter the amount up to which this login may order." in response.content.decode()
    response = client.post("/shop/account/logins/new/", {
        "email": "BOB@riverside.example", "buyer_role": BuyerRole.ORDER, "access": "invite"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert CustomerLogin.objects.count() == before


def test_the_primary_sets_a_buyer_role_with_a_limit(shop, as_login):
    client = as_login(shop.alice)
    url = f"/shop/account/logins/{shop.bob.pk}/"
    response = client.post(url, {"name": "Bob", "phone": "", "buyer_role": "order_up_to",
                                 "order_limit": ""})
    assert response.status_code == 400
    assert "Enter the amount up to which this login may order." in response.content.decode()
    assert CustomerLogin.objects.get(pk=shop.bob.pk).buyer_role == BuyerRole.ORDER

    response = client.post(url, {"name": "Bob Wong", "phone": "13400000000",
                                 "buyer_role": "order_up_to", "order_limit": "1500.50"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/shop/account/logins/"
    assert "Login saved." in _messages(response)
    bob = CustomerLogin.objects.select_related("user").get(pk=shop.bob.pk)
    assert (bob.buyer_role, bob.order_limit) == (BuyerRole.ORDER_UP_TO, Decimal("1500.50"))
    assert (bob.user.name, bob.user.phone) == ("Bob Wong", "13400000000")
    assert "1,500.50" in response.content.decode()


def test_the_primary_cannot_demote_or_disable_itself(shop, as_login):
    client = as_login(shop.alice)
    response = client.post(f"/shop/account/logins/{shop.alice.pk}/", {
        "name": "Alice", "phone": "", "buyer_role": "view_only"})
    assert response.status_code == 400
    assert "The primary login must be able to order without limit" in response.content.decode()
    response = client.post(f"/shop/account/logins/{shop.alice.pk}/status/",
                           {"action": "disable"}, follow=True)
    assert "You cannot disable your own login." in _messages(response)
    alice = CustomerLogin.objects.select_related("user").get(pk=shop.alice.pk)
    assert alice.buyer_role == BuyerRole.ORDER and alice.user.is_active


def test_a_disabled_login_is_signed_out_and_can_be_enabled_again(shop, as_login):
    bob_client = as_login(shop.bob)
    assert bob_client.get("/shop/account/").status_code == 200
    response = as_login(shop.alice).post(f"/shop/account/logins/{shop.bob.pk}/status/",
                                         {"action": "disable"}, follow=True)
    assert "bob@riverside.example is disabled and signed out." in _messages(response)
    assert not User.objects.get(pk=shop.bob.user_id).is_active
    response = bob_client.get("/shop/account/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert bob_client.get("/shop/").status_code == 302

    as_login(shop.alice).post(f"/shop/account/logins/{shop.bob.pk}/status/",
                              {"action": "enable"})
    assert User.objects.get(pk=shop.bob.user_id).is_active
    response = TenantClient("acme.localhost").post(
        "/login/", {"username": "bob@riverside.example", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/shop/"


def test_the_primary_sends_a_password_link(shop, as_login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_login(shop.alice).post(
            f"/shop/account/logins/{shop.carol.pk}/password-link/", follow=True)
    assert "A password link was sent to carol@riverside.example." in _messages(response)
    assert [m.to for m in mail.outbox] == [["carol@riverside.example"]]


def test_a_non_primary_login_cannot_manage_logins(shop, as_login):
    client = as_login(shop.bob)
    for url in ("/shop/account/logins/", "/shop/account/logins/new/",
                f"/shop/account/logins/{shop.carol.pk}/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert 'data-testid="forbidden"' in response.content.decode()
    count = CustomerLogin.objects.count()
    assert client.post("/shop/account/logins/new/", {
        "email": "sneaky@riverside.example", "buyer_role": "order", "access": "password",
        "password": "Sneaky-pass-2026"}).status_code == 403
    assert client.post(f"/shop/account/logins/{shop.carol.pk}/", {
        "name": "Carol", "phone": "", "buyer_role": "order"}).status_code == 403
    assert client.post(f"/shop/account/logins/{shop.alice.pk}/status/",
                       {"action": "disable"}).status_code == 403
    assert client.post(f"/shop/account/logins/{shop.carol.pk}/password-link/"
                       ).status_code == 403
    assert CustomerLogin.objects.count() == count
    assert CustomerLogin.objects.get(pk=shop.carol.pk).buyer_role == BuyerRole.VIEW_ONLY
    assert User.objects.get(pk=shop.alice.user_id).is_active
    assert len(mail.outbox) == 0


# --- isolation -------------------------------------------------------------------------


def test_another_acme_companys_logins_are_not_found(shop, as_login):
    client = as_login(shop.alice)
    base = f"/shop/account/logins/{shop.dave.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/", {"name": "X", "phone": "", "buyer_role": "view_only"}
                       ).status_code == 404
    assert client.post(f"{base}/status/", {"action": "disable"}).status_code == 404
    assert client.post(f"{base}/password-link/").status_code == 404
    dave = CustomerLogin.objects.select_related("user").get(pk=shop.dave.pk)
    assert dave.buyer_role == BuyerRole.ORDER and dave.user.is_active and dave.user.name == "Dave"
    assert len(mail.outbox) == 0


def test_a_globex_dealer_session_does_not_work_on_acme(shop, globex, login_as):
    with tenant_context(globex):
        company = customer_services.customer_create(actor=None, name="环球经销")
        globex_login = _login(company, "buyer@globex.example")
    globex_client = login_as(TenantClient("globex.localhost"), globex, globex_login.user)
    assert globex_client.get("/shop/account/").status_code == 200
    stolen = TenantClient("acme.localhost")
    stolen.cookies["sessionid"] = globex_client.cookies["sessionid"].value
    for url in ("/shop/account/", "/shop/account/addresses/", "/shop/account/logins/"):
        response = stolen.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    response = stolen.post(f"/shop/account/addresses/{shop.home.pk}/delete/")
    assert response.status_code in (302, 403)
    assert Address.objects.filter(pk=shop.home.pk).exists()
