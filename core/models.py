"""Platform tables of the core app (public schema, shared by every tenant)."""

from django.db import models
from django.utils import timezone


class OutboxTask(models.Model):
    """A Celery task waiting to be sent: written in the transaction that queued it,
    deleted once the broker took it. A row that stays (the broker was down when the
    transaction committed) is sent again by ``core.tasks.outbox_dispatch_task``."""

    task = models.CharField(max_length=200)
    # args and kwargs, serialised as the broker would (kombu's JSON: Decimal, dates...).
    payload = models.TextField()
    schema_name = models.CharField(max_length=63)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task} in {self.schema_name} (#{self.pk})"


class SentEmail(models.Model):
    """An e-mail task's key, written when the message went out: a task delivered twice
    (a worker killed after sending, the outbox re-sending) sends it once."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.key


class TaskRun(models.Model):
    """How each Celery task has been doing, one row per task name, kept by the worker
    (``core.task_runs``): the operator console's health page shows the last run of every
    periodic task and the tasks that are failing."""

    name = models.CharField(max_length=200, unique=True)
    runs = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveBigIntegerField(default=0)
    last_started_at = models.DateTimeField(null=True)
    last_succeeded_at = models.DateTimeField(null=True)
    last_failed_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def failing(self):
        """The last outcome was a failure."""
        return bool(self.last_failed_at and (not self.last_succeeded_at
                                             or self.last_failed_at > self.last_succeeded_at))
