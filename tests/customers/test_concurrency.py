"""Races against real PostgreSQL with real threads: customer numbers, the primary
login, and an application approved twice at the same moment."""

import threading
import uuid

from django.contrib.auth import get_user_model
from django.db import connections
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from ordering.customers.models import Customer, CustomerLogin
from ordering.customers.services import customers as services
from ordering.customers.services import logins as login_services
from tenants.models import Tenant


def _race(n, work):
    """Run ``work(i)`` in ``n`` threads released together; returns their outcomes."""
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        try:
            with tenant_context(Tenant.objects.get(slug="acme")):
                barrier.wait()
                outcomes.append(("ok", work(i)))
        except ApplicationError as exc:
            outcomes.append(("error", exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_simultaneous_customers_get_distinct_generated_codes(committed_db):
    prefix = f"Code race {uuid.uuid4().hex[:8]} "
    try:
        outcomes = _race(8, lambda i: services.customer_create(actor=None,
                                                               name=f"{prefix}{i}").code)
        codes = [value for kind, value in outcomes]
        assert [kind for kind, _ in outcomes] == ["ok"] * 8
        assert len(set(codes)) == 8
    finally:
        with tenant_context(Tenant.objects.get(slug="acme")):
            Customer.objects.filter(name__startswith=prefix).delete()


def test_two_first_logins_at_once_leave_exactly_one_primary(committed_db):
    acme = Tenant.objects.get(slug="acme")
    with tenant_context(acme):
        customer = services.customer_create(actor=None, name="Race primary")
    try:
        outcomes = _race(2, lambda i: login_services.login_create(
            actor=None, customer=customer, email=f"race{i}@primary.example", is_primary=True,
            password="Correct-Horse-42", site_url="http://acme.localhost").pk)
        with tenant_context(acme):
            assert CustomerLogin.objects.filter(customer=customer, is_primary=True).count() == 1
            # the loser either failed cleanly or became an ordinary login
            assert {kind for kind, _ in outcomes} <= {"ok", "error"}
    finally:
        with tenant_context(acme):
            get_user_model().objects.filter(email__endswith="@primary.example").delete()
            Customer.objects.filter(pk=customer.pk).delete()
