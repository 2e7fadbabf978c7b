"""Platform metrics for the operator console: sign-ups per week, active tenants, tenants
by status and by plan, MRR per currency and its change, trial conversion, orders per day
across the platform, and the largest tenants by orders and by storage.

Design: one row per day (``shared.PlatformMetric``: the day, when it was computed, how
long it took, and every figure as one JSON document), written by the hourly
``shared.tasks.platform_metrics_task`` through ``shared.services.platform_metrics_refresh``.

- The page reads exactly one row, the newest: its cost does not depend on the number of
  tenants or orders, and nothing scans a tenant schema per page view.
- The figures are of different shapes (a dozen weeks, thirty days, a few currencies, ten
  tenants); narrow tables per figure would mean as many tables, migrations and queries
  for a page that only ever shows them together. They are only ever read whole, so a
  JSON document is the honest shape; money is written as decimal strings (never floats).
- Keeping one row per day (rewritten through the day, so the last run of a day is that
  day's figure) gives the history that MRR's change and the charts of MRR and active
  tenants need: each run copies the last ``HISTORY_DAYS`` days' headline figures into its
  own document, so the page still reads one row.

How each figure is counted (the test ``tests/ops/test_metrics.py`` counts them again,
independently):

- sign-ups: tenants created, per week (Monday first, in ``TIME_ZONE``), the last
  ``SIGNUP_WEEKS`` weeks, this one included;
- orders per day: every tenant schema's orders, read once per run in one ``UNION ALL``
  statement (one arm per schema, ``SCHEMAS_PER_STATEMENT`` schemas per statement, like
  ``tenants.schemas.migration_lag``): per schema, orders per day of the last
  ``ORDER_DAYS`` days and the total; a schema is read once and no two are joined;
- active tenants: tenants that took at least one order in the last ``ORDER_DAYS`` days;
- tenants by status and by plan: the public ``Tenant`` rows (all statuses and all plans,
  zeros included);
- MRR: every paying subscription (status active or past due: still billed) at its
  plan's price in the tenant's currency for the subscription's interval, a yearly price
  divided by 12; summed per currency, CNY first. A paying subscription whose plan has no
  price in that currency is counted apart (``unpriced``), not guessed;
- MRR's change: against the snapshot ``ORDER_DAYS`` days earlier (the newest one on or
  before that day; the oldest one when the history is shorter);
- trial conversion: of the subscriptions whose trial ended (the audit trail of
  subscription changes holds a move out of trial), the share that became active (it
  holds a move to active);
- the largest tenants: by orders (all time, from the same statement) and by storage
  (``billing.Usage``, counted hourly by the usage task).
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from billing.enums import BillingStatus, Interval
from billing.models import Plan, PlanPrice, Subscription, SubscriptionChange, Usage
from shared.models import PlatformMetric
from tenants.enums import Currency, TenantStatus
from tenants.models import Tenant

VERSION = 1
SIGNUP_WEEKS = 12
ORDER_DAYS = 30
HISTORY_DAYS = 90
TOP = 10
SCHEMAS_PER_STATEMENT = 500
PAYING = (BillingStatus.ACTIVE, BillingStatus.PAST_DUE)
CENT = Decimal("0.01")


def _quote(name, cursor):
    """``name`` as an SQL identifier, escaped whatever it holds."""
    from psycopg2 import sql

    return sql.Identifier(name).as_string(cursor.cursor if hasattr(cursor, "cursor")
                                          else cursor)


def order_counts(schema_names, *, since, tz_name):
    """``{schema: {"total": n, "days": {date: n}}}`` for every schema in
    ``schema_names`` that has an orders table: orders per day (in ``tz_name``) from
    ``since`` on, and all its orders. One statement per ``SCHEMAS_PER_STATEMENT``
    schemas, each schema's table read once."""
    table = apps.get_model("orders", "Order")._meta.db_table
    names = sorted(set(schema_names))
    if not names:
        return {}
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE c.relname = %s "
                       "AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)", [table, names])
        with_table = sorted(row[0] for row in cursor.fetchall())
        for start in range(0, len(with_table), SCHEMAS_PER_STATEMENT):
            chunk = with_table[start:start + SCHEMAS_PER_STATEMENT]
            # per schema: one row per recent day, and one (day NULL) for older orders
            arms = " UNION ALL ".join(
                f"SELECT %s, d, count(*) FROM (SELECT CASE WHEN created_at >= %s THEN "
                f"(created_at AT TIME ZONE %s)::date END AS d FROM "
                f"{_quote(name, cursor)}.{_quote(table, cursor)}) o GROUP BY d"
                for name in chunk)
            params = []
            for name in chunk:
                params += [name, since, tz_name]
            cursor.execute(arms, params)
            for name, day, count in cursor.fetchall():
                entry = found.setdefault(name, {"total": 0, "days": {}})
                entry["total"] += count
                if day is not None:
                    entry["days"][day] = count
    return found


