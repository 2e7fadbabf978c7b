"""Regressions found by an adversarial review of the customers feature: blank-line
CSV bombs, a login disabled while its customer was disabled coming back, a dealer
undoing the supplier's disable, and an import blocking other new customers."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django_tenants.utils import tenant_context

from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from ordering.customers.services.imports import ImportFileError, read_file
from tests.conftest import TenantClient

User = get_user_model()
PASSWORD = "Correct-Horse-42"
SITE = "http://acme.localhost"
JSON = "application/json"


def _login(customer, email, **values):
    login = login_services.login_create(actor=None, customer=customer, email=email,
                                        password=PASSWORD, site_url=SITE, **values)
    login.user.must_change_password = False
    login.user.save(update_fields=["must_change_password"])
    return login


@pytest.fixture
def company(in_acme):
    customer = customer_services.customer_create(actor=None, name="Riverside Trading")
    primary = _login(customer, "alice@riverside.example", name="Alice")
    other = _login(customer, "bob@riverside.example", name="Bob")
    return customer, primary, other


def _owner():
    return User.objects.get(email="owner@acme.example")


# --- F1: a login disabled while its customer is disabled comes back -------------------


def test_disabling_a_login_while_the_customer_is_disabled_sticks(company, acme, login_as):
    """Staff disable the customer, then (API) disable Bob for good. Enabling the customer
    must bring back Alice only. Today login_set_active returns early because Bob's user
    is already inactive, leaves suspended_with_customer=True, answers 200 — and Bob is
    re-enabled with the customer."""
    customer, primary, bob = company
    customer_services.customer_set_status(actor=None, customer=customer, active=False)
    client = login_as(TenantClient("acme.localhost"), acme, _owner())
    response = client.patch(f"/api/v1/customers/{customer.pk}/logins/{bob.pk}/",
                            {"is_active": False}, content_type=JSON)
    assert response.status_code == 200
    customer_services.customer_set_status(actor=None, customer=customer, active=True)
    bob.user.refresh_from_db()
    primary.user.refresh_from_db()
    assert primary.user.is_active
    assert not bob.user.is_active, "the supplier's disable was silently lost"


# --- F2: a dealer's primary login re-enables a login the supplier disabled -------------


def test_dealer_primary_cannot_undo_a_supplier_disable(company, acme, login_as):
    customer, primary, bob = company
    login_services.login_set_active(actor=_owner(), login=bob, active=False)
    client = login_as(TenantClient("acme.localhost"), acme, primary.user)
    response = client.post(f"/shop/account/logins/{bob.pk}/status/", {"action": "enable"})
    assert response.status_code in (302, 403, 404)
    bob.user.refresh_from_db()
    assert not bob.user.is_active, "the dealer re-enabled a login the supplier disabled"


# --- F3: CSV import reads unbounded physical rows (5 MB of newlines = 5M rows) ---------


def test_csv_with_hundreds_of_thousands_of_blank_lines_is_refused(in_acme):
    """The xlsx reader stops at MAX_PHYSICAL_ROWS (100 000); the CSV reader does not:
    every blank line becomes a tablib row. 5 MB of "\\n" + one row took 92 s and 3.5 GB
    RSS in read_file — synchronously in the upload request (job_start), then again in
    the worker. Here 300 000 blank lines (300 kB)."""
    content = b"name\n" + b"\n" * 300_000 + b"Acme\n"
    with pytest.raises(ImportFileError):
        read_file(content=content, extension="csv")


# --- F4: an import holds the customer-code counter lock for its whole run --------------


def test_a_running_import_does_not_block_other_new_customers(committed_db):
    """import_rows writes every row inside one transaction; the first generated code
    locks the counter row (core.sequences.next_value) until the import — or its dry
    run, 10–15 ms a row, up to 5000 rows — ends. Meanwhile every other new customer
    of the tenant (staff form, API, the public /apply/ page) waits on that lock."""
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    started, release = threading.Event(), threading.Event()
    errors = []

    def importer():
        from django.db import connections
        try:
            with tenant_context(acme), transaction.atomic():
                # what import_rows does for its first new-customer row
                customer_services.customer_create(actor=None, name="Imported 1")
                started.set()
                release.wait(10)
                transaction.set_rollback(True)  # a dry run
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert started.wait(10)
        with tenant_context(acme), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            try:
                customer_services.customer_create(actor=None, name="Applicant Ltd")
                blocked = False
            except OperationalError:
                blocked = True
            transaction.set_rollback(True)
    finally:
        release.set()
        thread.join()
    assert not errors
    assert not blocked, "a new customer waited for the import's counter lock"
