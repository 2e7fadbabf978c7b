"""Fixtures for the fault tests: Redis (cache and broker) at a closed port, the real
Redis at 127.0.0.1:6379 on a database of these tests' own (13), and the broker
coming back."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from core import cache as fail_soft

REAL_REDIS = "redis://127.0.0.1:6379/13"


def production_settings(name):
    """One setting of config.settings.production, read in a fresh interpreter."""
    env = {**os.environ, "SECRET_KEY": "faults", "REDIS_URL": "redis://127.0.0.1:6379/0",
           "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    code = ("import json; from config.settings import production as p; "
            f"print(json.dumps(p.{name}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True, cwd=django_settings.BASE_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(location, backend="core.cache.FailSoftRedisCache"):
    return {"default": {"BACKEND": backend, "LOCATION": location,
                        "KEY_FUNCTION": "django_tenants.cache.make_key",
                        "KEY_PREFIX": "orderline-faults",
                        "OPTIONS": dict(django_settings.REDIS_CACHE_OPTIONS)}}


@pytest.fixture
def shop(in_acme, acme):
    """The order tests' world: acme with a customer, its dealers, staff in every role."""
    from tests.orders.conftest import build_shop

    return build_shop(acme)


@pytest.fixture(autouse=True)
def _fresh_circuit():
    fail_soft._down_until.clear()
    yield
    fail_soft._down_until.clear()


@pytest.fixture
def cache_down(settings):
    """The cache is production's Redis backend, at a port where no Redis answers."""
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/13")
    yield
    from django.core.cache import caches

    caches["default"].close()


@pytest.fixture
def real_cache(settings):
    """The cache is production's Redis backend on the real Redis (database 13)."""
    settings.CACHES = redis_cache(REAL_REDIS)
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def _use_broker(app, url, *, eager, result_backend):
    app.conf.task_always_eager = eager
    app.conf.broker_url = url
    app.conf.result_backend = result_backend
    # Connections and the result backend are made lazily from the settings above.
    _forget_connections(app)


def _forget_connections(app):
    from core import background

    background._broker["down_until"] = 0.0
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker():
    """``broker.down()``: the broker (and result backend) at a closed port, tasks really
    sent; ``broker.back()``: tasks run at once (eager), as a worker would run them;
    ``broker.real()``: the real Redis on database 13. Restored after the test."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)

    class Broker:
        def down(self):
            url = f"redis://127.0.0.1:{closed_port()}/0"
            _use_broker(app, url, eager=False, result_backend=url)

        def back(self):
            _use_broker(app, saved[1], eager=True, result_backend=saved[2])

        def real(self):
            _use_broker(app, REAL_REDIS, eager=False, result_backend=None)

    yield Broker()
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
    _forget_connections(app)
