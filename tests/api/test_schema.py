"""The OpenAPI schema under concurrent requests, and what it says."""

import threading

import pytest
import requests

from frontend.common.views.api_docs import schema_cache_clear


def test_eight_concurrent_schema_requests_all_get_the_same_schema(live_api, acme):
    schema_cache_clear()  # the first generation is the one that raced
    start = threading.Barrier(8)
    answers = [None] * 8

    def fetch(index):
        start.wait()
        answers[index] = requests.get(f"{live_api.base_url}/api/schema/", timeout=60,
                                      headers={"Host": live_api.host("acme")})

    threads = [threading.Thread(target=fetch, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200] * 8
    assert len({answer.content for answer in answers}) == 1
    assert b"/api/v1/orders/" in answers[0].content


def test_schema_is_generated_once_per_language(acme_client, globex_client, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    schema_cache_clear()
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    first = acme_client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    second = acme_client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(calls) == 1
    chinese = acme_client.get("/api/schema/?lang=zh-hans")
    assert chinese.status_code == 200
    assert len(calls) == 2
    # The same for every tenant: globex in English is served from acme's copy.
    assert globex_client.get("/api/schema/?lang=en").content == first.content
    assert len(calls) == 2


def _owner(acme):
    from django_tenants.utils import tenant_context

    from roles.models import User

    with tenant_context(acme):
        return User.objects.get(email="owner@acme.example")


@pytest.mark.parametrize("url, name", [
    ("/api/v1/orders/?status=AAA", "status"),
    ("/api/v1/orders/?sort=cheapest", "sort"),
    ("/api/v1/orders/?customer=abc", "customer"),
    ("/api/v1/my/orders/?status=AAA", "status"),
    ("/api/v1/returns/?status=AAA", "status"),
    ("/api/v1/customers/?status=AAA", "status"),
    ("/api/v1/customers/?level=x", "level"),
    ("/api/v1/products/?stock=AAA", "stock"),
    ("/api/v1/products/?shelf=AAA", "shelf"),
    ("/api/v1/finance/payments/?status=AAA", "status"),
    ("/api/v1/finance/payments/?customer=abc", "customer"),
    ("/api/v1/finance/statements/?status=AAA", "status"),
])
def test_unknown_filter_values_are_refused_in_the_error_shape(acme, acme_client, login_as, url,
                                                              name):
    login_as(acme_client, acme, _owner(acme))
    response = acme_client.get(url)
    if url.startswith("/api/v1/my/"):  # the owner is no dealer: refused before filtering
        assert response.status_code == 403
        return
    assert response.status_code == 400
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert list(body["error"]["fields"]) == [name]


def test_known_and_empty_filter_values_still_filter(acme, acme_client, login_as):
    from ordering.orders.enums import OrderStatus

    login_as(acme_client, acme, _owner(acme))
    for url in (f"/api/v1/orders/?status={OrderStatus.values[0]}", "/api/v1/orders/?status=",
                "/api/v1/orders/?status=open", "/api/v1/customers/?status=&level=",
                "/api/v1/products/?stock=&sort=position"):
        assert acme_client.get(url).status_code == 200, url


def test_schema_documents_pages_nullable_fields_and_errors(acme_client):
    schema = acme_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/brands/", "/api/v1/units/", "/api/v1/categories/",
                 "/api/v1/variants/{id}/stock-movements/"):
        ref = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        page = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path
    components = schema["components"]["schemas"]
    assert components["OrderDetail"]["properties"]["delivery_date"]["nullable"] is True
    assert components["StaffOutput"]["properties"]["last_login"]["nullable"] is True
    assert components["CustomerLogin"]["properties"]["last_login"]["nullable"] is True
    orders = paths["/api/v1/orders/"]["get"]
    assert {"200", "400", "401", "403", "404"} <= set(orders["responses"])
    assert orders["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    status = next(p for p in orders["parameters"] if p["name"] == "status")
    assert "AAA" not in status["schema"]["enum"]


def test_an_unknown_api_url_answers_in_the_error_shape(acme, acme_client, login_as):
    login_as(acme_client, acme, _owner(acme))
    response = acme_client.get("/api/v1/orders/not-a-number/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = acme_client.get("/api/v1/orders/?q=a%00b")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
