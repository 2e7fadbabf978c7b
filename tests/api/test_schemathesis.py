"""The API does what its OpenAPI schema says: schemathesis generates requests for every
operation from the schema served at /api/schema/ and sends them over real HTTP to a
live server, as the owner (an API key) and as a dealer (a session). Any 5xx, any
undocumented status code or content type and any body that does not match the schema
fails the test.

Every operation is called, writes included, so the run has a throwaway tenant of its
own (a small shop: customers, a dealer, products, an order) that is dropped at the end;
no other test sees its data. Each operation gets ``EXAMPLES`` positive and half as many
negative examples, no shrinking: the whole run stays under two minutes.
"""

import http.cookiejar
import os
import secrets
import time
import uuid

import pytest
import requests
import schemathesis
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance)

from tenants.services import tenant_delete, tenant_provision
from tests.conftest import OWNER_PASSWORD

# Examples per operation and mode; raise them locally for a deeper run
# (ORDERLINE_SCHEMATHESIS_EXAMPLES=20), the default keeps the run under two minutes.
EXAMPLES = int(os.environ.get("ORDERLINE_SCHEMATHESIS_EXAMPLES", "2"))
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Calls that would end the run's own credentials (the owner revoking the key it uses).
SKIPPED = {"DELETE /api/v1/api-keys/{id}/"}
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@pytest.fixture(scope="module")
def fuzz_shop(live_api, django_db_blocker):
    """A tenant of its own with an order-ready shop, dropped after the module."""
    from roles.services.api_keys import api_key_create
    from tests.orders.conftest import build_shop, place

    slug = f"fuzz-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        provisioned = tenant_provision(name="Fuzz Supplies", slug=slug,
                                       owner_email=f"owner@{slug}.example",
                                       owner_password=OWNER_PASSWORD, language="en")
        tenant, owner = provisioned.tenant, provisioned.owner
        with tenant_context(tenant):
            shop = build_shop(tenant)
            place(shop)
            _key, raw = api_key_create(actor=owner, user=owner, name="schemathesis")
            client = Client(HTTP_HOST=live_api.host(slug))
            client.force_login(shop.dana.user, backend="roles.backends.EmailBackend")
            session = client.cookies["sessionid"].value
        connection.set_schema_to_public()
    try:
        yield {"slug": slug, "api_key": raw, "dealer_session": session}
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            from tenants.models import Tenant

            tenant_delete(tenant=Tenant.objects.get(slug=slug))
            connection.set_schema_to_public()


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request):
        return False


def _run(live_api, host, *, headers=None, cookies=None):
    """Run every operation; returns ``(operations, cases, failures)``."""
    headers = {"Host": host, **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    session = requests.Session()
    session.cookies.set_policy(_NoCookies())  # the credentials are the headers, nothing else
    response = session.get(f"{live_api.base_url}/api/schema/?format=json", headers=headers,
                        timeout=60)
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    operations, cases, failures, waited = 0, 0, [], [0.0]
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        operations += 1
        for mode in MODES:
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES if mode == MODES[0] else NEGATIVE_EXAMPLES,
                      deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def check(case):
                nonlocal cases
                cases += 1
                # The caller's credentials win over any generated for the security scheme.
                case.headers = {**(case.headers or {}), **headers}
                began = time.monotonic()
                sent = case.call(base_url=live_api.base_url, session=session, timeout=30)
                waited[0] += time.monotonic() - began
                try:
                    case.validate_response(sent, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — reported together
                    failures.append(f"{operation.label} [{mode.value}] {sent.status_code}: "
                                    f"{str(exc)[:600]}")

            try:
                check()
            except Unsatisfiable:  # nothing negative to send (no parameters, no body)
                continue
    return operations, cases, failures, waited[0]


def _report(role, started, operations, cases, failures, waited):
    print(f"\nschemathesis as {role}: {operations} operations, {cases} cases, "
          f"{len(failures)} failures, {time.monotonic() - started:.1f} s "
          f"({waited:.1f} s waiting for the server)")
    assert failures == [], "\n\n".join(failures[:200])


def test_schemathesis_as_a_dealer(live_api, fuzz_shop):
    csrf = secrets.token_hex(16)
    started = time.monotonic()
    found = _run(live_api, live_api.host(fuzz_shop["slug"]),
                 headers={"X-CSRFToken": csrf},
                 cookies={"sessionid": fuzz_shop["dealer_session"], "csrftoken": csrf})
    _report("dealer", started, *found)


def test_schemathesis_as_the_owner(live_api, fuzz_shop):
    started = time.monotonic()
    found = _run(live_api, live_api.host(fuzz_shop["slug"]),
                 headers={"Authorization": f"Api-Key {fuzz_shop['api_key']}"})
    _report("owner", started, *found)
