"""Background work of finance (thin: the work lives in selectors and services)."""

import logging

from celery import shared_task
from django.db import connection

log = logging.getLogger(__name__)


@shared_task(name="ordering.finance.tasks.ledger_check_task")
def ledger_check_task():
    """Per tenant (fanned out daily by beat): every account's balance equals the sum of
    its entries; a mismatch is logged as an error (and shows as a failing task)."""
    from ordering.finance.selectors import ledger_mismatches

    wrong = ledger_mismatches()
    if wrong:
        log.error("ledger mismatch in %s: accounts %s", connection.schema_name,
                  [account.pk for account in wrong])
        raise RuntimeError(f"{len(wrong)} account balance(s) differ from their entries")
    return 0


@shared_task(name="ordering.finance.tasks.overdue_holds_task")
def overdue_holds_task():
    """Per tenant (fanned out hourly by beat): the tenant's overdue-hold rule."""
    from ordering.finance.services.orders import overdue_holds_apply

    held, lifted = overdue_holds_apply()
    return {"held": held, "lifted": lifted}


@shared_task(name="ordering.finance.tasks.statements_issue_task", acks_late=True)
def statements_issue_task(*, actor_id, customer_ids, start, end, note="", ip=None):
    """Statements for many customers at once (idempotent: a customer that has a
    statement for exactly this period is skipped)."""
    import datetime

    from django.contrib.auth import get_user_model

    from ordering.finance.services.reconciliation import statements_issue

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return statements_issue(actor=actor, customer_ids=customer_ids,
                            start=datetime.date.fromisoformat(start),
                            end=datetime.date.fromisoformat(end), note=note, ip=ip)


@shared_task(name="ordering.finance.tasks.statement_notify_task", acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def statement_notify_task(reconciliation_id, what):
    from ordering.finance.notifications import statement_deliver

    return statement_deliver(reconciliation_id=reconciliation_id, what=what)
