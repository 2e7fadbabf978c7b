"""Platform metrics: the hourly task's snapshot equals an independent count over the
tenants (throwaway tenants with different statuses, plans, currencies, sign-up dates,
subscriptions and orders, plus whatever the database already holds); the page is for
operators only, every operator role reads it, in English and in Chinese, with a
constant number of queries."""

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing import lifecycle
from billing.enums import EventSource
from billing.models import PlanPrice, Subscription, SubscriptionChange, Usage
from billing.services import plan_assign, subscription_ensure
from shared.models import OperatorRole, PlatformMetric
from shared.tasks import platform_metrics_task
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.ops.test_tenant_actions import _client, _operator

PASSWORD = "Metrics-pass-2026"


def _tenant(slug, *, currency="CNY", created_days_ago=0):
    from tenants.services import tenant_provision

    tenant = tenant_provision(name=f"Metrics {slug}", slug=slug,
                              owner_email=f"owner@{slug}.example", owner_password=PASSWORD,
                              path="clone").tenant
    Tenant.objects.filter(pk=tenant.pk).update(
        currency=currency, created_at=timezone.now() - datetime.timedelta(days=created_days_ago))
    return Tenant.objects.get(pk=tenant.pk)


def _orders(tenant, *ages_in_days):
    """One order per age (days before now), written straight to the tenant's table."""
    from ordering.customers.services import customers
    from ordering.orders.models import Order

    now = timezone.now()
    with tenant_context(tenant):
        customer = customers.customer_create(actor=None, name=f"Buyer of {tenant.slug}")
        Order.objects.bulk_create([
            Order(customer=customer, payment_method="transfer", recipient="R", phone="1",
                  address="A", currency=tenant.currency,
                  created_at=now - datetime.timedelta(days=age, minutes=1))
            for age in ages_in_days])


@pytest.fixture
def world(db):
    """Four tenants besides what the database holds:

    - pro: CNY, paid monthly (trial → active), 6 orders (3 today, 2 yesterday, 1 forty
      days ago), 12 MB stored, signed up 20 days ago;
    - basic: USD, paid yearly (trial → active), no orders, 3 MB, signed up 9 days ago;
    - lapsed: its trial ended and it was suspended (never active), 1 order 2 days ago;
    - euro: EUR (no plan has a EUR price), active then past due.
    """
    pro = _tenant("mx-pro", created_days_ago=20)
    plan_assign(tenant=pro, plan_code="pro", status="active", reason="test")
    _orders(pro, 0, 0, 0, 1, 1, 40)
    basic = _tenant("mx-basic", currency="USD", created_days_ago=9)
    plan_assign(tenant=basic, plan_code="basic", status="active", interval="year", reason="test")
    lapsed = _tenant("mx-lapsed")
    lifecycle.transition(subscription=subscription_ensure(tenant=lapsed), to="suspended",
                         source=EventSource.SYSTEM, reason="trial ended")
    _orders(lapsed, 2)
    euro = _tenant("mx-euro", currency="EUR")
    subscription = plan_assign(tenant=euro, plan_code="pro", status="active", reason="test")
    lifecycle.transition(subscription=subscription, to="past_due", source=EventSource.SYSTEM,
                         reason="payment failed")
    Usage.objects.update_or_create(tenant=pro, defaults={"storage": 12})
    Usage.objects.update_or_create(tenant=basic, defaults={"storage": 3})
    return {"pro": pro, "basic": basic, "lapsed": lapsed, "euro": euro}


# --- the independent count: one tenant at a time, through the ORM, in Python -----------


