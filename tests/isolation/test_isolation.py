"""Tenant isolation: accounts, sessions, hosts, cache, files, background tasks."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.tasks import schema_probe_task
from tests.conftest import TenantClient
from tests.factories import UserFactory

User = get_user_model()


def test_same_email_in_two_tenants_is_two_accounts(acme, globex):
    with tenant_context(acme):
        a = UserFactory(email="same@example.com")
        a.set_password("acme-secret-1")
        a.save()
    with tenant_context(globex):
        g = UserFactory(email="same@example.com")
        g.set_password("globex-secret-2")
        g.save()
    with tenant_context(acme):
        assert User.objects.get(email="same@example.com").check_password("acme-secret-1")
    with tenant_context(globex):
        found = User.objects.get(email="same@example.com")
        assert found.check_password("globex-secret-2")
        assert not found.check_password("acme-secret-1")
    acme_login = TenantClient("acme.localhost").post(
        "/login/", {"username": "same@example.com", "password": "globex-secret-2"})
    assert acme_login.status_code == 200  # globex's password does not open acme


def test_acme_session_cookie_is_anonymous_on_globex(acme, globex, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    assert acme_client.get("/dashboard/").status_code == 200
    session_cookie = acme_client.cookies["sessionid"].value

    stolen = TenantClient("globex.localhost")
    stolen.cookies["sessionid"] = session_cookie
    response = stolen.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response.url
    assert stolen.get("/api/v1/me/").status_code == 401


def test_logging_in_on_acme_does_not_log_in_on_globex(acme):
    with tenant_context(acme):
        UserFactory(email="one@acme.example")
    client = TenantClient("acme.localhost")
    client.post("/login/", {"username": "one@acme.example", "password": "Correct-Horse-42"})
    assert client.get("/dashboard/").status_code == 200
    # same cookie jar, other host (what a browser would never even send)
    response = client.get("/dashboard/", HTTP_HOST="globex.localhost")
    assert response.status_code == 302 and "/login/" in response.url


def test_session_cookie_is_host_only(acme, acme_client):
    with tenant_context(acme):
        UserFactory(email="cookie@acme.example")
    acme_client.post("/login/", {"username": "cookie@acme.example",
                                 "password": "Correct-Horse-42"})
    assert acme_client.cookies["sessionid"]["domain"] == ""


def test_acme_data_is_invisible_from_globex(acme, globex, acme_client, globex_client, login_as):
    with tenant_context(acme):
        secret = UserFactory(email="only-in-acme@example.com", name="Acme Secret Person")
    with tenant_context(globex):
        assert not User.objects.filter(email="only-in-acme@example.com").exists()
        assert not User.objects.filter(pk=secret.pk, name="Acme Secret Person").exists()
        viewer = UserFactory()
    login_as(globex_client, globex, viewer)
    for path in ("/dashboard/", "/dashboard/profile/", "/api/v1/me/"):
        response = globex_client.get(path)
        assert response.status_code == 200
        assert b"only-in-acme" not in response.content
        assert b"Acme Secret Person" not in response.content
    assert globex_client.get("/api/v1/me/").json()["email"] == viewer.email


def test_forged_x_forwarded_host_cannot_select_another_tenant(acme, globex, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    response = acme_client.get("/api/v1/me/", HTTP_X_FORWARDED_HOST="globex.localhost")
    assert response.status_code == 200
    assert response.json()["email"] == user.email  # still acme: the header is ignored
    response = TenantClient("acme.localhost").get("/login/",
                                                  HTTP_X_FORWARDED_HOST="globex.localhost")
    assert acme.name.encode() in response.content
    assert globex.name.encode() not in response.content


def test_forged_host_with_acme_session_is_anonymous(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    response = acme_client.get("/api/v1/me/", HTTP_HOST="globex.localhost")
    assert response.status_code == 401


def test_same_cache_key_holds_different_values_per_tenant(acme, globex):
    with tenant_context(acme):
        cache.set("greeting", "acme-value")
    with tenant_context(globex):
        assert cache.get("greeting") is None
        cache.set("greeting", "globex-value")
    with tenant_context(acme):
        assert cache.get("greeting") == "acme-value"
    with tenant_context(globex):
        assert cache.get("greeting") == "globex-value"
    assert cache.get("greeting") is None  # public


def test_uploaded_file_of_acme_cannot_be_fetched_through_globex(acme, globex, acme_client,
                                                                globex_client, login_as):
    with tenant_context(acme):
        login_as(acme_client, acme, UserFactory())
        saved = default_storage.save(f"uploads/{uuid.uuid4().hex}.txt",
                                     ContentFile(b"acme price list"))
        url = default_storage.url(saved)
    with tenant_context(globex):
        login_as(globex_client, globex, UserFactory())
    try:
        assert url == "/media/" + saved  # the URL the storage hands out works as is
        response = acme_client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"acme price list"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert globex_client.get(url).status_code == 404
        for trick in (f"/media/../{acme.schema_name}/{saved}",
                      f"/media/%2e%2e/{acme.schema_name}/{saved}",
                      f"/media/..%2f{acme.schema_name}/{saved}",
                      f"/media/{acme.schema_name}/{saved}"):
            assert globex_client.get(trick).status_code == 404, trick
    finally:
        with tenant_context(acme):
            default_storage.delete(saved)


def test_media_needs_a_signed_in_user_and_never_lists_folders(acme, acme_client, login_as):
    with tenant_context(acme):
        saved = default_storage.save(f"uploads/{uuid.uuid4().hex}.png", ContentFile(b"\x89PNG"))
    try:
        response = acme_client.get("/media/" + saved)
        assert response.status_code == 302 and "/login/" in response.url
        with tenant_context(acme):
            login_as(acme_client, acme, UserFactory())
        response = acme_client.get("/media/" + saved)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert "attachment" not in response.get("Content-Disposition", "")
        assert acme_client.get("/media/uploads/").status_code == 404
        assert acme_client.get("/media/").status_code == 404
    finally:
        with tenant_context(acme):
            default_storage.delete(saved)


def test_eager_task_sent_from_acme_runs_in_acme(acme, globex):
    with tenant_context(acme):
        assert schema_probe_task.delay().get() == acme.schema_name
    with tenant_context(globex):
        assert schema_probe_task.delay().get() == globex.schema_name
    assert schema_probe_task.delay().get() == "public"


@pytest.fixture
def celery_worker(committed_db):
    """A real Celery worker thread consuming from Redis."""
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: `make test` starts Redis (scripts/services.py)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.result_backend = settings.REDIS_URL
    app.conf.task_default_queue = f"test-{uuid.uuid4().hex[:8]}"
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                          queues=[app.conf.task_default_queue]) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_task_sent_from_acme_runs_in_acme_on_a_real_worker(celery_worker):
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    globex = Tenant.objects.get(slug="globex")
    with tenant_context(acme):
        from_acme = schema_probe_task.delay()
    with tenant_context(globex):
        from_globex = schema_probe_task.delay()
    from_public = schema_probe_task.delay()
    assert from_acme.get(timeout=20) == acme.schema_name
    assert from_globex.get(timeout=20) == globex.schema_name
    assert from_public.get(timeout=20) == "public"
    assert connection.schema_name == "public"
    # the worker recorded the runs in the public table, whichever schema they ran in
    from core.models import TaskRun

    import time

    for _attempt in range(50):  # the success signal follows the stored result
        run = TaskRun.objects.filter(name=schema_probe_task.name).first()
        if run is not None and run.runs >= 3 and run.last_succeeded_at is not None:
            break
        time.sleep(0.1)
    assert run is not None and run.runs >= 3 and run.last_succeeded_at is not None
