"""The customers API (/api/v1/ on each tenant): customers, contacts, addresses, ordering
logins, levels and applications; structured validation errors; the permission table;
scoping of regional managers and sales reps; tenant isolation; query budgets."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.customers.enums import ApplicationStatus, CustomerStatus
from ordering.customers.models import (Address, Contact, Customer, CustomerApplication,
                                       CustomerLevel, CustomerLogin)
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from roles.models import AuditLog
from roles.services.api_keys import api_key_create
from roles.services.regions import region_create
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles

User = get_user_model()
API = "/api/v1"
JSON = "application/json"


def _owner():
    return User.objects.get(email="owner@acme.example")


def _post(client, path, data=None, **extra):
    return client.post(path, data if data is not None else {}, content_type=JSON, **extra)


def _patch(client, path, data, **extra):
    return client.patch(path, data, content_type=JSON, **extra)


def _error(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()["error"]


@pytest.fixture
def owner_client(in_acme, acme_client, login_as):
    """The acme client signed in as the system administrator (every permission)."""
    return login_as(acme_client, in_acme, _owner())


@pytest.fixture
def signed_in(in_acme, acme_client, login_as):
    """``signed_in(user)``: acme_client signed in as ``user``."""

    def _sign(user):
        return login_as(acme_client, in_acme, user)

    return _sign


def _pending_application(customer_factory, name="Newcomer Ltd", email="new@newcomer.example",
                         region=None):
    customer = customer_factory(name, email=email, region=region,
                                status=CustomerStatus.PENDING,
                                contact={"name": "Nia New", "phone": "139000"})
    return CustomerApplication.objects.create(
        customer=customer, contact_name="Nia New", email=email, phone="13900000001",
        licence="private/licences/0123456789abcdef.png", message="Please", language="en")


# --- customers: happy paths ------------------------------------------------------------


def test_list_shows_each_customer_with_level_region_rep_and_primary_contact(
        owner_client, customer_factory):
    region = region_create(actor=None, name="Guangdong")
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    rep = staff_with_roles("sales_rep", name="Rita Rep")
    customer = customer_factory(
        "Riverside Trading", code="RIV-1", phone="020-1", email="Buy@River.example",
        region=region, level=level, sales_rep=rep, credit_limit="5000",
        payment_terms="credit", payment_days=30, tags=["vip", "north"],
        contact={"name": "Li Lei", "phone": "138", "email": "li@river.example",
                 "title": "Buyer"})
    body = owner_client.get(f"{API}/customers/").json()
    assert body["count"] == 1 and body["next"] is None
    item = body["results"][0]
    contact = Contact.objects.get(customer=customer)
    assert item == {
        "id": customer.pk, "code": "RIV-1", "name": "Riverside Trading", "phone": "020-1",
        "email": "buy@river.example", "status": "active", "status_label": "Active",
        "level": {"id": level.pk, "name": "Gold"},
        "region": {"id": region.pk, "name": "Guangdong"},
        "sales_rep": {"id": rep.pk, "name": "Rita Rep"},
        "tags": ["vip", "north"], "credit_limit": "5000.00", "payment_terms": "credit",
        "payment_days": 30,
        "primary_contact": {"id": contact.pk, "name": "Li Lei", "title": "Buyer",
                            "phone": "138", "email": "li@river.example", "is_primary": True},
        "created_at": item["created_at"],
    }
    assert item["created_at"].startswith(str(customer.created_at.year))


def test_list_filters_and_sorts(owner_client, customer_factory):
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    zj = region_create(actor=None, name="Zhejiang")
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    silver = customer_services.level_create(actor=None, name="Silver", price_percent=95)
    rep = staff_with_roles("sales_rep")
    a = customer_factory("Alpha", code="A-1", region=gd, level=gold, sales_rep=rep,
                         tags=["vip"], contact={"name": "Zhang San", "phone": "1390"})
    b = customer_factory("Beta", code="B-1", region=gz, level=silver, credit_limit="900")
    c = customer_factory("Gamma", code="C-1", region=zj, level=silver, credit_limit="100")
    customer_services.customer_set_status(actor=None, customer=c, active=False)

    def ids(**params):
        body = owner_client.get(f"{API}/customers/", params).json()
        return [item["id"] for item in body["results"]]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(q="zhang") == [a.pk]  # a contact's name
    assert ids(q="b-1") == [b.pk]
    assert ids(level=silver.pk) == [b.pk, c.pk]
    assert ids(region=gd.pk) == [a.pk, b.pk]  # sub-regions included
    assert ids(sales_rep=rep.pk) == [a.pk]
    assert ids(sales_rep="none") == [b.pk, c.pk]
    assert ids(status="disabled") == [c.pk]
    assert ids(tag="vip") == [a.pk]
    assert ids(sort="-credit") == [b.pk, c.pk, a.pk]
    assert ids(sort="-name") == [c.pk, b.pk, a.pk]
    # Values that fit no filter are refused (issue 10, item 16), not ignored.
    refused = owner_client.get(f"{API}/customers/",
                               {"level": "abc", "region": "x", "sort": "nonsense"})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"level", "region", "sort"}


def test_list_is_paginated(owner_client, customer_factory):
    for number in range(55):
        customer_factory(f"Customer {number:02d}")
    first = owner_client.get(f"{API}/customers/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    second = owner_client.get(f"{API}/customers/", {"page": 2}).json()
    assert [item["name"] for item in second["results"]] == [
        f"Customer {n}" for n in range(50, 55)]


def test_create_a_customer_with_its_primary_contact(owner_client):
    region = region_create(actor=None, name="Guangdong")
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    rep = staff_with_roles("sales_rep", name="Rita Rep")
    response = _post(owner_client, f"{API}/customers/", {
        "name": "  Riverside Trading ", "code": "", "phone": "020-1",
        "email": "Buy@River.example", "region": region.pk, "level": level.pk,
        "sales_rep": rep.pk, "credit_limit": "5000.5", "payment_terms": "credit",
        "payment_days": 30, "tags": ["vip", "VIP", "north"], "notes": "Big buyer",
        "invoice_title": "Riverside Trading Co.", "tax_number": "91440000",
        "contact": {"name": "Li Lei", "phone": "138", "email": "LI@river.example",
                    "title": "Buyer"}})
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.name == "Riverside Trading" and customer.code.startswith("C")
    assert customer.credit_limit == Decimal("5000.50") and customer.tags == ["vip", "north"]
    assert customer.sales_rep == rep and customer.created_by == _owner()
    assert body["code"] == customer.code and body["credit_limit"] == "5000.50"
    assert body["notes"] == "Big buyer" and body["invoice_title"] == "Riverside Trading Co."
    assert body["tax_number"] == "91440000"
    assert body["sales_rep"] == {"id": rep.pk, "name": "Rita Rep"}
    assert [(c["name"], c["email"], c["is_primary"]) for c in body["contacts"]] == [
        ("Li Lei", "li@river.example", True)]
    assert body["primary_contact"]["name"] == "Li Lei"
    assert body["addresses"] == [] and body["logins"] == []
    entry = AuditLog.objects.get(action="customer.create")
    assert entry.actor == _owner() and entry.object_id == str(customer.pk)
    assert entry.ip_address == "127.0.0.1"


def test_create_with_only_a_name_uses_the_default_level(owner_client):
    level = customer_services.level_create(actor=None, name="Retail", price_percent=100)
    response = _post(owner_client, f"{API}/customers/", {"name": "Solo Shop"})
    assert response.status_code == 201
    body = response.json()
    assert body["level"] == {"id": level.pk, "name": "Retail"}
    assert body["sales_rep"] is None and body["region"] is None
    assert body["primary_contact"] is None and body["credit_limit"] == "0.00"


def test_detail_has_contacts_addresses_logins_invoice_and_notes(owner_client, customer_factory):
    region = region_create(actor=None, name="Guangdong")
    customer = customer_factory("Riverside", notes="Pays late", invoice_title="Riverside Co.",
                                tax_number="9144", bank_name="ICBC", bank_account="6222",
                                invoice_address="1 River Rd", invoice_phone="020-2",
                                contact={"name": "Li Lei"})
    from ordering.customers.services import contacts as contact_services

    contact_services.contact_save(actor=None, customer=customer, name="Wang Wu", phone="137")
    address = contact_services.address_save(actor=None, customer=customer, recipient="Li Lei",
                                            phone="138", region=region, address="1 River Rd",
                                            postal_code="510000")
    login = login_services.login_create(actor=None, customer=customer,
                                        email="li@river.example", name="Li Lei", phone="138",
                                        password="Dealer-pass-2026")
    body = owner_client.get(f"{API}/customers/{customer.pk}/").json()
    assert {k: body[k] for k in ("notes", "invoice_title", "tax_number", "bank_name",
                                 "bank_account", "invoice_address", "invoice_phone")} == {
        "notes": "Pays late", "invoice_title": "Riverside Co.", "tax_number": "9144",
        "bank_name": "ICBC", "bank_account": "6222", "invoice_address": "1 River Rd",
        "invoice_phone": "020-2"}
    assert [(c["name"], c["is_primary"]) for c in body["contacts"]] == [
        ("Li Lei", True), ("Wang Wu", False)]
    assert body["addresses"] == [{
        "id": address.pk, "recipient": "Li Lei", "phone": "138",
        "region": {"id": region.pk, "name": "Guangdong"}, "address": "1 River Rd",
        "postal_code": "510000", "full_address": "Guangdong 1 River Rd", "is_default": True}]
    assert body["logins"] == [{
        "id": login.pk, "user_id": login.user_id, "email": "li@river.example",
        "name": "Li Lei", "phone": "138", "buyer_role": "order", "order_limit": None,
        "is_primary": True, "is_active": True, "last_login": None,
        "created_at": body["logins"][0]["created_at"]}]
    assert "password" not in str(body)


def test_unknown_customer_is_404_in_the_error_shape(owner_client):
    error = _error(owner_client.get(f"{API}/customers/999999/"), 404)
    assert error["code"] == "not_found"
    assert _error(_patch(owner_client, f"{API}/customers/999999/", {"name": "X"}), 404)
    assert _error(_post(owner_client, f"{API}/customers/999999/disable/"), 404)


def test_patch_changes_only_the_fields_sent(owner_client, customer_factory):
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    customer = customer_factory("Riverside", phone="020-1", notes="Keep me", tags=["a"])
    response = _patch(owner_client, f"{API}/customers/{customer.pk}/",
                      {"name": "Riverside Trading", "level": level.pk, "tags": ["b", "c"],
                       "credit_limit": "800", "payment_terms": "on_delivery"})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.name == "Riverside Trading" and customer.level == level
    assert customer.tags == ["b", "c"] and customer.credit_limit == Decimal("800.00")
    assert customer.phone == "020-1" and customer.notes == "Keep me"
    assert response.json()["level"] == {"id": level.pk, "name": "Gold"}
    entry = AuditLog.objects.get(action="customer.update")
    assert entry.before["name"] == "Riverside" and entry.after["name"] == "Riverside Trading"
    # null clears the level and the region; an empty PATCH changes nothing
    assert _patch(owner_client, f"{API}/customers/{customer.pk}/",
                  {"level": None}).json()["level"] is None
    assert _patch(owner_client, f"{API}/customers/{customer.pk}/", {}).status_code == 200
    assert AuditLog.objects.filter(action="customer.update").count() == 2


def test_disable_and_enable_a_customer_with_its_logins(owner_client, customer_factory):
    customer = customer_factory("Riverside")
    login = login_services.login_create(actor=None, customer=customer,
                                        email="li@river.example", password="Dealer-pass-2026")
    body = _post(owner_client, f"{API}/customers/{customer.pk}/disable/").json()
    assert body["status"] == "disabled" and body["logins"][0]["is_active"] is False
    login.user.refresh_from_db()
    assert not login.user.is_active
    # disabling twice is harmless
    assert _post(owner_client, f"{API}/customers/{customer.pk}/disable/").status_code == 200
    body = _post(owner_client, f"{API}/customers/{customer.pk}/enable/").json()
    assert body["status"] == "active" and body["logins"][0]["is_active"] is True
    assert list(AuditLog.objects.filter(action__in=["customer.disable", "customer.enable"])
                .order_by("id").values_list("action", flat=True)) == [
        "customer.disable", "customer.enable"]


def test_a_pending_customer_is_enabled_only_through_its_application(
        owner_client, customer_factory):
    application = _pending_application(customer_factory)
    error = _error(_post(owner_client, f"{API}/customers/{application.customer_id}/enable/"))
    assert error["code"] == "pending_application"
    assert Customer.objects.get(pk=application.customer_id).status == CustomerStatus.PENDING


def test_disabling_a_customer_signs_its_dealer_out_at_the_next_request(
        acme, owner_client, customer_factory, login_as):
    customer = customer_factory("Riverside")
    login = login_services.login_create(actor=None, customer=customer,
                                        email="li@river.example", name="Li Lei")
    dealer = TenantClient(host_of(acme))
    login_as(dealer, acme, login.user)
    assert dealer.get(f"{API}/me/").json()["email"] == "li@river.example"
    assert dealer.get("/shop/").status_code == 200
    assert _post(owner_client, f"{API}/customers/{customer.pk}/disable/").status_code == 200
    assert dealer.get(f"{API}/me/").status_code in (401, 403)
    assert dealer.get("/shop/").status_code == 302
    # enabling again does not bring the old session back
    assert _post(owner_client, f"{API}/customers/{customer.pk}/enable/").status_code == 200
    assert dealer.get(f"{API}/me/").status_code in (401, 403)


def test_bulk_assign_sets_only_the_keys_sent(owner_client, customer_factory):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    silver = customer_services.level_create(actor=None, name="Silver", price_percent=95)
    rep = staff_with_roles("sales_rep")
    a = customer_factory("Alpha", level=gold)
    b = customer_factory("Beta", level=gold)
    c = customer_factory("Gamma", level=gold)
    response = _post(owner_client, f"{API}/customers/bulk-assign/",
                     {"customers": [a.pk, b.pk], "sales_rep": rep.pk})
    assert response.status_code == 200 and response.json() == {"updated": 2}
    assert set(Customer.objects.filter(sales_rep=rep).values_list("pk", flat=True)) == {
        a.pk, b.pk}
    assert set(Customer.objects.filter(level=gold).values_list("pk", flat=True)) == {
        a.pk, b.pk, c.pk}
    response = _post(owner_client, f"{API}/customers/bulk-assign/",
                     {"customers": [b.pk, c.pk], "level": silver.pk})
    assert response.json() == {"updated": 2}
    b.refresh_from_db()
    assert b.level == silver and b.sales_rep == rep  # the rep stayed
    response = _post(owner_client, f"{API}/customers/bulk-assign/",
                     {"customers": [a.pk, b.pk], "sales_rep": None})
    assert response.json() == {"updated": 2}
    assert not Customer.objects.filter(sales_rep__isnull=False).exists()
    # the rep's scope follows the assignment
    assert AuditLog.objects.filter(action="customer.bulk_assign").count() == 3


@pytest.mark.parametrize(("payload", "field"), [
    ({"customers": [], "level": "LEVEL"}, "customers"),
    ({"customers": "LIST"}, "non_field_errors"),
    ({"customers": ["x"], "level": "LEVEL"}, "customers"),
    ({"customers": "LIST", "level": 999999}, "level"),
    ({"customers": "LIST", "sales_rep": 999999}, "sales_rep"),
])
def test_bulk_assign_validation(owner_client, customer_factory, payload, field):
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    customer = customer_factory("Alpha")
    payload = {k: ([customer.pk] if v == "LIST" else level.pk if v == "LEVEL" else v)
               for k, v in payload.items()}
    customer_services.customer_update(actor=None, customer=customer, level=None)
    error = _error(_post(owner_client, f"{API}/customers/bulk-assign/", payload))
    assert field in error["fields"]
    customer.refresh_from_db()
    assert customer.level is None and customer.sales_rep is None


# --- validation: structured 400s, nothing saved ----------------------------------------


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "X", "email": "not-an-email"}, "email"),
    ({"name": "X", "region": 999999}, "region"),
    ({"name": "X", "region": "abc"}, "region"),
    ({"name": "X", "level": 999999}, "level"),
    ({"name": "X", "sales_rep": 999999}, "sales_rep"),
    ({"name": "X", "sales_rep": "DEALER"}, "sales_rep"),
    ({"name": "X", "credit_limit": "-1"}, "credit_limit"),
    ({"name": "X", "credit_limit": "abc"}, "credit_limit"),
    ({"name": "X", "payment_terms": "barter"}, "payment_terms"),
    ({"name": "X", "payment_days": 400}, "payment_days"),
    ({"name": "X", "code": "bad code!"}, "code"),
    ({"name": "X", "code": "TAKEN"}, "code"),
    ({"name": "X", "tags": "not-a-list"}, "tags"),
    ({"name": "X", "tags": [f"t{i}" for i in range(25)]}, "tags"),
    ({"name": "X", "contact": {"phone": "138"}}, "contact"),
])
def test_create_refuses_bad_input_per_field_and_saves_nothing(owner_client, customer_factory,
                                                               payload, field):
    from tests.factories import DealerFactory

    customer_factory("Existing", code="TAKEN")
    if payload.get("sales_rep") == "DEALER":
        payload = {**payload, "sales_rep": DealerFactory().pk}
    before = (Customer.objects.count(), Contact.objects.count(), AuditLog.objects.count())
    error = _error(_post(owner_client, f"{API}/customers/", payload))
    assert error["code"] == "invalid" and error["message"]
    assert field in error["fields"], error
    assert all(isinstance(m, str) for m in error["fields"][field]) or field == "contact"
    assert (Customer.objects.count(), Contact.objects.count(),
            AuditLog.objects.count()) == before


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": ""}, "name"),
    ({"code": ""}, "code"),
    ({"code": "TAKEN"}, "code"),
    ({"email": "nope"}, "email"),
    ({"payment_days": -1}, "payment_days"),
    ({"level": 999999}, "level"),
])
def test_patch_refuses_bad_input_and_changes_nothing(owner_client, customer_factory, payload,
                                                     field):
    customer_factory("Existing", code="TAKEN")
    customer = customer_factory("Riverside", code="RIV", email="a@river.example")
    customer.refresh_from_db()
    before = customer_services.snapshot(customer)
    error = _error(_patch(owner_client, f"{API}/customers/{customer.pk}/",
                          {"phone": "999", **payload}))
    assert field in error["fields"]
    customer.refresh_from_db()
    assert customer_services.snapshot(customer) == before


def test_malformed_json_is_a_structured_400(owner_client):
    response = owner_client.post(f"{API}/customers/", "{not json", content_type=JSON)
    error = _error(response)
    assert error["message"]
    assert Customer.objects.count() == 0


# --- contacts, addresses, logins -------------------------------------------------------


def test_contacts_list_add_edit_and_delete(owner_client, customer_factory):
    customer = customer_factory("Riverside")
    base = f"{API}/customers/{customer.pk}/contacts/"
    assert owner_client.get(base).json()["results"] == []
    first = _post(owner_client, base, {"name": "Li Lei", "phone": "138", "title": "Buyer"})
    assert first.status_code == 201 and first.json()["is_primary"] is True  # the first one
    second = _post(owner_client, base, {"name": "Wang Wu", "email": "WANG@river.example"})
    assert second.json()["is_primary"] is False and second.json()["email"] == "wang@river.example"
    second_id = second.json()["id"]
    response = _patch(owner_client, f"{base}{second_id}/", {"is_primary": True, "phone": "137"})
    assert response.status_code == 200
    assert response.json() == {"id": second_id, "name": "Wang Wu", "title": "", "phone": "137",
                               "email": "wang@river.example", "is_primary": True}
    assert [(c["name"], c["is_primary"]) for c in owner_client.get(base).json()["results"]] == [
        ("Wang Wu", True), ("Li Lei", False)]
    assert owner_client.get(f"{base}{second_id}/").json()["phone"] == "137"
    assert owner_client.delete(f"{base}{second_id}/").status_code == 204
    assert list(Contact.objects.filter(customer=customer).values_list("name", "is_primary")) == [
        ("Li Lei", True)]  # the remaining contact became primary
    error = _error(_post(owner_client, base, {"name": ""}))
    assert "name" in error["fields"]
    error = _error(_patch(owner_client, f"{base}{first.json()['id']}/", {"name": "  "}))
    assert "name" in error["fields"]
    assert Contact.objects.get(customer=customer).name == "Li Lei"


def test_addresses_list_add_edit_default_and_delete(owner_client, customer_factory):
    region = region_create(actor=None, name="Guangdong")
    customer = customer_factory("Riverside")
    base = f"{API}/customers/{customer.pk}/addresses/"
    first = _post(owner_client, base, {"recipient": "Li Lei", "phone": "138",
                                       "address": "1 River Rd", "region": region.pk})
    assert first.status_code == 201, first.content
    assert first.json()["is_default"] is True
    assert first.json()["region"] == {"id": region.pk, "name": "Guangdong"}
    second = _post(owner_client, base, {"recipient": "Wang Wu", "phone": "137",
                                        "address": "2 Hill St", "postal_code": "510000",
                                        "is_default": True}).json()
    assert second["is_default"] is True and second["region"] is None
    assert Address.objects.get(pk=first.json()["id"]).is_default is False
    response = _patch(owner_client, f"{base}{first.json()['id']}/", {"address": "3 River Rd"})
    assert response.json()["address"] == "3 River Rd"
    assert response.json()["recipient"] == "Li Lei"  # untouched
    assert response.json()["region"] == {"id": region.pk, "name": "Guangdong"}
    assert response.json()["is_default"] is False
    assert _patch(owner_client, f"{base}{first.json()['id']}/",
                  {"region": None}).json()["region"] is None
    assert [a["recipient"] for a in owner_client.get(base).json()["results"]] == [
        "Wang Wu", "Li Lei"]
    assert owner_client.delete(f"{base}{second['id']}/").status_code == 204
    assert Address.objects.get(customer=customer).is_default is True
    for payload, field in (({"phone": "1", "address": "x"}, "recipient"),
                           ({"recipient": "A", "phone": "1", "address": "x",
                             "region": 999999}, "region"),
                           ({"recipient": "A", "phone": "", "address": "x"}, "phone")):
        assert field in _error(_post(owner_client, base, payload))["fields"]
    assert Address.objects.filter(customer=customer).count() == 1


def test_logins_open_with_an_invitation_or_a_password(owner_client, customer_factory,
                                                      django_capture_on_commit_callbacks):
    customer = customer_factory("Riverside")
    base = f"{API}/customers/{customer.pk}/logins/"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(owner_client, base, {"email": "Li@River.example", "name": "Li Lei",
                                              "phone": "13800000001"})
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["email"] == "li@river.example" and first["is_primary"] is True
    assert first["buyer_role"] == "order" and first["is_active"] is True
    assert mail.outbox[-1].to == ["li@river.example"]
    assert "http://acme.localhost/password/reset/" in mail.outbox[-1].body
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = _post(owner_client, base, {
            "email": "wang@river.example", "name": "Wang Wu", "buyer_role": "order_up_to",
            "order_limit": "2000", "password": "Dealer-pass-2026"})
    assert second.status_code == 201, second.content
    assert second.json()["order_limit"] == "2000.00" and second.json()["is_primary"] is False
    assert "password" not in second.json()
    assert len(mail.outbox) == sent  # a password: no invitation
    user = User.objects.get(email="wang@river.example")
    assert user.check_password("Dealer-pass-2026") and user.must_change_password
    assert [login["email"] for login in owner_client.get(base).json()["results"]] == [
        "li@river.example", "wang@river.example"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"email": "nope"}, "email"),
    ({"email": "EXISTING"}, "email"),
    ({"email": "x@river.example", "buyer_role": "boss"}, "buyer_role"),
    ({"email": "x@river.example", "buyer_role": "order_up_to"}, "order_limit"),
    ({"email": "x@river.example", "order_limit": "-5", "buyer_role": "order_up_to"},
     "order_limit"),
    ({"email": "x@river.example", "password": "123"}, "password"),
])
def test_login_create_refuses_bad_input(owner_client, customer_factory, payload, field):
    customer = customer_factory("Riverside")
    login_services.login_create(actor=None, customer=customer, email="first@river.example")
    if payload["email"] == "EXISTING":
        payload = {**payload, "email": "FIRST@river.example"}
    before = (User.objects.count(), CustomerLogin.objects.count())
    error = _error(_post(owner_client, f"{API}/customers/{customer.pk}/logins/", payload))
    assert field in error["fields"], error
    assert (User.objects.count(), CustomerLogin.objects.count()) == before


def test_login_patch_role_limit_primary_and_active(owner_client, customer_factory, acme,
                                                   login_as):
    customer = customer_factory("Riverside")
    primary = login_services.login_create(actor=None, customer=customer,
                                          email="li@river.example")
    other = login_services.login_create(actor=None, customer=customer,
                                        email="wang@river.example")
    path = f"{API}/customers/{customer.pk}/logins/{other.pk}/"
    body = _patch(owner_client, path, {"buyer_role": "order_up_to", "order_limit": "1500",
                                       "name": "Wang Wu", "phone": "13700000000"}).json()
    assert (body["buyer_role"], body["order_limit"], body["name"], body["phone"]) == (
        "order_up_to", "1500.00", "Wang Wu", "13700000000")
    body = _patch(owner_client, path, {"order_limit": "2500"}).json()  # the role stays
    assert (body["buyer_role"], body["order_limit"]) == ("order_up_to", "2500.00")
    error = _error(_patch(owner_client, path, {"is_primary": True}))  # limited: cannot be
    assert "buyer_role" in error["fields"]
    body = _patch(owner_client, path, {"buyer_role": "order", "is_primary": True}).json()
    assert body["is_primary"] is True and body["order_limit"] is None
    primary.refresh_from_db()
    assert primary.is_primary is False
    # disabling signs the login out; the primary login cannot be disabled
    session = TenantClient(host_of(acme))
    login_as(session, acme, primary.user)
    assert session.get(f"{API}/me/").status_code == 200
    old = f"{API}/customers/{customer.pk}/logins/{primary.pk}/"
    assert _patch(owner_client, old, {"is_active": False}).json()["is_active"] is False
    assert session.get(f"{API}/me/").status_code in (401, 403)
    assert _error(_patch(owner_client, path, {"is_active": False}))["code"] == "primary_login"
    # all or nothing: enabling and a bad role in one request changes nothing
    error = _error(_patch(owner_client, old, {"is_active": True, "buyer_role": "order_up_to"}))
    assert "order_limit" in error["fields"]
    primary.user.refresh_from_db()
    assert primary.user.is_active is False
    body = _patch(owner_client, old, {"is_active": True, "is_primary": True}).json()
    assert body["is_active"] is True and body["is_primary"] is True
    assert owner_client.get(old).json()["email"] == "li@river.example"


# --- levels ----------------------------------------------------------------------------


def test_levels_list_create_edit_and_delete(owner_client, customer_factory):
    response = _post(owner_client, f"{API}/customer-levels/",
                     {"name": "Gold", "price_percent": "85"})
    assert response.status_code == 201, response.content
    gold = response.json()
    assert gold["is_default"] is True  # the first level
    assert (gold["price_percent"], gold["customer_count"]) == ("85.00", 0)
    silver = _post(owner_client, f"{API}/customer-levels/",
                   {"name": "Silver", "price_percent": "95", "position": 50}).json()
    customer_factory("Riverside", level=CustomerLevel.objects.get(pk=gold["id"]))
    body = owner_client.get(f"{API}/customer-levels/").json()
    assert [(lvl["name"], lvl["customer_count"], lvl["is_default"]) for lvl in body["results"]] == [
        ("Gold", 1, True), ("Silver", 0, False)]
    response = _patch(owner_client, f"{API}/customer-levels/{silver['id']}/",
                      {"is_default": True, "price_percent": "92.5"})
    assert response.json()["is_default"] is True and response.json()["price_percent"] == "92.50"
    assert response.json()["name"] == "Silver" and response.json()["position"] == 50
    assert CustomerLevel.objects.get(pk=gold["id"]).is_default is False
    assert owner_client.get(f"{API}/customer-levels/{gold['id']}/").json()["customer_count"] == 1
    error = _error(owner_client.delete(f"{API}/customer-levels/{gold['id']}/"))
    assert error["code"] == "level_in_use"
    assert owner_client.delete(f"{API}/customer-levels/{silver['id']}/").status_code == 204
    assert list(CustomerLevel.objects.values_list("name", flat=True)) == ["Gold"]
    assert _error(owner_client.delete(f"{API}/customer-levels/999999/"), 404)


@pytest.mark.parametrize(("payload", "field"), [
    ({"price_percent": "90"}, "name"),
    ({"name": "gold"}, "name"),  # case-insensitively taken
    ({"name": "Zero", "price_percent": "0"}, "price_percent"),
    ({"name": "Over", "price_percent": "101"}, "price_percent"),
    ({"name": "Neg", "position": -1}, "position"),
])
def test_level_validation(owner_client, payload, field):
    customer_services.level_create(actor=None, name="Gold", price_percent=90)
    error = _error(_post(owner_client, f"{API}/customer-levels/", payload))
    assert field in error["fields"]
    assert CustomerLevel.objects.count() == 1


# --- applications ----------------------------------------------------------------------


def test_applications_list_without_the_licence_path(owner_client, customer_factory):
    application = _pending_application(customer_factory)
    body = owner_client.get(f"{API}/customer-applications/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == application.pk and item["has_licence"] is True
    assert item["customer"]["name"] == "Newcomer Ltd" and item["status"] == "pending"
    assert (item["contact_name"], item["email"]) == ("Nia New", "new@newcomer.example")
    assert "licences" not in owner_client.get(f"{API}/customer-applications/").content.decode()
    assert owner_client.get(f"{API}/customer-applications/",
                            {"status": "approved"}).json()["count"] == 0
    assert owner_client.get(f"{API}/customer-applications/",
                            {"status": "all"}).json()["count"] == 1
    error = _error(owner_client.get(f"{API}/customer-applications/", {"status": "bogus"}))
    assert "status" in error["fields"]
    assert owner_client.get(
        f"{API}/customer-applications/{application.pk}/").json()["has_licence"] is True


def test_approve_an_application_with_level_and_sales_rep(owner_client, customer_factory,
                                                          django_capture_on_commit_callbacks):
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    rep = staff_with_roles("sales_rep")
    application = _pending_application(customer_factory)
    path = f"{API}/customer-applications/{application.pk}/approve/"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(owner_client, path, {"level": level.pk, "sales_rep": rep.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["reviewed_by"]["id"] == _owner().pk
    customer = Customer.objects.get(pk=application.customer_id)
    assert customer.status == CustomerStatus.ACTIVE
    assert (customer.level, customer.sales_rep) == (level, rep)
    login = CustomerLogin.objects.get(customer=customer)
    assert login.is_primary and login.user.email == "new@newcomer.example"
    assert mail.outbox[-1].to == ["new@newcomer.example"]
    assert "http://acme.localhost/password/reset/" in mail.outbox[-1].body
    error = _error(_post(owner_client, path, {}), 409)
    assert error["code"] == "already_reviewed"


def test_reject_an_application_needs_a_reason(owner_client, customer_factory,
                                              django_capture_on_commit_callbacks):
    application = _pending_application(customer_factory)
    path = f"{API}/customer-applications/{application.pk}/reject/"
    assert "reason" in _error(_post(owner_client, path, {"reason": "  "}))["fields"]
    assert "reason" in _error(_post(owner_client, path, {}))["fields"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        body = _post(owner_client, path, {"reason": "No licence number"}).json()
    assert body["status"] == "rejected" and body["reject_reason"] == "No licence number"
    assert Customer.objects.get(pk=application.customer_id).status == CustomerStatus.REJECTED
    assert "No licence number" in mail.outbox[-1].body


def test_approve_refuses_unknown_ids_and_changes_nothing(owner_client, customer_factory):
    application = _pending_application(customer_factory)
    error = _error(_post(owner_client, f"{API}/customer-applications/{application.pk}/approve/",
                         {"level": 999999}))
    assert "level" in error["fields"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert not CustomerLogin.objects.exists()
    assert _error(_post(owner_client, f"{API}/customer-applications/999999/approve/"), 404)


# --- permissions -----------------------------------------------------------------------


def _state():
    return (Customer.objects.count(), Contact.objects.count(), Address.objects.count(),
            CustomerLogin.objects.count(), CustomerLevel.objects.count(),
            list(Customer.objects.order_by("pk").values_list(
                "name", "status", "credit_limit", "sales_rep", "level")),
            list(CustomerApplication.objects.values_list("status", flat=True)))


def _write_requests(customer, contact, address, login, level, application):
    c = f"{API}/customers/{customer.pk}"
    return [
        ("post", f"{API}/customers/", {"name": "New Co"}),
        ("patch", f"{c}/", {"name": "Renamed"}),
        ("post", f"{c}/disable/", {}),
        ("post", f"{API}/customers/bulk-assign/", {"customers": [customer.pk],
                                                   "level": level.pk}),
        ("post", f"{c}/contacts/", {"name": "New Contact"}),
        ("patch", f"{c}/contacts/{contact.pk}/", {"name": "Renamed"}),
        ("delete", f"{c}/contacts/{contact.pk}/", None),
        ("post", f"{c}/addresses/", {"recipient": "A", "phone": "1", "address": "x"}),
        ("patch", f"{c}/addresses/{address.pk}/", {"recipient": "Renamed"}),
        ("delete", f"{c}/addresses/{address.pk}/", None),
        ("post", f"{c}/logins/", {"email": "new@river.example"}),
        ("patch", f"{c}/logins/{login.pk}/", {"is_active": False}),
        ("post", f"{API}/customer-levels/", {"name": "New level"}),
        ("patch", f"{API}/customer-levels/{level.pk}/", {"name": "Renamed"}),
        ("delete", f"{API}/customer-levels/{level.pk}/", None),
        ("post", f"{API}/customer-applications/{application.pk}/approve/", {}),
        ("post", f"{API}/customer-applications/{application.pk}/reject/", {"reason": "No"}),
    ]


def _world(customer_factory):
    from ordering.customers.services import contacts as contact_services

    customer_services.level_create(actor=None, name="Standard", price_percent=100)  # default
    level = customer_services.level_create(actor=None, name="Spare", price_percent=90)
    customer = customer_factory("Riverside", contact={"name": "Li Lei"})
    address = contact_services.address_save(actor=None, customer=customer, recipient="Li",
                                            phone="138", address="1 River Rd")
    login = login_services.login_create(actor=None, customer=customer, email="li@river.example")
    application = _pending_application(customer_factory)
    return customer, customer.contacts.get(), address, login, level, application


def _call(client, method, path, data):
    if method == "delete":
        return client.delete(path)
    return getattr(client, method)(path, data, content_type=JSON)



def _read_paths(customer, contact, address, login, level, application):
    c = f"{API}/customers/{customer.pk}"
    return [f"{API}/customers/", f"{c}/", f"{c}/contacts/", f"{c}/contacts/{contact.pk}/",
            f"{c}/addresses/", f"{c}/addresses/{address.pk}/", f"{c}/logins/",
            f"{c}/logins/{login.pk}/", f"{API}/customer-levels/",
            f"{API}/customer-levels/{level.pk}/", f"{API}/customer-applications/",
            f"{API}/customer-applications/{application.pk}/"]


@pytest.mark.parametrize("role", ["shipping_clerk", "order_reviewer", "finance_reviewer",
                                  "warehouse_manager"])
def test_roles_without_manage_customers_read_everything_but_write_nothing(
        signed_in, customer_factory, role):
    world = _world(customer_factory)
    client = signed_in(staff_with_roles(role))
    for path in _read_paths(*world):
        assert client.get(path).status_code == 200, path
    before = _state()
    for method, path, data in _write_requests(*world):
        response = _call(client, method, path, data)
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "permission_denied"
    assert _state() == before


def test_dealers_and_anonymous_callers_get_nothing(acme, signed_in, customer_factory):
    world = _world(customer_factory)
    customer, _contact, _address, login, *_rest = world
    anonymous = TenantClient(host_of(acme))
    dealer = signed_in(login.user)  # the customer's own primary login
    before = _state()
    for client, statuses in ((dealer, {403}), (anonymous, {401, 403})):
        for path in _read_paths(*world):
            response = client.get(path)
            assert response.status_code in statuses, (path, response.status_code)
            assert "Riverside" not in response.content.decode()
        for method, path, data in _write_requests(*world):
            assert _call(client, method, path, data).status_code in statuses, path
    assert _state() == before


def test_a_system_administrator_may_do_every_write(owner_client, customer_factory):
    world = _world(customer_factory)
    customer, contact, address, login, level, application = world
    expected = {"post": {200, 201}, "patch": {200}, "delete": {204}}
    for method, path, data in _write_requests(*world):
        if "/approve/" in path:  # the reject request in the table reviews it
            continue
        if path.endswith(f"/logins/{login.pk}/"):
            data = {"name": "Renamed"}  # the primary login cannot be disabled
        if path.endswith("/bulk-assign/"):
            data = {**data, "level": CustomerLevel.objects.get(is_default=True).pk}
        response = _call(owner_client, method, path, data)
        assert response.status_code in expected[method], (path, response.content[:300])


def test_finance_reviewer_sets_credit_terms_but_nothing_else(signed_in, customer_factory):
    customer = customer_factory("Riverside")
    finance = staff_with_roles("finance_reviewer")
    client = signed_in(finance)
    response = _patch(client, f"{API}/customers/{customer.pk}/credit/",
                      {"credit_limit": "8000", "payment_terms": "credit", "payment_days": 45})
    assert response.status_code == 200, response.content
    assert response.json()["credit_limit"] == "8000.00"
    customer.refresh_from_db()
    assert (customer.credit_limit, customer.payment_terms, customer.payment_days) == (
        Decimal("8000.00"), "credit", 45)
    entry = AuditLog.objects.get(action="customer.update")
    assert entry.actor == finance and entry.after["credit_limit"] == "8000.00"
    # the general edit needs manage_customers
    assert _error(_patch(client, f"{API}/customers/{customer.pk}/",
                         {"credit_limit": "9000"}), 403)
    assert _error(_patch(client, f"{API}/customers/{customer.pk}/credit/",
                         {"credit_limit": "-1"}))["fields"]["credit_limit"]
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("8000.00") and customer.name == "Riverside"


def test_order_reviewer_cannot_change_credit(signed_in, customer_factory):
    customer = customer_factory("Riverside", credit_limit="100")
    client = signed_in(staff_with_roles("order_reviewer"))
    for path in (f"{API}/customers/{customer.pk}/credit/", f"{API}/customers/{customer.pk}/"):
        assert _error(_patch(client, path, {"credit_limit": "9000"}), 403)
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("100.00")


def test_sales_rep_without_manage_credit_cannot_set_credit(signed_in, customer_factory):
    rep = staff_with_roles("sales_rep")
    customer = customer_factory("Riverside", sales_rep=rep, credit_limit="100")
    client = signed_in(rep)
    path = f"{API}/customers/{customer.pk}/"
    for payload in ({"credit_limit": "9000", "name": "Renamed"},
                    {"payment_terms": "credit", "name": "Renamed"},
                    {"payment_days": 30}):
        error = _error(_patch(client, path, payload))
        assert set(error["fields"]) & {"credit_limit", "payment_terms", "payment_days"}
    assert _error(_patch(client, f"{path}credit/", {"credit_limit": "9000"}), 403)
    error = _error(_post(client, f"{API}/customers/", {"name": "New Co", "credit_limit": "50"}))
    assert "credit_limit" in error["fields"]
    assert not Customer.objects.filter(name="New Co").exists()
    customer.refresh_from_db()
    assert (customer.name, customer.credit_limit, customer.payment_terms) == (
        "Riverside", Decimal("100.00"), "prepaid")
    # sending the unchanged limit back with other edits is fine
    response = _patch(client, path, {"credit_limit": "100.00", "name": "Renamed"})
    assert response.status_code == 200 and response.json()["name"] == "Renamed"


# --- scoping ---------------------------------------------------------------------------


def test_a_sales_rep_sees_and_touches_only_their_customers(signed_in, customer_factory):
    from ordering.customers.services import contacts as contact_services

    rep, other_rep = staff_with_roles("sales_rep"), staff_with_roles("sales_rep")
    customer_services.level_create(actor=None, name="Standard", price_percent=100)  # default
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    mine = customer_factory("Alpha", sales_rep=rep, contact={"name": "Ann"})
    mine_too = customer_factory("Beta", sales_rep=rep)
    theirs = customer_factory("Gamma", sales_rep=other_rep, contact={"name": "Gus"})
    nobodys = customer_factory("Delta")
    address = contact_services.address_save(actor=None, customer=theirs, recipient="Gus",
                                            phone="1", address="x")
    login = login_services.login_create(actor=None, customer=theirs, email="gus@g.example")
    contact = theirs.contacts.get()
    theirs_application = _pending_application(customer_factory, "Other Applicant")
    customer_services.customer_update(actor=None, customer=theirs_application.customer,
                                      sales_rep=other_rep)
    client = signed_in(rep)

    body = client.get(f"{API}/customers/").json()
    assert [item["id"] for item in body["results"]] == [mine.pk, mine_too.pk]
    assert client.get(f"{API}/customers/{mine.pk}/").status_code == 200
    assert client.get(f"{API}/customer-applications/").json()["count"] == 0

    t = f"{API}/customers/{theirs.pk}"
    for path in (f"{t}/", f"{API}/customers/{nobodys.pk}/", f"{t}/contacts/",
                 f"{t}/contacts/{contact.pk}/", f"{t}/addresses/", f"{t}/addresses/{address.pk}/",
                 f"{t}/logins/", f"{t}/logins/{login.pk}/",
                 # another customer's sub-resource under my customer's id
                 f"{API}/customers/{mine.pk}/contacts/{contact.pk}/",
                 f"{API}/customers/{mine.pk}/addresses/{address.pk}/",
                 f"{API}/customers/{mine.pk}/logins/{login.pk}/",
                 f"{API}/customer-applications/{theirs_application.pk}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Gamma" not in response.content.decode() and "Gus" not in response.content.decode()

    before = _state()
    contacts_before = list(Contact.objects.values_list("pk", "name"))
    for method, path, data in [
        ("patch", f"{t}/", {"name": "Mine now"}),
        ("patch", f"{t}/", {"sales_rep": rep.pk}),
        ("post", f"{t}/disable/", {}),
        ("post", f"{t}/contacts/", {"name": "Spy"}),
        ("patch", f"{t}/contacts/{contact.pk}/", {"name": "Spy"}),
        ("delete", f"{t}/contacts/{contact.pk}/", None),
        ("patch", f"{API}/customers/{mine.pk}/contacts/{contact.pk}/", {"name": "Spy"}),
        ("delete", f"{API}/customers/{mine.pk}/contacts/{contact.pk}/", None),
        ("post", f"{t}/addresses/", {"recipient": "A", "phone": "1", "address": "x"}),
        ("delete", f"{t}/addresses/{address.pk}/", None),
        ("post", f"{t}/logins/", {"email": "spy@spy.example"}),
        ("patch", f"{t}/logins/{login.pk}/", {"is_active": False}),
        ("post", f"{API}/customers/bulk-assign/", {"customers": [mine.pk, theirs.pk],
                                                   "level": gold.pk}),
        ("post", f"{API}/customers/bulk-assign/", {"customers": [mine.pk, nobodys.pk],
                                                   "sales_rep": rep.pk}),
        ("post", f"{API}/customer-applications/{theirs_application.pk}/reject/",
         {"reason": "No"}),
    ]:
        response = _call(client, method, path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    assert _state() == before
    assert list(Contact.objects.values_list("pk", "name")) == contacts_before
    assert User.objects.filter(email="spy@spy.example").count() == 0

    # their own customers: writes work
    response = _post(client, f"{API}/customers/bulk-assign/",
                     {"customers": [mine.pk, mine_too.pk], "level": gold.pk})
    assert response.json() == {"updated": 2}
    assert _post(client, f"{API}/customers/{mine.pk}/contacts/", {"name": "Bo"}).status_code == 201
    created = _post(client, f"{API}/customers/", {"name": "Epsilon"})
    assert created.status_code == 201 and created.json()["sales_rep"]["id"] == rep.pk
    assert [item["name"] for item in client.get(f"{API}/customers/").json()["results"]] == [
        "Alpha", "Beta", "Epsilon"]


def test_a_regional_manager_sees_exactly_their_regions_and_below(signed_in, customer_factory):
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    tianhe = region_create(actor=None, name="Tianhe", parent=gz)
    zj = region_create(actor=None, name="Zhejiang")
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, gz)
    in_gd = customer_factory("In Guangdong", region=gd)
    in_gz = customer_factory("In Guangzhou", region=gz)
    in_tianhe = customer_factory("In Tianhe", region=tianhe)
    in_zj = customer_factory("In Zhejiang", region=zj)
    customer_factory("Nowhere")
    pending_here = _pending_application(customer_factory, "Applicant Here", "a@here.example",
                                        region=tianhe)
    _pending_application(customer_factory, "Applicant There", "a@there.example", region=zj)
    client = signed_in(manager)

    names = [item["name"] for item in client.get(f"{API}/customers/").json()["results"]]
    assert names == ["Applicant Here", "In Guangzhou", "In Tianhe"]
    assert [item["name"] for item in client.get(
        f"{API}/customers/", {"status": "pending"}).json()["results"]] == ["Applicant Here"]
    assert client.get(f"{API}/customers/", {"region": zj.pk}).json()["count"] == 0
    for customer in (in_gd, in_zj):
        assert client.get(f"{API}/customers/{customer.pk}/").status_code == 404
    assert client.get(f"{API}/customers/{in_tianhe.pk}/").status_code == 200
    assert [item["id"] for item in client.get(
        f"{API}/customer-applications/").json()["results"]] == [pending_here.pk]

    # moving a customer out of their regions is refused and changes nothing
    error = _error(_patch(client, f"{API}/customers/{in_gz.pk}/", {"region": zj.pk}))
    assert error["code"] == "out_of_scope" and "region" in error["fields"]
    in_gz.refresh_from_db()
    assert in_gz.region == gz
    response = _post(client, f"{API}/customers/", {"name": "Near", "region": tianhe.pk})
    assert response.status_code == 201 and response.json()["sales_rep"] is None
    # created outside their regions, the customer is assigned to them (or they would lose it)
    response = _post(client, f"{API}/customers/", {"name": "Far", "region": zj.pk})
    assert response.status_code == 201 and response.json()["sales_rep"]["id"] == manager.pk
    # ...but handing it to nobody outside their regions is refused
    far = response.json()["id"]
    error = _error(_patch(client, f"{API}/customers/{far}/", {"sales_rep": None}))
    assert error["code"] == "out_of_scope"
    assert Customer.objects.get(pk=far).sales_rep == manager


# --- tenant isolation ------------------------------------------------------------------


def test_an_acme_session_and_api_key_get_nothing_from_globex(acme, globex, login_as,
                                                            customer_factory):
    with tenant_context(acme):
        owner = _owner()
        customer = customer_factory("Acme Secret Customer", contact={"name": "Acme Contact"})
        _key, raw = api_key_create(actor=None, user=owner, name="ERP")
    key = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    on_acme = TenantClient(host_of(acme))
    body = on_acme.get(f"{API}/customers/", **key).json()
    assert [item["name"] for item in body["results"]] == ["Acme Secret Customer"]
    created = _post(on_acme, f"{API}/customers/", {"name": "Made By Key"}, **key)
    assert created.status_code == 201

    on_globex = TenantClient(host_of(globex))
    login_as(on_globex, acme, owner)  # acme's session cookie, sent to globex's host
    paths = [f"{API}/customers/", f"{API}/customers/{customer.pk}/",
             f"{API}/customers/{customer.pk}/contacts/", f"{API}/customer-levels/",
             f"{API}/customer-applications/"]
    for path in paths:
        for extra in ({}, key):
            response = on_globex.get(path, **extra)
            assert response.status_code in (401, 403), (path, response.status_code)
            assert "Acme" not in response.content.decode()
    assert _post(on_globex, f"{API}/customers/", {"name": "Intruder"},
                 **key).status_code == 401
    assert _patch(on_globex, f"{API}/customers/{customer.pk}/", {"name": "Hacked"}
                  ).status_code in (401, 403)

    with tenant_context(globex):
        globex_owner = User.objects.get(email="owner@globex.example")
        assert not Customer.objects.filter(name__in=["Intruder", "Acme Secret Customer"]).exists()
    globex_admin = TenantClient(host_of(globex))
    login_as(globex_admin, globex, globex_owner)
    assert globex_admin.get(f"{API}/customers/{customer.pk}/").status_code == 404
    listing = globex_admin.get(f"{API}/customers/").content.decode()
    assert "Acme" not in listing and "Made By Key" not in listing
    with tenant_context(acme):
        customer.refresh_from_db()
        assert customer.name == "Acme Secret Customer"


# --- query budgets ---------------------------------------------------------------------


def _queries(client, path):
    client.get(path)  # warm: the tenant's host is resolved once per process
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(context), response.json()


@pytest.mark.parametrize("who", ["administrator", "sales_rep", "regional_manager"])
def test_customer_list_runs_a_constant_number_of_queries(signed_in, customer_factory, who):
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    levels = [customer_services.level_create(actor=None, name=f"L{n}", price_percent=90)
              for n in range(3)]
    rep = staff_with_roles("sales_rep")
    user = {"administrator": _owner, "sales_rep": lambda: rep,
            "regional_manager": lambda: staff_with_roles("regional_manager")}[who]()
    if who == "regional_manager":
        assign_perm("roles.work_in_region", user, gd)
    client = signed_in(user)

    def add(count, start):
        for n in range(start, start + count):
            customer_factory(f"Customer {n:03d}", region=(gd, gz)[n % 2],
                             level=levels[n % 3], sales_rep=rep, tags=["vip", f"t{n}"],
                             contact={"name": f"Contact {n}"})

    add(3, 0)
    few, body = _queries(client, f"{API}/customers/")
    assert body["count"] == 3
    add(27, 3)
    many, body = _queries(client, f"{API}/customers/")
    assert body["count"] == 30 and all(item["primary_contact"] for item in body["results"])
    # Content types for guardian are cached across schema switches
    # (roles.contenttypes), so scoping costs only its own grant queries.
    budget = {"administrator": 7, "sales_rep": 8, "regional_manager": 9}[who]
    assert few == many <= budget, (few, many)
    filtered, _body = _queries(client, f"{API}/customers/?q=customer&sort=-created")
    assert filtered <= budget


def test_customer_detail_runs_a_constant_number_of_queries(owner_client, customer_factory):
    from ordering.customers.services import contacts as contact_services

    region = region_create(actor=None, name="Guangdong")
    level = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    rep = staff_with_roles("sales_rep")

    def customer_with(count, name):
        customer = customer_factory(name, region=region, level=level, sales_rep=rep)
        for n in range(count):
            contact_services.contact_save(actor=None, customer=customer, name=f"C{n}")
            contact_services.address_save(actor=None, customer=customer, recipient=f"R{n}",
                                          phone="1", address="x", region=region)
            login_services.login_create(actor=None, customer=customer,
                                        email=f"{name.lower()}{n}@example.com")
        return customer

    small, large = customer_with(1, "small"), customer_with(5, "large")
    few, body = _queries(owner_client, f"{API}/customers/{small.pk}/")
    assert len(body["logins"]) == 1
    many, body = _queries(owner_client, f"{API}/customers/{large.pk}/")
    assert len(body["contacts"]) == len(body["addresses"]) == len(body["logins"]) == 5
    assert few == many <= 15, (few, many)
