"""The platform's health, for the operator console: the warm pool, the Celery queues,
the periodic tasks and the tasks that fail, the outbox, and which tenant schemas lag
behind the migrations on disk (the failed Stripe webhooks are billing's, added by
``shared.selectors.ops_health``). Every figure is read from small tables or one
comparison across schemas, never by opening each schema."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import ngettext

from core.models import OutboxTask, TaskRun
from tenants import schemas
from tenants.models import PoolHealth, Tenant

LATE_FACTOR = 2  # a periodic task is late after twice its interval without a start


@dataclass
class PeriodicTask:
    key: str
    task: str
    every: datetime.timedelta
    run: TaskRun | None
    late: bool

    @property
    def every_label(self):
        """The interval in the reader's language ("1 day", "5 minutes")."""
        seconds = int(self.every.total_seconds())
        if seconds and seconds % 86400 == 0:
            n = seconds // 86400
            return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
        if seconds and seconds % 3600 == 0:
            n = seconds // 3600
            return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
        if seconds and seconds % 60 == 0:
            n = seconds // 60
            return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}


@dataclass
class Health:
    pool_ready: int
    pool_target: int
    pool: PoolHealth | None
    queues: dict  # queue name → waiting messages (None: the broker did not answer)
    periodic: list = field(default_factory=list)
    failing: list = field(default_factory=list)  # TaskRun rows whose last run failed
    outbox_waiting: int = 0
    outbox_oldest: datetime.datetime | None = None
    outbox_retried: int = 0
    tenants: int = 0
    lagging: dict = field(default_factory=dict)  # schema → migrations not applied
    template_lag: int = 0
    # Stripe events whose handling failed and that no later delivery resolved (billing
    # fills them in: ``shared.selectors.ops_health``; this app does not read billing)
    webhook_failures: list = field(default_factory=list)
    webhook_failures_total: int = 0

    @property
    def ok(self):
        return (self.pool is None or self.pool.ok) and not self.failing and not self.lagging \
            and not self.template_lag and not any(p.late for p in self.periodic) \
            and None not in self.queues.values() and not self.webhook_failures_total


def queue_lengths():
    """Messages waiting in each Celery queue (Redis lists); None where Redis did not
    answer; empty without a broker (tasks run eagerly)."""
    names = sorted({settings.CELERY_TASK_DEFAULT_QUEUE,
                    *(route.get("queue") for route in
                      (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values()
                      if isinstance(route, dict) and route.get("queue"))})
    if not settings.REDIS_URL:
        return {}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5,
                                      socket_timeout=0.5)
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(name)
            return dict(zip(names, pipe.execute()))
    except redis.RedisError:
        return {name: None for name in names}


def _periodic(runs, now):
    found = []
    for key, entry in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
        task = entry["task"]
        if task == "tenants.tasks.fan_out_task" and entry.get("args"):
            task = entry["args"][0]  # the task each tenant runs
        every = datetime.timedelta(seconds=float(entry["schedule"]))
        run = runs.get(task)
        started = run.last_started_at if run else None
        found.append(PeriodicTask(key=key, task=task, every=every, run=run,
                                  late=started is not None
                                  and now - started > every * LATE_FACTOR))
    return found


def platform_health(*, now=None):
    now = now or timezone.now()
    runs = {run.name: run for run in TaskRun.objects.all()}
    outbox = OutboxTask.objects.aggregate(waiting=Count("pk"), oldest=Min("created_at"),
                                          retried=Count("pk", filter=Q(attempts__gt=0)))
    names = list(Tenant.objects.exclude(schema_name="public")
                 .values_list("schema_name", flat=True))
    template = schemas.template_schema_name()
    lag = schemas.migration_lag([*names, template])
    template_lag = lag.pop(template, 0)
    return Health(
        pool_ready=schemas.pool_ready_count(), pool_target=settings.TENANT_POOL_SIZE,
        pool=PoolHealth.objects.filter(pk=1).first(), queues=queue_lengths(),
        periodic=_periodic(runs, now),
        failing=[run for run in runs.values() if run.failing],
        outbox_waiting=outbox["waiting"], outbox_oldest=outbox["oldest"],
        outbox_retried=outbox["retried"], tenants=len(names),
        lagging=dict(sorted(lag.items())), template_lag=template_lag)
