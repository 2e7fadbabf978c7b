"""A failing warm-pool refill is recorded where the operator console's health page
reads it (``pool_health()``); the next successful refill clears it."""

import pytest

from tenants import schemas
from tenants.models import PoolHealth
from tenants.selectors import pool_health
from tenants.tasks import pool_refill_task

pytestmark = pytest.mark.django_db


def test_a_failing_refill_is_recorded_and_a_succeeding_one_clears_it(monkeypatch, settings):
    settings.TENANT_POOL_SIZE = 1
    schemas.pool_drain()
    PoolHealth.objects.all().delete()  # refills ran while the test tenants were made
    assert pool_health() is None

    def broken():
        raise RuntimeError("template schema is gone")

    real_add = schemas.pool_add_one
    monkeypatch.setattr(schemas, "pool_add_one", broken)
    with pytest.raises(RuntimeError):
        pool_refill_task()
    health = pool_health()
    assert not health.ok
    assert health.error == "RuntimeError: template schema is gone"
    assert (health.ready, health.target) == (0, 1)
    assert health.failing_since == health.refilled_at
    assert health.succeeded_at is None
    first_failure = health.failing_since

    with pytest.raises(RuntimeError):
        pool_refill_task()
    assert pool_health().failing_since == first_failure  # still failing since the first

    monkeypatch.setattr(schemas, "pool_add_one", real_add)
    assert pool_refill_task() == 1
    health = pool_health()
    assert health.ok and health.error == ""
    assert (health.ready, health.target) == (1, 1)
    assert health.failing_since is None
    assert health.succeeded_at == health.refilled_at > first_failure


def test_a_refill_goes_on_while_signups_take_schemas_meanwhile(monkeypatch, settings):
    """A signup during a refill finds the lock taken and skips its own refill: the
    holder looks again after its fill, so the pool is full when it stops."""
    from tenants.models import PoolSchema

    settings.TENANT_POOL_SIZE = 2
    schemas.pool_drain()
    real_refill = schemas.pool_refill
    taken = []

    def refill_while_a_signup_takes_one(size):
        added = real_refill(size)
        if not taken:  # a concurrent signup takes a schema right after this fill
            taken.append(PoolSchema.objects.order_by("pk").first().schema_name)
            assert schemas.pool_take(f"t_burst_{len(taken)}")
        return added

    monkeypatch.setattr(schemas, "pool_refill", refill_while_a_signup_takes_one)
    assert pool_refill_task() == 3  # two, then the one taken meanwhile
    assert schemas.pool_ready_count() == 2
