"""A task that cannot be sent when its transaction commits is kept and sent later: every
task goes through the outbox (``core.background.enqueue_on_commit``), a broker outage
leaves the row, and the periodic ``outbox_dispatch_task`` sends it once the broker is
back, so the order's notifications arrive exactly once."""

import base64
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.background import enqueue_on_commit, outbox_dispatch, outbox_pending
from core.mail import email_send
from core.models import OutboxTask
from core.tasks import outbox_dispatch_task
from ordering.notifications.models import Notification
from ordering.orders.tasks import order_event_notify_task
from ordering.orders.enums import EventKind
from ordering.orders.models import OrderEvent
from tenants.tasks import schema_probe_task
from tests.faults.conftest import REAL_REDIS
from tests.orders.conftest import place

NOW = timedelta(0)


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run its after-commit hooks (the test's transaction never
    commits)."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def queue():
    """The real Redis broker's queue on the tests' own database, emptied after."""
    client = redis.Redis.from_url(REAL_REDIS)
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    yield client
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    client.close()


def _messages(client):
    raw = client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    return [json.loads(item) for item in raw]


def test_a_sent_task_leaves_no_row(acme, run):
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
    assert outbox_pending() == 0


def test_a_rolled_back_transaction_queues_nothing(acme, run, broker):
    def fail():
        with transaction.atomic():
            enqueue_on_commit(schema_probe_task)
            raise RuntimeError("rolled back")

    broker.down()
    with pytest.raises(RuntimeError):
        run(fail)
    assert outbox_pending() == 0


def test_a_task_the_broker_cannot_take_is_kept_without_an_error(acme, run, broker, caplog):
    broker.down()
    started = time.monotonic()
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
    assert time.monotonic() - started < 5  # a dead broker costs about a second
    row = OutboxTask.objects.get()
    assert (row.task, row.schema_name, row.attempts) == (
        "tenants.tasks.schema_probe_task", acme.schema_name, 1)
    assert "Connection" in row.last_error or "Error" in row.last_error
    assert "will retry" in caplog.text


def test_once_the_broker_failed_the_next_requests_do_not_wait_for_it(acme, run, broker):
    broker.down()
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
        started = time.monotonic()
        for _n in range(20):
            run(enqueue_on_commit, schema_probe_task)
    assert time.monotonic() - started < 1
    assert outbox_pending() == 21


def test_notifications_are_delivered_once_after_the_broker_comes_back(shop, run, broker):
    broker.down()
    order = run(place, shop)
    run(email_send, to="dana@gold.example", template="email/order_event",
        context={"title": "t", "body": "b", "name": "Dana", "url": ""}, language="en")
    assert outbox_pending() == 2 and not mail.outbox
    assert not Notification.objects.filter(subject=f"order:{order.pk}").exists()
    # the beat's run leaves fresh rows to their own commit hook...
    assert outbox_dispatch_task.apply().get() == 0
    assert outbox_pending() == 2
    broker.back()
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    # ...and sends older ones once the broker is back; a second run finds nothing
    assert outbox_dispatch_task.apply().get() == 2
    assert outbox_dispatch_task.apply().get() == 0
    assert outbox_pending() == 0
    event = OrderEvent.objects.get(order=order, kind=EventKind.SUBMITTED)
    notified = set(Notification.objects.filter(key=f"order-event:{event.pk}")
                   .values_list("recipient__email", flat=True))
    assert {"admin@acme.example", "rev@acme.example"} <= notified
    assert sorted(m.to[0] for m in mail.outbox) == sorted([*notified, "dana@gold.example"])
    # the same tasks delivered once more (a row sent, its deletion lost): no second effect
    broker.down()
    run(enqueue_on_commit, order_event_notify_task, event.pk)
    broker.back()
    assert outbox_dispatch(older_than=NOW) == 1
    assert Notification.objects.filter(key=f"order-event:{event.pk}").count() == len(notified)
    assert len(mail.outbox) == len(notified) + 1


def test_the_dispatcher_stops_at_the_first_failure_and_keeps_the_rest(acme, run, broker):
    broker.down()
    with tenant_context(acme):
        for _n in range(3):
            run(enqueue_on_commit, schema_probe_task)
    # the first paid the broker's timeout, the next two went straight to the outbox;
    # the dispatcher tries the oldest and stops
    assert outbox_dispatch(older_than=NOW) == 0
    assert list(OutboxTask.objects.order_by("pk").values_list("attempts", flat=True)) == [
        2, 0, 0]
    broker.back()
    assert outbox_dispatch(older_than=NOW) == 3
    assert outbox_pending() == 0


def test_the_real_broker_gets_each_kept_task_once_in_its_schema(acme, run, broker, queue):
    broker.real()
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
    assert outbox_pending() == 0 and len(_messages(queue)) == 1
    broker.down()
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
    assert outbox_pending() == 1
    broker.real()
    assert connection.schema_name == "public"
    assert outbox_dispatch(older_than=NOW) == 1
    assert outbox_dispatch(older_than=NOW) == 0
    messages = _messages(queue)
    assert len(messages) == 2
    for message in messages:
        assert message["headers"]["task"] == "tenants.tasks.schema_probe_task"
        assert message["headers"]["_schema_name"] == acme.schema_name
        assert json.loads(base64.b64decode(message["body"]))[0] == []


def test_the_beat_sends_the_outbox_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["core-outbox-dispatch"]
    assert entry["task"] == "core.tasks.outbox_dispatch_task" and entry["schedule"] <= 60


SENDS_DIRECTLY = {
    # the fan-out runs inside a worker (beat), per tenant
    "tenants/tasks.py",
    # the outbox itself
    "core/background.py",
    # an import starts now or tells the user to try again (nothing is saved yet)
    "ordering/spreadsheets/jobs.py",
}


def test_every_task_is_queued_through_the_outbox():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.glob("**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "node_modules/", "tests/")) or "/migrations/" in relative:
            continue
        if relative in SENDS_DIRECTLY:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\.(delay|apply_async|send_task)\(", source):
            offenders.append(relative)
    assert offenders == []


def test_real_commits_keep_the_row_until_the_broker_took_it(committed_db, broker):
    """The same with real commits (no test transaction): the row is written with the
    work, survives the failed send, and is gone once the dispatcher sent it."""
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    try:
        with tenant_context(acme), transaction.atomic():
            enqueue_on_commit(schema_probe_task)
            assert outbox_pending() == 1  # written with the work, sent after the commit
        assert outbox_pending() == 0  # eager: taken at once
        broker.down()
        with tenant_context(acme), transaction.atomic():
            row = enqueue_on_commit(schema_probe_task)
        kept = OutboxTask.objects.get(pk=row.pk)
        assert kept.attempts == 1 and kept.schema_name == acme.schema_name
        broker.back()
        assert outbox_dispatch(older_than=NOW) == 1
        assert outbox_pending() == 0
    finally:
        OutboxTask.objects.all().delete()


def test_a_row_naming_no_known_task_is_kept_and_does_not_block_the_rest(acme, run, broker):
    from kombu.utils.json import dumps

    OutboxTask.objects.create(task="gone.tasks.old_task", schema_name=acme.schema_name,
                              payload=dumps({"args": [], "kwargs": {}}))
    broker.down()
    with tenant_context(acme):
        run(enqueue_on_commit, schema_probe_task)
    broker.back()
    assert outbox_dispatch(older_than=NOW) == 1
    stuck = OutboxTask.objects.get()
    assert (stuck.task, stuck.attempts, stuck.last_error) == (
        "gone.tasks.old_task", 1, "unknown task")
