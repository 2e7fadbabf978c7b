"""Who may use the finance API: the role × action matrix (a denied write changes
nothing), scoping (a sales rep or regional manager reaches only their customers' money,
by id and in lists), and tenant isolation (another tenant's ids are 404, its API key is
refused)."""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from ordering.customers.services.customers import customer_update
from ordering.finance.models import CreditTerms, Entry, Payment
from ordering.finance.services import payments
from ordering.orders.models import Order
from roles.catalog import BUILTIN_ROLES
from roles.models import AuditLog, Region
from roles.services.api_keys import api_key_create
from roles.services.role_admin import role_create
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles
from tests.finance.conftest import place

API = "/api/v1"
JSON = "application/json"
TODAY = timezone.localdate

# name: (method, path, body, status when allowed). {customer}, {payment}, {entry} and
# {order} are Gold Trading's, a pending payment of it, its order's charge and that order
# (on credit hold).
ACTIONS = {
    "balances": ("get", "/finance/customers/{customer}/balances/", None, 200),
    "ledger": ("get", "/finance/customers/{customer}/ledger/", None, 200),
    "receivables": ("get", "/finance/receivables/", None, 200),
    "credit-terms": ("get", "/finance/customers/{customer}/credit-terms/", None, 200),
    "payments": ("get", "/finance/payments/", None, 200),
    "payment": ("get", "/finance/payments/{payment}/", None, 200),
    "record-payment": ("post", "/finance/payments/", {
        "customer": "{customer}", "amount": "50.00", "paid_on": "{today}", "method": "cash"},
        201),
    "confirm-payment": ("post", "/finance/payments/{payment}/confirm/", {}, 200),
    "reject-payment": ("post", "/finance/payments/{other_payment}/reject/",
                       {"reason": "Not received"}, 200),
    "adjust": ("post", "/finance/customers/{customer}/adjustments/",
               {"account": "rebate", "amount": "5.00", "reason": "Goodwill"}, 201),
    "reverse": ("post", "/finance/entries/{entry}/reverse/", {"reason": "Wrong"}, 201),
    "set-credit-terms": ("post", "/finance/customers/{customer}/credit-terms/",
                         {"temporary_credit": "100"}, 200),
    "release-hold": ("post", "/orders/{order}/release-hold/", {"reason": "Paid"}, 200),
}
LISTS = {"receivables", "payments"}
FINANCE = set(ACTIONS)
RECORD = {"payments", "payment", "record-payment"}
ALLOWED = {
    "system_administrator": FINANCE,
    "business_lead": FINANCE,
    "finance_reviewer": FINANCE,
    "order_reviewer": set(),
    "warehouse_manager": set(),
    "shipping_clerk": set(),
    "regional_manager": RECORD,  # and only for the customers of their regions
    "sales_rep": RECORD,  # and only for the customers assigned to them
}
SCOPED = {"regional_manager", "sales_rep"}


def _client(login_as, shop, user):
    return login_as(TenantClient(host_of(shop.tenant)), shop.tenant, user)


def _world(shop):
    order = place(shop)
    Order.objects.filter(pk=order.pk).update(credit_hold=True)
    payment = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY())
    other = payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY())
    return {"customer": shop.customer.pk, "payment": payment.pk, "other_payment": other.pk,
            "entry": Entry.objects.get(order=order).pk, "order": order.pk,
            "today": TODAY().isoformat()}


def _fill(value, ids):
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    return value


def _call(client, action, ids):
    method, path, body, _status = ACTIONS[action]
    url = f"{API}{_fill(path, ids)}"
    if method == "get":
        return client.get(url)
    return client.post(url, _fill(body, ids), content_type=JSON)


def _state():
    """Everything a finance action could change."""
    return (sorted(Payment.objects.values_list("pk", "status")),
            sorted(Entry.objects.values_list("pk", "amount")),
            sorted(CreditTerms.objects.values_list("customer_id", "temporary_credit",
                                                   "on_hold")),
            sorted(Order.objects.values_list("pk", "credit_hold")),
            AuditLog.objects.filter(action__startswith="finance.").count())


def test_the_table_follows_the_catalog():
    """The table is written out by hand; it must say what the built-in roles hold."""
    needs = {"record_payments": RECORD, "confirm_payments": {"confirm-payment",
                                                             "reject-payment"},
             "adjust_balances": {"adjust", "reverse"},
             "manage_credit": {"set-credit-terms", "release-hold"},
             "view_finance": {"balances", "ledger", "receivables", "credit-terms"}}
    assert set().union(*needs.values()) == FINANCE
    for role in BUILTIN_ROLES:
        held = set().union(*(actions for perm, actions in needs.items()
                             if perm in role.permissions))
        assert held == ALLOWED[role.key], role.key


@pytest.mark.parametrize("role", list(ALLOWED))
def test_role_action_matrix(shop, login_as, role):
    client = _client(login_as, shop, staff_with_roles(role, email=f"{role}@acme.example"))
    ids = _world(shop)
    for action in ACTIONS:
        before = _state()
        response = _call(client, action, ids)
        status = response.status_code
        if action not in ALLOWED[role]:
            assert status == 403, (action, status, response.content[:300])
            assert response.json()["error"]["code"] == "permission_denied"
        elif role in SCOPED and action in LISTS:  # nobody assigned to them: empty lists
            assert status == 200 and response.json()["count"] == 0, (action, status)
        elif role in SCOPED:  # not their customer: it does not exist for them
            assert status == 404, (action, status, response.content[:300])
        else:
            assert status == ACTIONS[action][3], (action, status, response.content[:300])
            continue
        assert _state() == before, action  # refused: nothing changed


# --- scoping ------------------------------------------------------------------------------


