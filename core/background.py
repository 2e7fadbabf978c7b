"""Sending Celery tasks from services: after commit, in the schema of the caller."""

import logging

from django.db import connection, transaction
from django_tenants.utils import schema_context

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Send ``task`` once the current transaction commits (at once outside one).

    The schema is the one current *now*, not at commit time: a task queued inside
    ``tenant_context`` within an outer transaction opened in public still runs in
    that tenant. A broker error after commit is logged, never turned into an error
    for a request whose data is already saved.
    """
    schema = connection.schema_name

    def send():
        with schema_context(schema):
            task.apply_async(args=args, kwargs=kwargs)

    transaction.on_commit(send, robust=True)
