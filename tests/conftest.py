"""Test harness.

* The test database is real PostgreSQL. The template schema and two tenants,
  acme and globex, are provisioned once per run (committed, outside any test
  transaction); every test then runs in a transaction that is rolled back.
* ``acme`` / ``globex`` are the Tenant rows; ``in_acme`` switches the connection
  to acme's schema for the test; ``acme_client`` etc. are Django test clients
  whose requests carry the tenant's Host header.
* After every test the connection is put back on the public schema.
"""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from tenants import schemas
from tenants.models import Tenant
from tenants.services import tenant_provision

OWNER_PASSWORD = "Owner-pass-2026"
TEST_TENANTS = {
    "acme": {"name": "Acme Beverages", "language": "en"},
    "globex": {"name": "环球服饰", "language": "zh-hans"},
}


def _on_the_test_database():
    return connection.settings_dict["NAME"] == connection.creation._get_test_db_name()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    own_databases = None
    with django_db_blocker.unblock():
        if not _on_the_test_database():
            # pytest-django creates the test database only when a collected test is
            # marked django_db; a run of committed-data tests alone (browser tests,
            # races) must still never touch the development database.
            from django.test.utils import setup_databases

            own_databases = setup_databases(
                verbosity=0, interactive=False, aliases={"default"},
                keepdb=request.config.getoption("reuse_db", default=False))
        assert _on_the_test_database(), "tests must run on the test database"
        connection.set_schema_to_public()
        schemas.template_ensure()
        # The shared test tenants start bare (no default carriers or shipping
        # method): tests set up what they need; tests/tenants/test_defaults.py covers
        # the defaults.
        from django.test import override_settings

        for slug, spec in TEST_TENANTS.items():
            if not Tenant.objects.filter(slug=slug).exists():
                with override_settings(TENANT_PROVISION_DEFAULTS=[]):
                    tenant_provision(
                        name=spec["name"], slug=slug, owner_email=f"owner@{slug}.example",
                        owner_password=OWNER_PASSWORD, owner_name=f"{slug} owner",
                        language=spec["language"],
                    )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        # Worker and live-server threads may still hold connections; the test
        # database cannot be dropped while they do.
        with connection.cursor() as cursor:
            cursor.execute("""SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                              WHERE datname = current_database() AND pid <> pg_backend_pid()""")
        if own_databases is not None:
            from django.test.utils import teardown_databases

            teardown_databases(own_databases, verbosity=0,
                               keepdb=request.config.getoption("reuse_db", default=False))


@contextmanager
def live_server_port(django_db_blocker):
    """A live server thread on 127.0.0.1 serving the app as production does (whitenoise
    for static files, the tenant-aware media view): yields its port."""
    from django.test.testcases import LiveServerThread

    def production_app(_test_media_handler):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()

    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", static_handler=production_app, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield thread.port
        finally:
            thread.terminate()


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Chinese leaves the thread's language active; the next test starts
    from the default again."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def acme(db):
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def globex(db):
    return Tenant.objects.get(slug="globex")


@pytest.fixture
def in_acme(acme):
    with tenant_context(acme):
        yield acme


def host_of(tenant):
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


class TenantClient(Client):
    """A test client bound to one host; the test's own schema is restored after each request."""

    def __init__(self, host, **kwargs):
        super().__init__(HTTP_HOST=host, **kwargs)
        self.host = host

    def request(self, **request):
        previous = connection.tenant
        try:
            return super().request(**request)
        finally:
            connection.set_tenant(previous)


@pytest.fixture
def acme_client(acme):
    return TenantClient(host_of(acme))


@pytest.fixture
def globex_client(globex):
    return TenantClient(host_of(globex))


@pytest.fixture
def public_client(db):
    return TenantClient(settings.BASE_DOMAIN)


@pytest.fixture
def login_as():
    """``login_as(client, tenant, user)``: a signed-in session on that tenant's host."""

    def _login(client, tenant, user):
        with tenant_context(tenant):  # restores the caller's schema on exit
            client.force_login(user, backend="roles.backends.EmailBackend")
        return client

    return _login


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Real commits, for tests with several threads/connections (no rollback).

    Such tests clean up after themselves; never flush (it would empty the
    public schema that holds every tenant).
    """
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()
