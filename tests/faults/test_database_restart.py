"""A PostgreSQL restart costs the requests in flight, not the next ones: a kept connection
(CONN_MAX_AGE > 0, as in production) whose server side was killed is checked before the
next request uses it (CONN_HEALTH_CHECKS) and replaced.

The requests go through Django's WSGI handler as a production server calls it (the test
client skips the request_started hook that runs the check)."""

import psycopg2
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from tests.faults.conftest import production_settings


def _get(path, host="acme.localhost"):
    environ = RequestFactory().get(path, HTTP_HOST=host).environ
    status = []
    response = WSGIHandler()(environ, lambda code, headers, exc_info=None: status.append(code))
    try:
        b"".join(response)
    finally:
        response.close()  # request_finished, as the server sends it
    return int(status[0].split()[0])


def _kill(pid):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    other = psycopg2.connect(**params)
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    other.close()


@pytest.fixture
def kept_connections(committed_db):
    """Connections kept between requests, as production keeps them."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    yield connection.settings_dict
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def _served_then_killed():
    cache.clear()  # tenant resolution reads the database
    assert _get("/login/") == 200
    assert connection.connection is not None  # kept for the next request
    pid = connection.connection.info.backend_pid
    _kill(pid)
    cache.clear()
    return pid


def test_the_request_after_the_connection_was_killed_succeeds(kept_connections):
    assert kept_connections["CONN_HEALTH_CHECKS"] is True  # from settings/base.py
    pid = _served_then_killed()
    assert _get("/login/") == 200
    assert connection.connection.info.backend_pid != pid


def test_without_health_checks_the_next_request_fails(kept_connections):
    """What the fault was: the dead connection answered the next request with a 500."""
    kept_connections["CONN_HEALTH_CHECKS"] = False
    _served_then_killed()
    assert _get("/login/") == 500
    assert _get("/login/") == 200  # the broken connection was dropped after its error


def test_production_keeps_connections_and_checks_them():
    database = production_settings("DATABASES")["default"]
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
