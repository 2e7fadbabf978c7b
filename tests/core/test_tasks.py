"""Background plumbing: e-mail on commit, fan-out per tenant, the pool refill job."""

from unittest import mock

from django.core import mail
from django.db import transaction

from core.mail import email_send
from tenants import schemas
from tenants.tasks import fan_out, pool_refill_task, schema_probe_task


def test_email_is_sent_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_send(to="a@example.com", template="email/password_reset",
                   context={"url": "http://x/", "name": "A", "site": "acme.localhost"},
                   language="en")
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_email_is_not_sent_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                email_send(to="a@example.com", template="email/password_reset",
                           context={"url": "u", "name": "A", "site": "s"}, language="en")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_fan_out_sends_one_task_per_active_tenant_in_its_schema(acme, globex):
    seen = []
    with mock.patch.object(schema_probe_task, "delay",
                           side_effect=lambda: seen.append(
                               __import__("django.db").db.connection.schema_name)):
        sent = fan_out(schema_probe_task)
    assert sent == len(seen) >= 2
    assert {acme.schema_name, globex.schema_name} <= set(seen)
    assert "public" not in seen


def test_suspended_tenants_are_left_out_of_fan_out(acme, globex):
    from tenants.services import tenant_set_status

    tenant_set_status(tenant=globex, status="suspended")
    seen = []
    with mock.patch.object(schema_probe_task, "delay",
                           side_effect=lambda: seen.append(
                               __import__("django.db").db.connection.schema_name)):
        fan_out(schema_probe_task)
    assert globex.schema_name not in seen and acme.schema_name in seen


def test_pool_refill_task_fills_the_pool(db, settings):
    settings.TENANT_POOL_SIZE = 2
    schemas.pool_drain()
    assert pool_refill_task() == 2
    assert schemas.pool_ready_count() == 2
    assert pool_refill_task() == 0
