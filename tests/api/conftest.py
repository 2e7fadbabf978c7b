"""A live server for API tests that need real HTTP (threads, schemathesis).

Requests go to 127.0.0.1 with the tenant's name in the Host header, so no name
resolution of ``*.localhost`` is needed outside a browser."""

import pytest
from django.conf import settings
from django.test.testcases import LiveServerThread


class LiveApi:
    def __init__(self, port):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"

    @staticmethod
    def host(slug):
        return f"{slug}.{settings.BASE_DOMAIN}"


@pytest.fixture(scope="session")
def live_api(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: _app(), port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield LiveApi(thread.port)
        finally:
            thread.terminate()


def _app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
