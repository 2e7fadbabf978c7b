"""The operator console's health page and what it reads: the warm pool, the queues,
the periodic tasks' last runs, failing tasks, the outbox and lagging schemas."""

import datetime
import types

import pytest
from django.db import connection
from django.utils import timezone

from core import task_runs
from core.models import OutboxTask, TaskRun
from tenants import health
from tenants.models import PoolHealth, Tenant
from tests.factories import OperatorFactory, UserFactory
from tests.factories.users import operator_login


def _task(name, eager=False):
    return types.SimpleNamespace(name=name, request=types.SimpleNamespace(is_eager=eager))


def test_a_worker_records_each_run_and_failure_of_a_task(db):
    task = _task("ordering.orders.tasks.receipt_confirm_overdue_task")
    task_runs.task_started(sender=task)
    task_runs.task_succeeded(sender=task)
    task_runs.task_started(sender=task)
    task_runs.task_failed(sender=task, exception=RuntimeError("the carrier API timed out"))
    run = TaskRun.objects.get(name=task.name)
    assert (run.runs, run.failures) == (2, 1)
    assert run.failing and "RuntimeError: the carrier API timed out" == run.last_error
    task_runs.task_started(sender=task)
    task_runs.task_succeeded(sender=task)
    run.refresh_from_db()
    assert not run.failing and run.runs == 3


def test_eager_runs_are_not_recorded(db):
    task_runs.task_started(sender=_task("core.tasks.eager_only_probe", eager=True))
    assert not TaskRun.objects.filter(name="core.tasks.eager_only_probe").exists()


def test_recording_from_inside_a_tenant_schema_writes_the_public_table(db, acme):
    from django_tenants.utils import tenant_context

    with tenant_context(acme):
        task_runs.task_started(sender=_task("tenants.tasks.fan_out_task"))
    assert TaskRun.objects.filter(name="tenants.tasks.fan_out_task").exists()


def test_the_health_report_reads_every_part(db, settings):
    now = timezone.now()
    settings.CELERY_BEAT_SCHEDULE = {
        "often": {"task": "core.tasks.outbox_dispatch_task", "schedule": 60.0},
        "hourly": {"task": "tenants.tasks.fan_out_task", "schedule": 3600.0,
                   "args": ["ordering.orders.tasks.receipt_confirm_overdue_task"]},
    }
    TaskRun.objects.create(name="core.tasks.outbox_dispatch_task", runs=5,
                           last_started_at=now - datetime.timedelta(minutes=10),
                           last_succeeded_at=now - datetime.timedelta(minutes=10))
    TaskRun.objects.create(name="ordering.orders.tasks.receipt_confirm_overdue_task", runs=2,
                           failures=1, last_started_at=now - datetime.timedelta(minutes=5),
                           last_failed_at=now - datetime.timedelta(minutes=5),
                           last_error="ValueError: boom")
    OutboxTask.objects.create(task="core.tasks.email_send_task", payload="[]",
                              schema_name="public", attempts=2)
    PoolHealth.objects.update_or_create(pk=1, defaults={
        "refilled_at": now, "error": "could not clone", "failing_since": now})
    acme = Tenant.objects.get(slug="acme").schema_name
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{acme}".django_migrations WHERE id = '
                       f'(SELECT max(id) FROM "{acme}".django_migrations)')

    report = health.platform_health(now=now)

    late = {p.key: p.late for p in report.periodic}
    assert late == {"often": True, "hourly": False}  # 10 minutes > 2 × 1 minute
    assert [p.task for p in report.periodic if p.key == "hourly"] == [
        "ordering.orders.tasks.receipt_confirm_overdue_task"]  # the task each tenant runs
    assert "ordering.orders.tasks.receipt_confirm_overdue_task" in [
        run.name for run in report.failing]
    assert (report.outbox_waiting, report.outbox_retried) == (1, 1)
    assert report.lagging == {acme: 1} and report.template_lag == 0
    assert report.pool.error == "could not clone"
    assert not report.ok


def test_queue_lengths_come_from_the_broker(db, settings):
    import redis

    if not settings.REDIS_URL:
        pytest.skip("no Redis")
    settings.CELERY_TASK_DEFAULT_QUEUE = "orderline-health-test"
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("orderline-health-test")
    client.rpush("orderline-health-test", "a", "b", "c")
    try:
        assert health.queue_lengths() == {"orderline-health-test": 3}
    finally:
        client.delete("orderline-health-test")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert health.queue_lengths() == {"orderline-health-test": None}


def test_a_healthy_platform_says_so(db, settings):
    settings.CELERY_BEAT_SCHEDULE = {}
    settings.REDIS_URL = ""
    TaskRun.objects.all().delete()  # runs a real worker left in this database
    report = health.platform_health()
    assert report.lagging == {} and report.failing == [] and report.ok


def test_only_operators_open_the_health_page(public_client):
    assert public_client.get("/ops/health/").status_code == 302  # to the sign-in page
    public_client.force_login(UserFactory(), backend="roles.backends.EmailBackend")
    assert public_client.get("/ops/health/").status_code == 403
    operator_login(public_client, OperatorFactory())
    response = public_client.get("/ops/health/")
    assert response.status_code == 200
    body = response.content.decode()
    for part in ("health-pool", "health-queues", "health-migrations", "health-periodic"):
        assert part in body
    assert "receipt_confirm_overdue_task" in body


def test_the_health_page_reads_a_constant_number_of_queries(public_client,
                                                           django_assert_max_num_queries):
    operator_login(public_client, OperatorFactory())
    # 12, the authenticator, the role (navigation) and the Stripe webhooks that failed
    with django_assert_max_num_queries(15):
        assert public_client.get("/ops/health/").status_code == 200
