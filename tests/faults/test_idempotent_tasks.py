"""A worker killed in the middle of a task leaves it in the queue (acks late, rejected on
worker loss) and it runs again: every task is idempotent. Each task here runs twice
(sent as a service sends it, eager) and has one effect."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.celery import app
from core.mail import email_send
from core.models import OutboxTask, SentEmail
from core.tasks import email_send_task
from ordering.notifications.models import Notification
from ordering.orders.enums import EventKind, OrderStatus
from ordering.orders.models import Order, OrderEvent
from ordering.orders.tasks import (advance_switched_off_task, order_event_notify_task,
                                   order_message_notify_task, receipt_confirm_overdue_task)
from tests.orders.conftest import place, set_workflow

S = OrderStatus


@pytest.fixture
def media_root(tmp_path):
    """Thumbnails go to a temporary folder."""
    from django.test import override_settings

    def forget():
        default_storage.location  # noqa: B018 (sets the lazy storage up)
        vars(default_storage._wrapped).pop("relative_media_root", None)

    with override_settings(MEDIA_ROOT=str(tmp_path)):
        forget()
        yield tmp_path
    forget()


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def test_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    ours = [task for name, task in app.tasks.items()
            if name.startswith(("core.", "ordering.", "tenants."))]
    assert len(ours) >= 10
    for task in ours:
        assert task.acks_late is True, task.name


def test_order_event_notifications_twice_one_effect(shop):
    order = place(shop)
    event = OrderEvent.objects.get(order=order, kind=EventKind.SUBMITTED)
    notes = Notification.objects.filter(key=f"order-event:{event.pk}")
    first = order_event_notify_task.delay(event.pk).get()
    assert first >= 2 and (notes.count(), len(mail.outbox)) == (first, first)
    assert order_event_notify_task.delay(event.pk).get() == first
    assert (notes.count(), len(mail.outbox)) == (first, first)


def test_order_message_notifications_twice_one_effect(shop):
    from ordering.orders.services.messages import message_post

    order = place(shop)
    message = message_post(actor=shop.dana.user, order=order, body="When does it ship?")
    notes = Notification.objects.filter(key=f"order-message:{message.pk}")
    order_message_notify_task.delay(message.pk)
    state = (notes.count(), len(mail.outbox))
    assert state[0] >= 1
    order_message_notify_task.delay(message.pk)
    assert (notes.count(), len(mail.outbox)) == state


def test_an_email_task_delivered_twice_sends_once(in_acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to="dana@gold.example", template="email/order_event",
                   context={"title": "Hello", "body": "", "name": "Dana", "url": ""},
                   language="en")
    assert len(mail.outbox) == 1
    key = SentEmail.objects.get().key
    assert email_send_task.delay(["dana@gold.example"], "email/order_event",
                                 {"title": "Hello", "body": "", "name": "Dana", "url": ""},
                                 "en", key=key).get() == 0
    assert len(mail.outbox) == 1


def test_an_email_that_failed_is_sent_by_the_retry(in_acme, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    calls = []

    def flaky(self, fail_silently=False):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("SMTP down")
        return 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    args = (["dana@gold.example"], "email/order_event",
            {"title": "Hi", "body": "", "name": "Dana", "url": ""}, "en")
    with pytest.raises(OSError):
        email_send_task.run(*args, key="k-retry")
    assert not SentEmail.objects.filter(key="k-retry").exists()  # the key is not used up
    assert email_send_task.run(*args, key="k-retry") == 1
    assert email_send_task.run(*args, key="k-retry") == 0
    assert len(calls) == 2


def test_a_thumbnail_made_twice_is_one_file(in_acme, media_root):
    from ordering.catalog.services import products as catalog
    from ordering.catalog.tasks import thumbnail_task
    from tests.catalog.test_api import _png

    product = catalog.product_create(actor=None, name="Tea", code="TEA",
                                     unit=catalog.unit_get_or_create("box"))
    from ordering.catalog.models import ProductImage

    image = ProductImage.objects.create(product=product, image=_png(), position=0)
    assert thumbnail_task.delay(image.pk).get() is True
    image.refresh_from_db()
    first = image.thumbnail.name
    directory = first.rsplit("/", 1)[0]
    files = default_storage.listdir(directory)[1]
    assert thumbnail_task.delay(image.pk).get() is True
    image.refresh_from_db()
    assert image.thumbnail.name == first
    assert default_storage.listdir(directory)[1] == files


def test_auto_receipt_twice_confirms_once(shop):
    from tests.orders.test_workflow import _ship_all

    from ordering.orders import workflow

    set_workflow(shop.tenant, auto_receipt_days=7)
    order = place(shop)
    for _n in range(3):
        order = workflow.transition(order=order, action=workflow.APPROVE,
                                    actor=shop.staff.admin)
    _ship_all(shop, order)
    Order.objects.filter(pk=order.pk).update(shipped_at=timezone.now() - timedelta(days=8))
    assert receipt_confirm_overdue_task.delay().get() >= 1
    assert receipt_confirm_overdue_task.delay().get() == 0
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED
    assert OrderEvent.objects.filter(order=order, kind=EventKind.RECEIVED).count() == 1


def test_switched_off_step_advance_twice_moves_once(shop):
    from ordering.orders import workflow

    order = workflow.transition(order=place(shop), action=workflow.APPROVE,
                                actor=shop.staff.reviewer)
    assert order.status == S.FINANCE_REVIEW
    set_workflow(shop.tenant, off={S.FINANCE_REVIEW})
    assert advance_switched_off_task.delay().get() >= 1
    assert advance_switched_off_task.delay().get() == 0
    assert Order.objects.get(pk=order.pk).status == S.OUTBOUND_REVIEW
    assert OrderEvent.objects.filter(order=order, kind=EventKind.SKIPPED).count() == 1


def test_an_import_run_twice_imports_once(acme, acme_client, login_as, monkeypatch):
    from django.contrib.auth import get_user_model

    from ordering.catalog.models import StockMovement, Variant
    from ordering.catalog.services import products as catalog
    from ordering.catalog.tasks import catalog_import_task
    from tests.catalog.test_import_export import IMPORT_URL, _csv, _upload

    with tenant_context(acme):
        tea = catalog.product_create(actor=None, name="Green tea", code="TEA",
                                     unit=catalog.unit_get_or_create("bottle"))
        catalog.variant_save(actor=None, product=tea, code="TEA-S", list_price="3.00")
    queued = []
    monkeypatch.setattr(catalog_import_task, "apply_async",
                        lambda kwargs: queued.append(kwargs))
    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
    login_as(acme_client, acme, owner)
    response = _upload(acme_client, _csv([["SKU code", "Received quantity"], ["TEA-S", "3"]]),
                       kind="stock")
    assert response.status_code == 200, response.content.decode()[:3000]
    check = queued.pop()
    for _n in range(2):
        with tenant_context(acme):
            catalog_import_task.run(**check)
    with tenant_context(acme):  # sessions live in the tenant's schema
        token = acme_client.session["catalog_import"]["token"]
    acme_client.post(IMPORT_URL, {"action": "confirm", "token": token})
    run = queued.pop()
    for _n in range(2):  # delivered twice: the second finds the job done
        with tenant_context(acme):
            catalog_import_task.run(**run)
    with tenant_context(acme):
        assert Variant.objects.get(code="TEA-S").on_hand == 3
        assert StockMovement.objects.filter(variant__code="TEA-S").count() == 1
    from ordering import spreadsheets

    with tenant_context(acme):
        spreadsheets.upload_discard(token=token)


def test_the_pool_refill_twice_fills_once(db):
    from tenants.models import PoolSchema
    from tenants.tasks import pool_refill_task

    pool_refill_task.delay().get()
    ready = PoolSchema.objects.count()
    assert ready >= settings.TENANT_POOL_SIZE
    assert pool_refill_task.delay().get() == 0
    assert PoolSchema.objects.count() == ready


def test_the_outbox_dispatch_twice_sends_once(acme, broker, django_capture_on_commit_callbacks):
    from core.background import enqueue_on_commit
    from core.tasks import outbox_dispatch_task
    from tenants.tasks import schema_probe_task

    broker.down()
    with tenant_context(acme), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(schema_probe_task)
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    broker.back()
    assert outbox_dispatch_task.delay().get() == 1
    assert outbox_dispatch_task.delay().get() == 0
