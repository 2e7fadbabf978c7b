"""Recording a payment with an Idempotency-Key: a repeat returns the first payment and
records nothing, a different request with the key is refused, and two requests racing
with one key record one payment (real threads on real PostgreSQL, committed in acme)."""

import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from ordering.finance.models import Payment
from ordering.finance.services import payments
from roles.models import AuditLog
from tests.factories.roles import staff_with_roles
from tests.orders.test_concurrency import _run, acme_world  # noqa: F401

TODAY = timezone.localdate


def test_a_repeat_returns_the_first_payment_and_another_request_is_refused(shop):
    first = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY(),
                                    reference="ICBC 1", idempotency_key=" k-1 ")
    assert first.repeated is False and first.idempotency_key == "k-1"
    again = payments.payment_record(actor=shop.dana.user, amount="95.00", paid_on=TODAY(),
                                    reference="ICBC 1 ", idempotency_key="k-1")
    assert again.pk == first.pk and again.repeated is True
    with pytest.raises(Exception) as refused:
        payments.payment_record(actor=shop.dana.user, amount="95.00", paid_on=TODAY(),
                                reference="ICBC 2", idempotency_key="k-1")
    assert refused.value.code == "idempotency_key_reused" and refused.value.status == 422
    # staff recording for the same customer share its keys
    with pytest.raises(Exception):
        payments.payment_record(actor=shop.staff.finance, customer=shop.customer,
                                amount="95", paid_on=TODAY(), method="cash",
                                idempotency_key="k-1")
    assert Payment.objects.count() == 1
    assert AuditLog.objects.filter(action="finance.payment_record").count() == 1


def test_an_insert_that_loses_the_race_returns_the_winner(shop, monkeypatch):
    """The lookup before the insert misses (the winner had not committed yet); the unique
    index refuses the second insert; the loser reads the winner."""
    winner = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY(),
                                     idempotency_key="race")
    real = payments._first_with_key
    calls = []

    def late(customer, key, digest):
        calls.append(key)
        return None if len(calls) == 1 else real(customer, key, digest)

    monkeypatch.setattr(payments, "_first_with_key", late)
    loser = payments.payment_record(actor=shop.dana.user, amount="95", paid_on=TODAY(),
                                    idempotency_key="race")
    assert loser.pk == winner.pk and loser.repeated is True and calls == ["race", "race"]
    assert Payment.objects.count() == 1
    # the transaction is still usable after the refused insert
    assert payments.payment_record(actor=shop.dana.user, amount="5", paid_on=TODAY()).pk


@pytest.mark.parametrize("threads", [2, 8])
def test_requests_racing_with_one_key_record_one_payment(acme_world, threads):
    acme, dealers, _variant, _order = acme_world
    (login, _address), = dealers(1)
    key = uuid.uuid4().hex
    with tenant_context(acme):
        clerk = staff_with_roles("finance_reviewer", email=f"clerk-{key[:8]}@acme.example")

    def record():
        with tenant_context(acme):
            return payments.payment_record(actor=clerk, customer=login.customer, amount="120",
                                           paid_on=TODAY(), method="cash", reference="Till 3",
                                           idempotency_key=key)

    results = _run([record for _ in range(threads)])
    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert [r.repeated for r in results].count(False) == 1  # the others were told it existed
    with tenant_context(acme):
        assert Payment.objects.filter(customer=login.customer).count() == 1
        assert AuditLog.objects.filter(action="finance.payment_record",
                                       object_id=str(results[0].pk)).count() == 1
