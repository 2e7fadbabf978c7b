"""Each Celery task's runs and failures, recorded by the worker into ``core.TaskRun``
(public schema) through Celery's signals: one upsert when a task starts and one when
it ends. The operator console's health page reads them.

Eager runs (tests, a development machine without Redis) are not recorded: there is no
worker to watch. Recording never breaks a task: it runs in its own savepoint and a
database error is logged and forgotten.
"""

import logging

from celery import signals
from django.db import DatabaseError, connection, transaction

log = logging.getLogger(__name__)

ERROR_MAX = 2000

_STARTED = """
INSERT INTO public.core_taskrun (name, runs, failures, last_started_at, last_error)
VALUES (%s, 1, 0, clock_timestamp(), '')
ON CONFLICT (name) DO UPDATE
   SET runs = public.core_taskrun.runs + 1, last_started_at = EXCLUDED.last_started_at
"""
_SUCCEEDED = "UPDATE public.core_taskrun SET last_succeeded_at = clock_timestamp() WHERE name = %s"
_FAILED = """
UPDATE public.core_taskrun
   SET failures = failures + 1, last_failed_at = clock_timestamp(), last_error = %s WHERE name = %s
"""


def _is_eager(task):
    return bool(getattr(getattr(task, "request", None), "is_eager", False))


def _record(sql, params):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
    except (DatabaseError, transaction.TransactionManagementError):
        log.warning("could not record a task run", exc_info=True)


def task_started(sender=None, **kwargs):
    if sender is not None and not _is_eager(sender):
        _record(_STARTED, [sender.name])


def task_succeeded(sender=None, **kwargs):
    if sender is not None and not _is_eager(sender):
        _record(_SUCCEEDED, [sender.name])


def task_failed(sender=None, exception=None, **kwargs):
    if sender is not None and not _is_eager(sender):
        error = f"{type(exception).__name__}: {exception}"[:ERROR_MAX]
        _record(_FAILED, [error, sender.name])


def connect():
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="core.task_started")
    signals.task_success.connect(task_succeeded, weak=False,
                                 dispatch_uid="core.task_succeeded")
    signals.task_failure.connect(task_failed, weak=False, dispatch_uid="core.task_failed")
