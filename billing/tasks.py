from celery import shared_task


@shared_task(name="billing.tasks.reconcile_task")
def reconcile_task():
    """Beat, hourly, in public: compare every subscription with Stripe, repair drift."""
    from billing.reconcile import reconcile_all

    return reconcile_all()


@shared_task(name="billing.tasks.trial_reminders_task")
def trial_reminders_task():
    """Beat, hourly, in public: trial reminders (3 days, 1 day before) and expiry; hand-billed
    periods that ended (past due, then suspended after the grace period)."""
    from billing.services import manual_periods_check, trial_reminders_send

    return trial_reminders_send(), manual_periods_check()


@shared_task(name="billing.tasks.usage_refresh_task")
def usage_refresh_task():
    """Fanned out per tenant: count the tenant's usage for its billing page."""
    from django.db import connection

    from billing.services import usage_refresh

    return usage_refresh(tenant=connection.tenant)
