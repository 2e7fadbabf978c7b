"""A live server for API tests that need real HTTP (threads, schemathesis).

Requests go to 127.0.0.1 with the tenant's name in the Host header, so no name
resolution of ``*.localhost`` is needed outside a browser."""

import pytest
from django.conf import settings

from tests.conftest import live_server_port


class LiveApi:
    def __init__(self, port):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"

    @staticmethod
    def host(slug):
        return f"{slug}.{settings.BASE_DOMAIN}"


@pytest.fixture(scope="session")
def live_api(django_db_setup, django_db_blocker):
    with live_server_port(django_db_blocker) as port:
        yield LiveApi(port)