def _count_everything(today):
    from ordering.orders.models import Order

    tenants = list(Tenant.objects.exclude(schema_name="public"))
    since = today - datetime.timedelta(days=29)
    per_day, totals, recent = Counter(), {}, {}
    tenants_per_day = Counter()
    for tenant in tenants:
        with tenant_context(tenant):
            days = [timezone.localtime(at).date()
                    for at in Order.objects.values_list("created_at", flat=True)]
        totals[tenant.pk] = len(days)
        recent[tenant.pk] = sum(1 for day in days if day >= since)
        per_day.update(day for day in days if day >= since)
        tenants_per_day.update({day for day in days if day >= since})
    prices = {(p.plan_id, p.currency, p.interval): p.amount for p in PlanPrice.objects.all()}
    mrr, paying, unpriced = Counter(), Counter(), 0
    for subscription in Subscription.objects.select_related("tenant"):
        if subscription.status not in ("active", "past_due"):
            continue
        price = prices.get((subscription.plan_id, subscription.tenant.currency,
                            subscription.interval))
        if price is None:
            unpriced += 1
            continue
        monthly = price / 12 if subscription.interval == "year" else price
        mrr[subscription.tenant.currency] += monthly.quantize(Decimal("0.01"), ROUND_HALF_UP)
        paying[subscription.tenant.currency] += 1
    changes = list(SubscriptionChange.objects.values_list("subscription_id", "from_status",
                                                          "to_status"))
    ended = {s for s, a, b in changes if a == "trial" and b != "trial"}
    converted = {s for s, a, b in changes if s in ended and b == "active"}
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = [monday - datetime.timedelta(weeks=n) for n in range(11, -1, -1)]
    signups = Counter()
    for tenant in tenants:
        day = timezone.localtime(tenant.created_at).date()
        signups[day - datetime.timedelta(days=day.weekday())] += 1
    storage = sorted(((u.storage, u.tenant_id) for u in Usage.objects.filter(storage__gt=0)),
                     key=lambda row: (-row[0], row[1]))[:10]
    return {
        "tenants": len(tenants),
        "active": sum(1 for n in recent.values() if n),
        "by_status": Counter(t.status for t in tenants),
        "by_plan": Counter(t.plan for t in tenants),
        "orders_daily": [(since + datetime.timedelta(days=n),
                          per_day[since + datetime.timedelta(days=n)],
                          tenants_per_day[since + datetime.timedelta(days=n)])
                         for n in range(30)],
        "top_orders": sorted(((n, recent[pk], pk) for pk, n in totals.items() if n),
                             key=lambda row: (-row[0], row[2]))[:10],
        "mrr": {code: amount for code, amount in mrr.items()},
        "paying": dict(paying), "unpriced": unpriced,
        "trials": (len(ended), len(converted)),
        "signups": [(week, signups[week]) for week in weeks],
        "top_storage": [(pk, mb) for mb, pk in storage],
    }


def test_the_snapshot_equals_an_independent_count(world):
    result = platform_metrics_task.apply().get()
    today = timezone.localdate()
    row = PlatformMetric.objects.get(day=today)
    assert result["day"] == today.isoformat() and row.seconds >= 0
    got, want = row.payload, _count_everything(today)

    assert got["tenants"] == want["tenants"]
    assert got["active"] == want["active"]
    assert {k: v for k, v in got["by_status"].items() if v} == dict(want["by_status"])
    assert {item["plan"]: item["count"] for item in got["by_plan"] if item["count"]} == dict(
        want["by_plan"])
    assert [(datetime.date.fromisoformat(d["day"]), d["count"], d["tenants"])
            for d in got["orders_daily"]] == want["orders_daily"]
    assert got["orders_recent"] == sum(n for _d, n, _t in want["orders_daily"])
    assert [(t["orders"], t["recent"], t["tenant"]) for t in got["top_orders"]] == \
        want["top_orders"]
    assert {m["currency"]: Decimal(m["amount"]) for m in got["mrr"]} == want["mrr"]
    assert {m["currency"]: m["subscriptions"] for m in got["mrr"]} == want["paying"]
    assert [m["currency"] for m in got["mrr"]][:1] == (["CNY"] if "CNY" in want["mrr"] else [])
    assert got["unpriced"] == want["unpriced"]
    assert (got["trials"]["ended"], got["trials"]["converted"]) == want["trials"]
    assert [(datetime.date.fromisoformat(w["week"]), w["count"]) for w in got["signups"]] == \
        want["signups"]
    assert [(t["tenant"], t["storage"]) for t in got["top_storage"]] == want["top_storage"]

    # and what the four tenants put in, figure by figure
    pro, basic = world["pro"], world["basic"]
    top = {t["tenant"]: (t["orders"], t["recent"]) for t in got["top_orders"]}
    assert top[pro.pk] == (6, 5) and top[world["lapsed"].pk] == (1, 1)
    assert basic.pk not in top
    assert got["by_status"]["suspended"] >= 1 and got["by_status"]["past_due"] >= 1
    assert got["unpriced"] >= 1  # the EUR tenant: no plan has a EUR price
    usd = next(m for m in got["mrr"] if m["currency"] == "USD")
    assert Decimal(usd["amount"]) >= Decimal("40.83")  # 490.00 a year / 12
    assert (got["trials"]["ended"], got["trials"]["converted"]) >= (3, 2)
    rate = Decimal(got["trials"]["rate"])
    assert rate == (Decimal(want["trials"][1]) / want["trials"][0]).quantize(Decimal("0.0001"))


