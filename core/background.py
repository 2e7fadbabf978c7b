"""Sending Celery tasks from services: after commit, in the schema of the caller, and
never lost.

``enqueue_on_commit`` is the one way work is queued. It writes an ``OutboxTask`` row in
the caller's transaction and sends the task once that transaction commits; the row is
deleted when the broker took the task. When the broker is unreachable the error is
logged and the row stays: ``outbox_dispatch`` (the periodic ``outbox_dispatch_task``)
sends it again later. Work that was saved is therefore never dropped, and a broker
outage never turns a request into an error. A task may so arrive twice (sent, then the
process died before deleting its row): every task is idempotent.
"""

import logging
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError as KombuOperationalError
from kombu.utils.json import dumps, loads
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# A fresh row is being sent by its own transaction's commit hook: the dispatcher leaves
# it alone for this long.
DISPATCH_AFTER = timedelta(seconds=30)
# After the broker failed, commit hooks leave their tasks in the outbox this long
# without trying (one request pays the connect timeout, not every one).
BROKER_DOWN_SECONDS = 10.0
# The errors that mean "the broker is unreachable" (anything else is the task's own
# error, e.g. an eager task that raised).
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)

_broker = {"down_until": 0.0}


def enqueue_on_commit(task, *args, **kwargs):
    """Send ``task`` once the current transaction commits (at once outside one).

    The schema is the one current *now*, not at commit time: a task queued inside
    ``tenant_context`` within an outer transaction opened in public still runs in
    that tenant. A broker error after commit is logged and the task kept in the
    outbox, never turned into an error for a request whose data is already saved.
    """
    from core.models import OutboxTask

    schema = connection.schema_name
    # The outbox is a public table: every tenant's search path reaches it.
    row = OutboxTask.objects.create(task=task.name, schema_name=schema,
                                    payload=dumps({"args": args, "kwargs": kwargs}))

    def send():
        _send(row.pk, task, args, kwargs, schema)

    transaction.on_commit(send, robust=True)
    return row


def broker_down():
    return time.monotonic() < _broker["down_until"]


def _send(row_id, task, args, kwargs, schema, *, skip_while_down=True):
    """Publish one task; True when the broker took it (and its outbox row is gone).
    While the broker is known to be down, commit hooks (``skip_while_down``) leave the
    row to the dispatcher without trying."""
    from core.models import OutboxTask

    if skip_while_down and broker_down():
        log.info("broker down: %s stays in the outbox (#%s)", task.name, row_id)
        return False
    try:
        with schema_context(schema):
            # Nobody waits for these results: not subscribing to them keeps the web
            # processes off the result backend.
            if connection.in_atomic_block:  # the dispatcher: a savepoint per task
                with transaction.atomic():
                    task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
            else:
                task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
    except Exception as exc:  # noqa: BLE001 - any failure keeps the row
        if isinstance(exc, BROKER_ERRORS) and not task.app.conf.task_always_eager:
            _broker["down_until"] = time.monotonic() + BROKER_DOWN_SECONDS
        log.warning("could not send %s (outbox #%s), will retry: %r", task.name, row_id, exc)
        try:
            OutboxTask.objects.filter(pk=row_id).update(
                attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        except Exception:  # noqa: BLE001 - the row keeps its old count
            log.exception("could not record the failure of outbox #%s", row_id)
        return False
    _broker["down_until"] = 0.0
    try:
        OutboxTask.objects.filter(pk=row_id).delete()
    except Exception:  # noqa: BLE001 - sent twice at worst, and tasks are idempotent
        log.exception("could not delete outbox #%s after sending it", row_id)
    return True


def outbox_dispatch(*, older_than=DISPATCH_AFTER, limit=500):
    """Send again what could not be sent (oldest first; rows locked, so two dispatchers
    never send one row twice). Stops at the first failure to publish: the rest waits
    for the next run. Returns how many were sent."""
    from celery import current_app

    from core.models import OutboxTask

    sent = 0
    with schema_context("public"), transaction.atomic():
        rows = list(OutboxTask.objects.select_for_update(skip_locked=True)
                    .filter(created_at__lte=timezone.now() - older_than)
                    .order_by("pk")[:limit])
        for row in rows:
            task = current_app.tasks.get(row.task)
            if task is None:
                log.error("outbox #%s names an unknown task %s", row.pk, row.task)
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1, last_error="unknown task")
                continue
            payload = loads(row.payload)
            if not _send(row.pk, task, tuple(payload["args"]), payload["kwargs"],
                         row.schema_name, skip_while_down=False):
                if task.app.conf.task_always_eager:
                    continue  # the task itself failed (run inline): try the next one
                break
            sent += 1
    if rows:
        log.info("outbox: %s of %s pending tasks sent", sent, len(rows))
    return sent


def outbox_pending():
    """How many tasks wait in the outbox (for health checks and tests)."""
    from core.models import OutboxTask

    with schema_context("public"):
        return OutboxTask.objects.count()
