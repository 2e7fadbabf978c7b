"""The API's error shape, docs and schema served offline."""

import re

from django_tenants.utils import tenant_context

from tests.factories import UserFactory


def test_unauthenticated_api_call_has_the_error_shape(acme_client):
    response = acme_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "not_authenticated"


def test_unknown_api_url_is_a_404(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory()
    login_as(acme_client, acme, user)
    assert acme_client.get("/api/v1/nothing-here/").status_code == 404


def test_me_returns_the_signed_in_user(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory(email="api@acme.example", name="Api User")
    login_as(acme_client, acme, user)
    body = acme_client.get("/api/v1/me/").json()
    assert body["email"] == "api@acme.example"
    assert body["kind"] == "staff"


def test_openapi_schema_and_docs_are_served_offline(acme_client):
    schema = acme_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = acme_client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    # Nothing is loaded from another host: every src/href is site-relative.
    # (Checking for the bare word "cdn" was flaky: the random CSP nonce can spell it.)
    external = re.findall(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', docs, flags=re.I)
    assert external == []
    assert "cdn.jsdelivr" not in docs.lower() and "unpkg.com" not in docs.lower()
