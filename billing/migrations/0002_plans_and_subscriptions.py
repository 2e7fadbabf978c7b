"""The four plans with CNY (first) and USD prices, and a subscription for every
existing tenant: ``Tenant.plan`` holds a plan code, and every code in use gets a Plan
row (an unknown code becomes a hidden plan without limits)."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    # code, en, zh, position, staff, customers, skus, orders/month, storage MB,
    # {currency: (monthly, yearly)}
    ("trial", "Trial", "试用", 0, 10, 500, 2000, 1000, 1024, {}),
    ("basic", "Basic", "基础版", 1, 5, 200, 1000, 500, 2048,
     {"CNY": ("299.00", "2990.00"), "USD": ("49.00", "490.00")}),
    ("pro", "Pro", "专业版", 2, 20, 2000, 10000, 5000, 20480,
     {"CNY": ("899.00", "8990.00"), "USD": ("149.00", "1490.00")}),
    ("enterprise", "Enterprise", "企业版", 3, None, None, None, None, None,
     {"CNY": ("2999.00", "29990.00"), "USD": ("499.00", "4990.00")}),
]


def forwards(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    Subscription = apps.get_model("billing", "Subscription")
    Tenant = apps.get_model("tenants", "Tenant")
    for code, en, zh, position, staff, customers, skus, orders, storage, prices in PLANS:
        plan, _ = Plan.objects.get_or_create(code=code, defaults=dict(
            name_en=en, name_zh=zh, position=position, max_staff=staff,
            max_customers=customers, max_skus=skus, max_orders=orders, max_storage=storage))
        for currency, (monthly, yearly) in prices.items():
            for interval, amount in (("month", monthly), ("year", yearly)):
                PlanPrice.objects.get_or_create(plan=plan, currency=currency, interval=interval,
                                                defaults={"amount": Decimal(amount)})
    for tenant in Tenant.objects.exclude(schema_name="public"):
        plan = Plan.objects.filter(code=tenant.plan).first() or Plan.objects.create(
            code=tenant.plan, name_en=tenant.plan, name_zh=tenant.plan, position=99,
            is_public=False)
        Subscription.objects.get_or_create(tenant=tenant, defaults=dict(
            plan=plan, status=tenant.status, trial_ends_at=tenant.trial_ends_at))


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("tenants", "0008_settings_moved_to_tenant_schema")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