def test_a_second_run_the_same_day_replaces_the_days_row(world):
    platform_metrics_task.apply()
    platform_metrics_task.apply()
    assert PlatformMetric.objects.filter(day=timezone.localdate()).count() == 1


def test_mrr_changes_against_the_snapshot_a_period_earlier(db):
    today = timezone.localdate()
    for days, cny in ((40, "1.00"), (30, "100.00"), (5, "5000.00")):
        PlatformMetric.objects.create(
            day=today - datetime.timedelta(days=days), computed_at=timezone.now(),
            payload={"mrr": [{"currency": "CNY", "amount": cny, "subscriptions": 1}],
                     "active": days, "tenants": 2})
    payload = platform_metrics_task.apply().get() and PlatformMetric.objects.get(
        day=today).payload
    assert payload["mrr_previous_day"] == (today - datetime.timedelta(days=30)).isoformat()
    now = {m["currency"]: Decimal(m["amount"]) for m in payload["mrr"]}
    change = {c["currency"]: c for c in payload["mrr_change"]}
    assert Decimal(change["CNY"]["previous"]) == Decimal("100.00")
    assert Decimal(change["CNY"]["difference"]) == now.get("CNY", Decimal(0)) - Decimal("100.00")
    # the history the charts draw: every earlier snapshot of the last 90 days, then today
    assert [h["day"] for h in payload["history"]][-4:] == [
        (today - datetime.timedelta(days=n)).isoformat() for n in (40, 30, 5, 0)]


def test_the_task_is_on_the_beat_hourly_and_on_the_health_page():
    entry = settings.CELERY_BEAT_SCHEDULE["shared-platform-metrics"]
    assert entry == {"task": "shared.tasks.platform_metrics_task", "schedule": 3600.0}


# --- the page ---------------------------------------------------------------------------


def test_only_operators_open_the_metrics_page(public_client):
    response = public_client.get("/ops/metrics/")
    assert response.status_code == 302 and response["Location"].startswith("/ops/login/")
    public_client.force_login(UserFactory(), backend="roles.backends.EmailBackend")
    assert public_client.get("/ops/metrics/").status_code == 403
    assert public_client.post("/ops/metrics/").status_code == 403


@pytest.mark.parametrize("role", [None, *OperatorRole.values])
def test_every_operator_role_reads_the_figures(world, role):
    platform_metrics_task.apply()
    payload = PlatformMetric.objects.get(day=timezone.localdate()).payload
    page = _client(_operator(role)).get("/ops/metrics/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="nav-metrics"' in body and 'id="metrics-charts"' in body
    assert f'data-testid="metric-tenants">{payload["tenants"]}<' in body
    assert f'data-testid="metric-active">{payload["active"]}<' in body
    assert f'data-testid="metric-orders">{payload["orders_recent"]}<' in body
    cny = next(m for m in payload["mrr"] if m["currency"] == "CNY")
    assert f"{Decimal(cny['amount']):,.2f}" in body
    assert "Metrics mx-pro" in body  # the largest tenants by orders and storage
    assert "vendor/chart.js/chart.umd.min.js" in body


def test_an_operator_computes_the_figures_again(db, django_capture_on_commit_callbacks):
    PlatformMetric.objects.all().delete()  # a browser test's committed snapshot
    client = _client(_operator(OperatorRole.SUPPORT))
    assert 'data-testid="metrics-empty"' in client.get("/ops/metrics/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ops/metrics/")
    assert response.status_code == 302
    assert PlatformMetric.objects.filter(day=timezone.localdate()).exists()
    assert 'data-testid="metric-tenants"' in client.get("/ops/metrics/").content.decode()


def test_the_page_in_chinese_has_no_english_left(world):
    from tests.test_untranslated_sweep import english_runs, visible_text

    platform_metrics_task.apply()
    operator = _operator()
    type(operator).objects.filter(pk=operator.pk).update(preferred_language="zh-hans")
    operator.refresh_from_db()
    page = _client(operator).get("/ops/metrics/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "平台" in text
    names = set(Tenant.objects.values_list("name", flat=True))
    assert english_runs(text, names | {"Orderline", "MRR", "CNY", "USD", "EUR", "HKD"}) == []


def test_the_page_reads_a_constant_number_of_queries(world, django_assert_max_num_queries):
    platform_metrics_task.apply()
    client = _client(_operator())
    with django_assert_max_num_queries(9):  # 8, and the operator's authenticator
        assert client.get("/ops/metrics/").status_code == 200
