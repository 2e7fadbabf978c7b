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