def _money(value):
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _currency_order(code):
    values = list(Currency.values)
    return values.index(code) if code in values else len(values)


def monthly_amount(amount, interval):
    """A price per month: a yearly price divided by 12 (to the cent)."""
    amount = Decimal(amount)
    if interval == Interval.YEAR:
        amount = amount / 12
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def mrr():
    """``([{"currency", "amount", "subscriptions"}, …] CNY first, unpriced count)``."""
    prices = {(p.plan_id, p.currency, p.interval): p.amount for p in PlanPrice.objects.all()}
    totals, counts, unpriced = defaultdict(Decimal), defaultdict(int), 0
    for plan_id, interval, currency in Subscription.objects.filter(status__in=PAYING).values_list(
            "plan_id", "interval", "tenant__currency"):
        amount = prices.get((plan_id, currency, interval))
        if amount is None:
            unpriced += 1
            continue
        totals[currency] += monthly_amount(amount, interval)
        counts[currency] += 1
    rows = [{"currency": code, "amount": _money(totals[code]), "subscriptions": counts[code]}
            for code in sorted(totals, key=_currency_order)]
    return rows, unpriced


def trial_conversion():
    """``{"ended": n, "converted": n, "rate": "0.4000" or None}``."""
    ended = set(SubscriptionChange.objects.filter(from_status=BillingStatus.TRIAL).exclude(
        to_status=BillingStatus.TRIAL).values_list("subscription_id", flat=True).distinct())
    converted = set(SubscriptionChange.objects.filter(
        subscription_id__in=ended, to_status=BillingStatus.ACTIVE).values_list(
        "subscription_id", flat=True).distinct()) if ended else set()
    rate = (Decimal(len(converted)) / len(ended)).quantize(Decimal("0.0001")) if ended else None
    return {"ended": len(ended), "converted": len(converted),
            "rate": str(rate) if rate is not None else None}


