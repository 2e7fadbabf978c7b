"""Stripe events whose handling failed, for the operator console's health page.

A webhook's event row and its effect commit or roll back together (so Stripe delivers a
failed event again). The failure is therefore recorded *after* that rollback, by the
caller of the transaction, in a savepoint of its own: recording never turns into the
webhook's error and never keeps anything the rollback undid. A later delivery that goes
through, or that finds the event already handled, marks the record resolved."""

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.models import WebhookFailure

log = logging.getLogger(__name__)

ERROR_MAX = 2000


def failure_record(*, source, event, error):
    """Count one failed delivery of ``event`` (a verified Stripe event as a dict)."""
    event_id = str(event.get("id") or "")[:80]
    if not event_id:
        return None
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    found = {"source": source, "event_id": event_id}
    try:
        for _attempt in range(2):  # a concurrent first failure of the same event: update it
            try:
                with transaction.atomic():
                    updated = WebhookFailure.objects.filter(**found).update(
                        attempts=F("attempts") + 1, error=text, last_failed_at=now,
                        resolved_at=None)
                    if updated:
                        return WebhookFailure.objects.filter(**found).first()
                    return WebhookFailure.objects.create(
                        **found, type=str(event.get("type") or "")[:80],
                        account_id=str(event.get("account") or "")[:64], error=text,
                        first_failed_at=now, last_failed_at=now)
            except IntegrityError:
                continue
    except DatabaseError:  # the connection itself is gone: the log keeps it
        log.exception("could not record the failure of stripe event %s", event_id)
    return None


def failure_resolve(*, source, event_id):
    """The event went through (or was handled before): its failure record is resolved."""
    if not event_id:
        return 0
    return WebhookFailure.objects.filter(source=source, event_id=str(event_id)[:80],
                                         resolved_at__isnull=True).update(
        resolved_at=timezone.now())


def apply_recording_failures(apply, event, *, source):
    """``apply(event)`` (which rolls its own transaction back on failure), with the
    failure recorded after that rollback and re-raised so Stripe retries; a success
    resolves an earlier failure of the same event."""
    try:
        outcome = apply(event)
    except Exception as error:
        failure_record(source=source, event=event, error=error)
        raise
    failure_resolve(source=source, event_id=event.get("id"))
    return outcome