def _scoped_finance_role():
    """A custom role with every finance permission but not access_all_customers."""
    return role_create(actor=None, name_en="Regional finance", permissions=[
        "view_customers", "view_orders", "view_finance", "record_payments",
        "confirm_payments", "adjust_balances", "manage_credit"])


def test_scoped_finance_staff_reach_only_their_customers_money(shop, login_as):
    user = staff_with_roles(email="regfin@acme.example")
    user.groups.add(_scoped_finance_role().group)
    assign_perm("customers.work_with_customer", user, shop.customer)
    mine, theirs = _world(shop), {}
    order = place(shop, actor=shop.olga.user)
    Order.objects.filter(pk=order.pk).update(credit_hold=True)
    theirs = {"customer": shop.other.pk, "order": order.pk, "today": TODAY().isoformat(),
              "entry": Entry.objects.get(order=order).pk,
              "payment": payments.payment_record(actor=shop.olga.user, amount="9",
                                                 paid_on=TODAY()).pk,
              "other_payment": payments.payment_record(actor=shop.olga.user, amount="8",
                                                       paid_on=TODAY()).pk}
    client = _client(login_as, shop, user)
    for action in ACTIONS:
        if action in LISTS:
            continue
        before = _state()
        assert _call(client, action, theirs).status_code == 404, action
        assert _state() == before, action
    receivables = client.get(f"{API}/finance/receivables/").json()["results"]
    assert [row["customer"] for row in receivables] == [shop.customer.pk]
    listed = client.get(f"{API}/finance/payments/").json()["results"]
    assert {p["id"] for p in listed} == {mine["payment"], mine["other_payment"]}
    filtered = client.get(f"{API}/finance/payments/", {"customer": shop.other.pk}).json()
    assert filtered["count"] == 0
    for action in ACTIONS:  # their own customer: everything works
        assert _call(client, action, mine).status_code == ACTIONS[action][3], action


def test_a_sales_rep_records_payments_for_assigned_customers_only(shop, login_as):
    rep = shop.staff.sales
    assign_perm("customers.work_with_customer", rep, shop.customer)
    theirs = payments.payment_record(actor=shop.olga.user, amount="9", paid_on=TODAY())
    client = _client(login_as, shop, rep)
    body = {"amount": "20.00", "paid_on": TODAY().isoformat(), "method": "cheque",
            "reference": "CHQ 1"}
    made = client.post(f"{API}/finance/payments/", {**body, "customer": shop.customer.pk},
                       content_type=JSON)
    assert made.status_code == 201 and made.json()["method"] == "cheque"
    refused = client.post(f"{API}/finance/payments/", {**body, "customer": shop.other.pk},
                          content_type=JSON)
    assert refused.status_code == 404
    assert Payment.objects.filter(customer=shop.other).count() == 1
    assert [p["id"] for p in client.get(f"{API}/finance/payments/").json()["results"]] == [
        made.json()["id"]]
    assert client.get(f"{API}/finance/payments/{theirs.pk}/").status_code == 404
    assert client.get(f"{API}/finance/payments/{made.json()['id']}/").status_code == 200
    # a rep records, finance confirms
    assert client.post(f"{API}/finance/payments/{made.json()['id']}/confirm/").status_code \
        == 403


def test_a_regional_manager_sees_payments_of_customers_in_their_regions(shop, login_as):
    north = Region.objects.create(name="North")
    customer_update(actor=None, customer=shop.customer, region=north)
    manager = staff_with_roles("regional_manager", email="north@acme.example")
    assign_perm("roles.work_in_region", manager, north)
    mine = payments.payment_record(actor=shop.dana.user, amount="7", paid_on=TODAY())
    theirs = payments.payment_record(actor=shop.olga.user, amount="9", paid_on=TODAY())
    client = _client(login_as, shop, manager)
    assert [p["id"] for p in client.get(f"{API}/finance/payments/").json()["results"]] == [
        mine.pk]
    assert client.get(f"{API}/finance/payments/{theirs.pk}/").status_code == 404


# --- tenants ------------------------------------------------------------------------------


def test_another_tenants_ids_are_404_and_its_api_key_is_refused(shop, login_as, globex):
    acme_ids = _world(shop)
    with tenant_context(globex):
        boss = staff_with_roles("system_administrator", email="boss@globex.example")
        _key, globex_key = api_key_create(actor=None, user=boss, name="ERP")
    stranger = login_as(TenantClient(host_of(globex)), globex, boss)
    before = _state()
    for action in ACTIONS:
        response = _call(stranger, action, acme_ids)
        if action in LISTS:
            assert response.status_code == 200 and response.json()["count"] == 0
        else:
            assert response.status_code == 404, (action, response.status_code)
    with tenant_context(globex):
        assert not Payment.objects.exists() and not Entry.objects.exists()
    assert _state() == before
    # globex's key on acme's host: refused before anything is read
    keyed = TenantClient(host_of(shop.tenant), HTTP_AUTHORIZATION=f"Api-Key {globex_key}")
    for path in (f"/finance/customers/{shop.customer.pk}/balances/", "/finance/payments/",
                 f"/finance/payments/{acme_ids['payment']}/"):
        response = keyed.get(f"{API}{path}")
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_failed"
    # and it works where it belongs
    home = TenantClient(host_of(globex), HTTP_AUTHORIZATION=f"Api-Key {globex_key}")
    assert home.get(f"{API}/finance/payments/").json()["count"] == 0
    # acme's dealer session means nothing on globex
    dana = _client(login_as, shop, shop.dana.user)
    crossed = TenantClient(host_of(globex))
    crossed.cookies = dana.cookies
    assert crossed.get(f"{API}/my/finance/balances/").status_code in (401, 403)
