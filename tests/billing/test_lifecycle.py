from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.enums import BillingStatus as S, EventSource
from billing.exceptions import BillingError
from billing.lifecycle import ENTITLEMENTS, TRANSITIONS, entitlement, transition
from billing.models import SubscriptionChange, TrialReminder
from billing.services import subscription_ensure, trial_reminders_send

pytestmark = pytest.mark.django_db


def test_entitlement_table_for_every_status():
    table = {status: (e.staff_sign_in, e.dealer_sign_in, e.can_order, e.can_write)
             for status, e in ENTITLEMENTS.items()}
    assert table == {
        S.TRIAL: (True, True, True, True),
        S.ACTIVE: (True, True, True, True),
        S.PAST_DUE: (True, True, True, True),
        S.SUSPENDED: (True, True, False, False),
        S.CANCELED: (True, False, False, False),
    }
    assert set(TRANSITIONS) == set(S.values)
    assert entitlement("nonsense") == ENTITLEMENTS[S.CANCELED]


def test_transition_writes_audit_and_tenant_copy(acme):
    subscription = subscription_ensure(tenant=acme)
    assert transition(subscription=subscription, to=S.ACTIVE, source=EventSource.MANUAL)
    acme.refresh_from_db()
    assert (subscription.status, acme.status) == (S.ACTIVE, S.ACTIVE)
    change = SubscriptionChange.objects.get(subscription=subscription)
    assert (change.from_status, change.to_status) == (S.TRIAL, S.ACTIVE)
    assert not transition(subscription=subscription, to=S.ACTIVE, source=EventSource.MANUAL)


def test_transition_refuses_what_the_table_does_not_allow(acme):
    subscription = subscription_ensure(tenant=acme)
    transition(subscription=subscription, to=S.CANCELED, source=EventSource.MANUAL)
    with pytest.raises(BillingError) as error:
        transition(subscription=subscription, to=S.PAST_DUE, source=EventSource.MANUAL)
    assert error.value.code == "invalid_billing_transition"
    acme.refresh_from_db()
    assert acme.status == S.CANCELED


def test_trial_reminders_once_per_tenant_with_the_clock_moved(acme, mailoutbox):
    subscription = subscription_ensure(tenant=acme)
    end = timezone.now() + timedelta(days=10)
    subscription.trial_ends_at = end
    subscription.save()
    TrialReminder.objects.exclude(tenant=acme).delete()
    assert trial_reminders_send(now=end - timedelta(days=5))[0] == 0
    assert trial_reminders_send(now=end - timedelta(days=2, hours=23))[0] == 1
    assert trial_reminders_send(now=end - timedelta(days=2))[0] == 0
    assert trial_reminders_send(now=end - timedelta(hours=20))[0] == 1
    assert trial_reminders_send(now=end - timedelta(hours=1))[0] == 0
    assert set(TrialReminder.objects.filter(tenant=acme).values_list("days_before", flat=True)) \
        == {3, 1}
    assert trial_reminders_send(now=end + timedelta(minutes=1))[1] >= 1
    acme.refresh_from_db()
    assert acme.status == S.SUSPENDED


def test_manual_mode_command_assigns_plan_and_period(acme, settings):
    settings.STRIPE_SECRET_KEY = ""
    call_command("billing_assign", "acme", "pro", "--status", "active", "--until", "2027-01-31")
    acme.refresh_from_db()
    subscription = subscription_ensure(tenant=acme)
    assert (acme.plan, acme.status) == ("pro", "active")
    assert subscription.manual and subscription.current_period_end.year == 2027


def test_hand_billed_period_ends_past_due_then_suspended_after_grace(acme, settings):
    from billing.services import GRACE_DAYS, manual_periods_check

    settings.STRIPE_SECRET_KEY = ""
    until = timezone.now() + timedelta(days=30)
    call_command("billing_assign", "acme", "basic", "--status", "active",
                 "--until", until.date().isoformat())
    subscription = subscription_ensure(tenant=acme)
    end = subscription.current_period_end
    assert manual_periods_check(now=end - timedelta(hours=1)) == 0
    assert manual_periods_check(now=end + timedelta(hours=1)) == 1
    acme.refresh_from_db()
    assert acme.status == S.PAST_DUE
    assert manual_periods_check(now=end + timedelta(days=GRACE_DAYS, hours=1)) == 1
    acme.refresh_from_db()
    assert acme.status == S.SUSPENDED
    assert manual_periods_check(now=end + timedelta(days=GRACE_DAYS + 1)) == 0


def test_a_canceled_tenant_is_kept_for_the_retention_period_then_may_be_deleted(acme, settings):
    import datetime

    from django.utils import timezone

    from billing import lifecycle
    from billing.services import subscription_ensure

    settings.TENANT_RETENTION_DAYS = 90
    subscription = subscription_ensure(tenant=acme)
    assert lifecycle.retention_ends_on(subscription) is None
    assert not lifecycle.deletion_allowed(subscription)
    lifecycle.transition(subscription=subscription, to="canceled", source="manual")
    subscription.refresh_from_db()
    canceled = timezone.localdate(subscription.status_changed_at)
    ends = lifecycle.retention_ends_on(subscription)
    assert ends == canceled + datetime.timedelta(days=90)
    assert not lifecycle.deletion_allowed(subscription, today=ends - datetime.timedelta(days=1))
    assert lifecycle.deletion_allowed(subscription, today=ends)
    lifecycle.transition(subscription=subscription, to="active", source="manual")
    subscription.refresh_from_db()
    assert lifecycle.retention_ends_on(subscription) is None  # paid again: kept for good