def signups_per_week(*, today):
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday - datetime.timedelta(weeks=SIGNUP_WEEKS - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    counted = {timezone.localtime(row["week"]).date(): row["n"] for row in Tenant.objects.exclude(schema_name="public")
               .filter(created_at__gte=start).annotate(week=TruncWeek("created_at"))
               .values("week").annotate(n=Count("id"))}
    weeks = [first + datetime.timedelta(weeks=n) for n in range(SIGNUP_WEEKS)]
    return [{"week": week.isoformat(), "count": counted.get(week, 0)} for week in weeks]


def _previous(today):
    """The snapshot MRR's change is measured against (None: no earlier snapshot)."""
    earlier = PlatformMetric.objects.filter(day__lt=today)
    row = earlier.filter(day__lte=today - datetime.timedelta(days=ORDER_DAYS)).order_by(
        "-day").first() or earlier.order_by("day").first()
    if row is None:
        return None
    return {"day": row.day.isoformat(), "mrr": row.payload.get("mrr", [])}


def mrr_change(current, previous):
    """Per currency: now, then, the difference and the percentage (None: from zero)."""
    if previous is None:
        return []
    before = {row["currency"]: Decimal(row["amount"]) for row in previous["mrr"]}
    now = {row["currency"]: Decimal(row["amount"]) for row in current}
    rows = []
    for code in sorted(set(before) | set(now), key=_currency_order):
        a, b = now.get(code, Decimal(0)), before.get(code, Decimal(0))
        rows.append({"currency": code, "amount": _money(a), "previous": _money(b),
                     "difference": _money(a - b),
                     "percent": str(((a - b) * 100 / b).quantize(Decimal("0.1"),
                                                                 rounding=ROUND_HALF_UP))
                     if b else None})
    return rows


def _history(today, headline):
    rows = [{"day": row["day"].isoformat(), **{k: row["payload"].get(k) for k in headline}}
            for row in PlatformMetric.objects.filter(
                day__lt=today, day__gte=today - datetime.timedelta(days=HISTORY_DAYS - 1))
            .order_by("day").values("day", "payload")]
    return rows + [{"day": today.isoformat(), **headline}]


def compute(*, now=None):
    """Every figure, as the JSON document ``PlatformMetric.payload`` holds. Reads the
    public schema, and every tenant schema's orders table once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - datetime.timedelta(days=ORDER_DAYS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    tenants = {pk: {"name": name, "slug": slug, "schema": schema}
               for pk, name, slug, schema in Tenant.objects.exclude(schema_name="public")
               .values_list("pk", "name", "slug", "schema_name")}
    by_schema = {info["schema"]: pk for pk, info in tenants.items()}
    counts = order_counts(list(by_schema), since=since,
                          tz_name=timezone.get_current_timezone_name())

    daily = []
    for n in range(ORDER_DAYS):
        day = first_day + datetime.timedelta(days=n)
        per = [entry["days"].get(day, 0) for entry in counts.values()]
        daily.append({"day": day.isoformat(), "count": sum(per),
                      "tenants": sum(1 for value in per if value)})
    active = sum(1 for entry in counts.values() if entry["days"])

    largest = sorted(((entry["total"], sum(entry["days"].values()), by_schema[schema])
                      for schema, entry in counts.items() if entry["total"]),
                     key=lambda row: (-row[0], row[2]))[:TOP]
    top_orders = [{"tenant": pk, "name": tenants[pk]["name"], "slug": tenants[pk]["slug"],
                   "orders": total, "recent": recent} for total, recent, pk in largest]
    top_storage = [{"tenant": pk, "name": tenants[pk]["name"], "slug": tenants[pk]["slug"],
                    "storage": storage}
                   for pk, storage in Usage.objects.filter(tenant_id__in=list(tenants),
                                                           storage__gt=0)
                   .order_by("-storage", "tenant_id").values_list("tenant_id", "storage")[:TOP]]

    statuses = dict.fromkeys(TenantStatus.values, 0)
    plans = {}
    for status, plan, n in (Tenant.objects.exclude(schema_name="public")
                            .values_list("status", "plan").annotate(n=Count("id"))
                            .order_by()):
        statuses[status] = statuses.get(status, 0) + n
        plans[plan] = plans.get(plan, 0) + n
    known = list(Plan.objects.order_by("position", "code").values_list("code", flat=True))
    by_plan = [{"plan": code, "count": plans.pop(code, 0)} for code in known]
    by_plan += [{"plan": code, "count": n} for code, n in sorted(plans.items())]

    revenue, unpriced = mrr()
    previous = _previous(today)
    headline = {"tenants": len(tenants), "active": active,
                "mrr": {row["currency"]: row["amount"] for row in revenue}}
    return {
        "version": VERSION, "day": today.isoformat(), "tenants": len(tenants),
        "signups": signups_per_week(today=today), "active": active,
        "by_status": statuses, "by_plan": by_plan,
        "mrr": revenue, "unpriced": unpriced,
        "mrr_previous_day": previous["day"] if previous else None,
        "mrr_change": mrr_change(revenue, previous),
        "trials": trial_conversion(),
        "orders_daily": daily, "orders_recent": sum(row["count"] for row in daily),
        "top_orders": top_orders, "top_storage": top_storage,
        "history": _history(today, headline),
        "settings": {"order_days": ORDER_DAYS, "signup_weeks": SIGNUP_WEEKS,
                     "time_zone": settings.TIME_ZONE},
    }


def metrics_latest():
    """The newest snapshot (None before the task first ran)."""
    return PlatformMetric.objects.order_by("-day").first()


def _amount(value):
    return f"{Decimal(value):,.2f}"


def metrics_page(*, language):
    """What the metrics page shows, in ``language``: the newest snapshot's figures with
    their labels, and the charts' data (for ``json_script``). Two queries: the snapshot
    and the plans' names."""
    from django.utils.translation import gettext as _

    from billing.selectors import plan_name

    row = metrics_latest()
    if row is None:
        return {"snapshot": None}
    data = row.payload
    statuses = dict(TenantStatus.choices)
    plans = {plan.code: plan_name(plan, language) for plan in Plan.objects.all()}
    counted = data.get("by_status", {})  # jsonb keeps no key order: the enum's order
    by_status = [{"code": code, "label": str(statuses.get(code, code)), "count": counted[code]}
                 for code in sorted(counted, key=lambda code: list(statuses).index(code)
                                    if code in statuses else len(statuses))]
    by_plan = [{"code": item["plan"], "label": plans.get(item["plan"], item["plan"]),
                "count": item["count"]} for item in data.get("by_plan", [])]
    changes = {item["currency"]: item for item in data.get("mrr_change", [])}
    mrr_rows = []
    for item in data.get("mrr", []):
        change = changes.get(item["currency"])
        mrr_rows.append({"currency": item["currency"], "amount": _amount(item["amount"]),
                         "subscriptions": item["subscriptions"],
                         "previous": _amount(change["previous"]) if change else None,
                         "difference": Decimal(change["difference"]) if change else None,
                         "difference_text": _amount(change["difference"]) if change else None,
                         "percent": change["percent"] if change else None})
    for code, change in changes.items():  # a currency that had MRR and has none now
        if code not in {item["currency"] for item in data.get("mrr", [])}:
            mrr_rows.append({"currency": code, "amount": _amount(0), "subscriptions": 0,
                             "previous": _amount(change["previous"]),
                             "difference": Decimal(change["difference"]),
                             "difference_text": _amount(change["difference"]),
                             "percent": change["percent"]})
    mrr_rows.sort(key=lambda item: _currency_order(item["currency"]))
    trials = data.get("trials", {})
    rate = trials.get("rate")
    history = data.get("history", [])
    currencies = sorted({code for item in history for code in (item.get("mrr") or {})},
                        key=_currency_order)
    charts = {
        "signups": {"type": "bar", "labels": [w["week"] for w in data.get("signups", [])],
                    "datasets": [{"label": _("Sign-ups"),
                                  "data": [w["count"] for w in data.get("signups", [])]}]},
        "orders": {"type": "line", "labels": [d["day"] for d in data.get("orders_daily", [])],
                   "datasets": [{"label": _("Orders"),
                                 "data": [d["count"] for d in data.get("orders_daily", [])]},
                                {"label": _("Tenants with orders"),
                                 "data": [d["tenants"] for d in data.get("orders_daily", [])]}]},
        "status": {"type": "doughnut", "labels": [item["label"] for item in by_status],
                   "datasets": [{"label": _("Tenants"),
                                 "data": [item["count"] for item in by_status]}]},
        "plan": {"type": "bar", "labels": [item["label"] for item in by_plan],
                 "datasets": [{"label": _("Tenants"),
                               "data": [item["count"] for item in by_plan]}]},
        "mrr": {"type": "line", "labels": [item["day"] for item in history],
                "datasets": [{"label": _("MRR (%(currency)s)") % {"currency": code},
                              "data": [float((item.get("mrr") or {}).get(code, 0))
                                       for item in history]} for code in currencies]},
        "active": {"type": "line", "labels": [item["day"] for item in history],
                   "datasets": [{"label": _("Active tenants"),
                                 "data": [item.get("active", 0) for item in history]}]},
    }
    return {
        "snapshot": row, "figures": data, "by_status": by_status, "by_plan": by_plan,
        "mrr_rows": mrr_rows, "unpriced": data.get("unpriced", 0),
        "previous_day": data.get("mrr_previous_day"),
        "trials": trials,
        "trial_rate": (Decimal(rate) * 100).quantize(Decimal("0.1")) if rate else None,
        "signups": data.get("signups", []), "orders_daily": data.get("orders_daily", []),
        "top_orders": data.get("top_orders", []), "top_storage": data.get("top_storage", []),
        "order_days": data.get("settings", {}).get("order_days", ORDER_DAYS),
        "charts": charts,
    }
