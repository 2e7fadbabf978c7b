"""Money never crosses tenants: acme's payments and ledger do not exist in globex's
schema, and a payment object carried over from acme cannot be confirmed there."""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.exceptions import NotFoundError
from ordering.finance import selectors
from ordering.finance.models import Account, Entry, Payment
from ordering.finance.services import payments
from tests.factories.roles import staff_with_roles
from tests.finance.conftest import place


def test_acme_money_is_invisible_and_untouchable_from_globex(shop, globex):
    place(shop)
    payment = payments.payment_record(actor=shop.dana.user, amount="95",
                                      paid_on=timezone.localdate())
    assert Entry.objects.exists() and Payment.objects.exists()
    with tenant_context(globex):
        finance = staff_with_roles("finance_reviewer", email="fin-iso@globex.example")
        assert not Payment.objects.filter(pk=payment.pk).exists()
        assert not Account.objects.exists() and not Entry.objects.exists()
        assert list(selectors.payments_pending(actor=finance)) == []
        with pytest.raises(NotFoundError):
            payments.payment_confirm(actor=finance, payment=payment)
    payment.refresh_from_db()
    assert payment.status == "pending" and not payment.entries.exists()
