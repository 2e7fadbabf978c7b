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
