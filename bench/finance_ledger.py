"""A customer's ledger at 10,000 entries: the staff ledger page, the dealer's statement
of account and a statement (对账单) to confirm, each over a year of history (issue 12's
budget: a constant number of queries, under 300 ms).

    .venv/bin/python -m bench.finance_ledger --entries 10000 --runs 15

Provisions a throwaway tenant with one customer and a year of receivable entries
(charges and payments, inserted in bulk with their running balances, as the ledger
would have written them), then requests each page through Django's test client as the
finance reviewer or the dealer would, several times, and prints the number of queries
and the median / worst time per page, with the same pages for a customer with 100
entries for the ratio. The tenant is deleted afterwards. Nothing is asserted.
"""

import datetime
import statistics
import sys
import time
from decimal import Decimal

from bench._common import main, throwaway_tenant


def _history(customer, count):
    """``count`` receivable entries over the past year, oldest first: charges, and every
    third one a payment."""
    from django.utils import timezone

    from ordering.finance.enums import AccountKind, EntryKind
    from ordering.finance.models import Account, Entry
    from ordering.finance.services.ledger import accounts_lock

    from django.db import transaction

    with transaction.atomic():
        account = accounts_lock(customer.pk)[AccountKind.RECEIVABLE]
    start = timezone.now() - datetime.timedelta(days=365)
    step = datetime.timedelta(days=365) / max(count, 1)
    balance, rows = Decimal("0.00"), []
    for n in range(count):
        amount = Decimal("-150.00") if n % 3 == 2 else Decimal(f"{80 + n % 40}.00")
        balance += amount
        rows.append(Entry(account=account, kind=EntryKind.PAYMENT if amount < 0
                          else EntryKind.ORDER_CHARGE, amount=amount, balance_after=balance,
                          memo=f"bench {n}", created_at=start + step * n))
    Entry.objects.bulk_create(rows, batch_size=2000)
    Account.objects.filter(pk=account.pk).update(balance=balance)


def _measure(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: the session, the tenant, the permissions
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return queries, statistics.median(times), max(times)


def run(*, entries=10000, runs=15, out=sys.stdout):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from ordering.customers.services import customers, logins
    from ordering.finance.services import reconciliation
    from roles.models import Role

    with throwaway_tenant("Bench ledger", "bench-fl") as provisioned:
        tenant = provisioned.tenant
        host = f"{tenant.slug}.{settings.BASE_DOMAIN}"
        today = timezone.localdate()
        year_ago = today - datetime.timedelta(days=366)
        with tenant_context(tenant):
            finance = get_user_model().objects.create_user(
                email=f"finance@{tenant.slug}.example", password="Bench-pass-2026!")
            finance.groups.set([Role.objects.get(key="finance_reviewer").group])
            people = {}
            for label, count in (("small", 100), ("large", entries)):
                customer = customers.customer_create(actor=None, name=f"Ledger {label}")
                login = logins.login_create(actor=None, customer=customer,
                                            email=f"{label}@{tenant.slug}.example",
                                            password="Bench-pass-2026!",
                                            site_url="http://bench.localhost")
                get_user_model().objects.filter(pk=login.user_id).update(
                    must_change_password=False)
                _history(customer, count)
                statement = reconciliation.reconciliation_issue(
                    actor=finance, customer=customer, start=year_ago, end=today)
                people[label] = (customer, login.user, statement)
        out.write(f"finance ledger: {entries} entries over a year vs 100; {runs} runs per page; "
                  f"times are the whole request through Django's test client\n")
        period = f"start={year_ago.isoformat()}&end={today.isoformat()}"
        results = {}
        for label, (customer, dealer, statement) in people.items():
            last = -(-(100 if label == "small" else entries) // 100)  # 100 entries a page
            staff_client = Client(HTTP_HOST=host)
            dealer_client = Client(HTTP_HOST=host)
            with tenant_context(tenant):
                staff_client.force_login(finance, backend="roles.backends.EmailBackend")
                dealer_client.force_login(dealer, backend="roles.backends.EmailBackend")
            pages = [
                ("staff ledger, newest page", staff_client,
                 f"/dashboard/finance/customers/{customer.pk}/?account=receivable&{period}"),
                ("staff ledger, oldest page", staff_client,
                 f"/dashboard/finance/customers/{customer.pk}/?account=receivable&{period}"
                 f"&page={last}"),
                ("dealer statement of account, first page", dealer_client,
                 f"/shop/finance/statement/?account=receivable&{period}"),
                ("dealer statement of account, last page", dealer_client,
                 f"/shop/finance/statement/?account=receivable&{period}&page={last}"),
                ("receivables with aging", staff_client, "/dashboard/finance/"),
                ("statement to confirm, first page", dealer_client,
                 f"/shop/finance/statements/{statement.pk}/"),
            ]
            for name, client, url in pages:
                results[(label, name)] = _measure(client, url, runs)
        for name in dict.fromkeys(name for _label, name in results):
            small_q, small_t, _w = results[("small", name)]
            large_q, large_t, worst = results[("large", name)]
            out.write(f"  {name:42s} queries {small_q:3d} → {large_q:3d}   median "
                      f"{small_t * 1000:7.1f} → {large_t * 1000:7.1f} ms (worst "
                      f"{worst * 1000:7.1f}; ×{large_t / small_t:5.2f})\n")


if __name__ == "__main__":
    main(__doc__, run,
         ("--entries", {"type": int, "default": 10000}),
         ("--runs", {"type": int, "default": 15}))
