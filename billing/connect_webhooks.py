"""Stripe Connect events (from the suppliers' connected accounts), received on the
platform's domain.

Each event is stored once under its id (``ConnectEvent``) in the same transaction as its
effect: a second delivery, even one running at the same moment, waits on the unique
index and then finds the first one (no effect). The event's ``account`` names the
tenant; an account no tenant has is recorded and left alone. Account events are
billing's own (the account is re-read from Stripe); the others are handed to the app
that registered for them (finance: the PaymentIntent events of dealers' online payments),
inside the tenant's schema.

Apps register in their ``AppConfig.ready()`` (billing imports nothing of theirs):
``register(event_type, function)``; the function is called as
``function(account_id=…, obj=…)`` with the event's object, in the tenant's schema and
the event's transaction, and returns a ``ConnectOutcome``. An exception rolls everything
back, the event row included, so Stripe delivers it again.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing import connect, connect_adapter
from billing.enums import ConnectOutcome
from billing.models import ConnectedAccount, ConnectEvent, WebhookFailure
from billing.webhook_failures import apply_recording_failures

log = logging.getLogger(__name__)

ACCOUNT_EVENTS = ("account.updated", "account.application.deauthorized")
_HANDLERS = {}


def register(event_type, function):
    _HANDLERS[event_type] = function
    return function


def handled_types():
    return (*ACCOUNT_EVENTS, *_HANDLERS)


def _apply(event_type, connected, obj):
    if event_type == "account.updated":
        # never trust the event's copy (events arrive in any order): the newest state
        connect.account_apply(connected=connected, stripe_account=connect_adapter.account_retrieve(
            connected.account_id))
        return ConnectOutcome.APPLIED
    if event_type == "account.application.deauthorized":
        connect.account_deauthorized(connected=connected)
        return ConnectOutcome.APPLIED
    handler = _HANDLERS.get(event_type)
    if handler is None:
        return ConnectOutcome.IGNORED
    with tenant_context(connected.tenant):
        return handler(account_id=connected.account_id, obj=obj)


def connect_event_process(event):
    """Apply one verified Connect event. Returns "duplicate" or the stored outcome;
    raises on failure (nothing is kept, so Stripe retries). A failure is recorded after
    that rollback, outside it (``billing.webhook_failures``), for the health page; a
    later success resolves it."""
    return apply_recording_failures(_connect_event_apply, event, source=WebhookFailure.Source.CONNECT)


def _connect_event_apply(event):
    event_type = event.get("type", "")
    account_id = event.get("account") or ""
    obj = (event.get("data") or {}).get("object") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Blocks on the unique index while another delivery of the same event is
                # in flight; once that one commits, this one is a duplicate.
                stored = ConnectEvent.objects.create(event_id=event["id"], type=event_type[:80],
                                                     account_id=account_id[:64])
        except IntegrityError:
            return "duplicate"
        connected = (ConnectedAccount.objects.select_related("tenant")
                     .filter(account_id=account_id).first() if account_id else None)
        if connected is None:
            log.info("stripe connect event %s for an unknown account %r, stored", event["id"],
                     account_id)
            outcome = ConnectOutcome.UNKNOWN_ACCOUNT
        else:
            outcome = _apply(event_type, connected, obj)
        stored.tenant = connected.tenant if connected else None
        stored.outcome, stored.processed_at = outcome, timezone.now()
        stored.save(update_fields=["tenant", "outcome", "processed_at"])
        return outcome
