"""A cache outage only makes pages slower: with production's Redis cache backend pointing
at a port where no Redis answers, the login page, the dashboard, the shop and an order's
pages answer 200, signing in and checkout work and save the order, and the outage costs
milliseconds. With the real Redis the same backend caches as before."""

import logging
import time

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from core.background import outbox_pending
from core.models import OutboxTask
from core.throttle import throttle_hit
from ordering.notifications.models import Notification
from ordering.orders.models import Order
from tests.conftest import TenantClient
from tests.faults.conftest import closed_port, production_settings, redis_cache
from tests.orders.conftest import PASSWORD, place

CHECKOUT = {"payment_method": "transfer", "remark": "", "delivery_date": "", "token": "f-1"}


@pytest.fixture
def sign_in(acme, login_as):
    def _sign_in(user):
        return login_as(TenantClient("acme.localhost"), acme, user)

    return _sign_in


def test_without_the_fix_a_dead_redis_breaks_the_login_page(acme, settings):
    """What the fault was: Django's own RedisCache raises on every tenant page."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/13",
                                  backend="django.core.cache.backends.redis.RedisCache")
    with pytest.raises(RedisConnectionError):
        TenantClient("acme.localhost").get("/login/")


def test_the_site_answers_with_the_cache_down(shop, cache_down, broker, sign_in, caplog):
    order = place(shop)
    broker.down()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert TenantClient("acme.localhost").get("/login/").status_code == 200
        staff = sign_in(shop.staff.admin)
        dealer = sign_in(shop.dana.user)
        for client, path in ((staff, "/dashboard/"), (staff, "/dashboard/orders/"),
                             (staff, f"/dashboard/orders/{order.pk}/"),
                             (dealer, "/shop/catalog/"), (dealer, "/shop/cart/"),
                             (dealer, "/shop/orders/"), (dealer, f"/shop/orders/{order.pk}/")):
            response = client.get(path)
            assert response.status_code == 200, path
    assert time.monotonic() - started < 10
    assert "cache unavailable, falling back to the database" in caplog.text
    # logged once per outage, not once per call
    assert caplog.text.count("cache unavailable, falling back") == 1


def test_signing_in_works_with_the_cache_down(shop, cache_down):
    client = TenantClient("acme.localhost")
    response = client.post("/login/", {"username": "dana@gold.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/shop/catalog/").status_code == 200


def test_checkout_with_cache_and_broker_down_saves_the_order(
        shop, cache_down, broker, sign_in, django_capture_on_commit_callbacks):
    from ordering.orders.services import cart as cart_services

    dealer = sign_in(shop.dana.user)
    cart_services.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 10}])
    broker.down()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = dealer.post("/shop/checkout/", {
            **CHECKOUT, "address": shop.address.pk, "shipping_method": shop.truck.pk})
    order = Order.objects.get(customer=shop.customer)
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{order.pk}/"
    assert time.monotonic() - started < 10
    # the order's notifications wait in the outbox, nobody was told yet
    assert outbox_pending() >= 1
    assert OutboxTask.objects.filter(
        task="ordering.orders.tasks.order_event_notify_task").exists()
    # the first send paid the broker's timeout; the rest went straight to the outbox
    assert sorted(OutboxTask.objects.values_list("attempts", flat=True))[-1] == 1
    assert not Notification.objects.filter(subject=f"order:{order.pk}").exists()
    assert dealer.get(response["Location"]).status_code == 200


def test_the_throttle_lets_requests_through_with_the_cache_down(cache_down):
    assert all(throttle_hit(key="signup:1.2.3.4", limit=3) for _n in range(10))


def test_an_outage_costs_milliseconds_once_noticed(cache_down):
    cache.get("warm-up")  # notices the outage
    started = time.monotonic()
    for n in range(1000):
        assert cache.get(f"k{n}", "fallback") == "fallback"
        cache.set(f"k{n}", n)
        cache.delete(f"k{n}")
    assert cache.get_many(["a", "b"]) == {}
    assert cache.incr("counter", 5) == 5
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.add("a", 1) is False
    assert cache.get_or_set("a", 7) == 7
    assert time.monotonic() - started < 0.5


def test_the_real_redis_caches_and_the_backend_recovers(real_cache, settings):
    real_cache.set("greeting", {"hello": "世界"}, 30)
    assert real_cache.get("greeting") == {"hello": "世界"}
    assert real_cache.add("counter", 1) is True
    assert real_cache.incr("counter", 2) == 3
    real_cache.set_many({"a": 1, "b": 2})
    assert real_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    real_cache.delete_many(["a", "b"])
    assert real_cache.get("a") is None
    # an outage noticed, then over: the cache is used again after DOWN_SECONDS
    from core import cache as fail_soft

    fail_soft._down_until[real_cache._location] = time.monotonic() - 1
    assert real_cache.get("greeting") == {"hello": "世界"}
    assert real_cache._location not in fail_soft._down_until


def test_tenant_resolution_is_cached_in_the_real_redis(shop, real_cache):
    from tenants import cache as tenant_cache

    assert TenantClient("acme.localhost").get("/login/").status_code == 200
    assert tenant_cache.get("acme.localhost").slug == "acme"


def test_production_uses_the_fail_soft_backend_with_short_timeouts():
    backend = production_settings("CACHES")["default"]
    assert backend["BACKEND"] == "core.cache.FailSoftRedisCache"
    assert backend["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert backend["OPTIONS"]["socket_connect_timeout"] <= 0.5
    assert backend["OPTIONS"]["socket_timeout"] <= 1
