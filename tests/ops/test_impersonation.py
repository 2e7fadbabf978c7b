"""Support sessions: an operator opens a tenant's dashboard as one of its staff through
a one-time, short-lived link; read-only until a second step with its own reason; never
the user's password, e-mail or keys, nor /ops/ nor another session; it ends by itself
after 30 minutes; both audit logs say "operator → user"."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import tenant_context

from ordering.customers.models import Customer
from roles.models import AuditLog
from shared.models import Impersonation, OperatorRole, PlatformAudit
from tests.conftest import TenantClient
from tests.factories.users import operator_login, operator_with_role

pytestmark = pytest.mark.django_db


def _operator(role=OperatorRole.ADMIN):
    return operator_with_role(role)


def _owner(acme):
    with tenant_context(acme):
        return get_user_model().objects.get(email="owner@acme.example")


def _link(acme, operator, reason="Ticket 4711: prices look wrong"):
    console = operator_login(TenantClient("localhost"), operator)
    response = console.post(f"/ops/tenants/{acme.pk}/", {
        "action": "impersonate", "impersonate-user": _owner(acme).pk,
        "impersonate-reason": reason})
    assert response.status_code == 302, response.content.decode()[:500]
    match = re.match(r"http://acme\.localhost(?::\d+)?(/impersonate/[^/]+/)$", response.url)
    assert match, response.url
    return match.group(1)


def _open(acme, operator, **kwargs):
    client = TenantClient("acme.localhost")
    response = client.get(_link(acme, operator, **kwargs))
    assert response.status_code == 302 and response.url.endswith("/dashboard/")
    return client


def test_the_link_works_once_and_opens_the_dashboard_with_the_banner(acme):
    operator = _operator()
    link = _link(acme, operator)
    client = TenantClient("acme.localhost")
    assert client.get(link).status_code == 302
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="impersonation-banner"' in page and "owner@acme.example" in page
    assert operator.email in page and "Read-only" in page
    assert TenantClient("acme.localhost").get(link).status_code == 403  # used
    assert client.get(link).status_code == 403  # and no session inside a session


def test_the_link_expires(acme, settings, monkeypatch):
    import time

    link = _link(acme, _operator())
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + settings.IMPERSONATION_LINK_SECONDS + 5)
    assert TenantClient("acme.localhost").get(link).status_code == 403


def test_a_link_for_one_tenant_does_not_open_another(acme, globex):
    link = _link(acme, _operator())
    assert TenantClient("globex.localhost").get(link).status_code == 403
    assert TenantClient("acme.localhost").get(link).status_code == 302  # still unused


def test_read_only_until_the_second_step_then_changes_are_audited_as_operator_to_user(acme):
    operator = _operator()
    client = _open(acme, operator)
    refused = client.post("/dashboard/customers/new/", {"name": "By support",
                                                         "payment_terms": "prepaid"})
    assert refused.status_code == 403 and "read-only" in refused.content.decode()
    api = client.post("/api/v1/customers/", {"name": "By support"},
                      content_type="application/json")
    assert api.status_code == 403 and api.json()["error"]["code"] == "impersonation_read_only"
    assert client.post("/impersonate/writes/", {"reason": ""}).status_code == 302
    assert Impersonation.objects.get().writes_at is None  # a reason is required
    client.post("/impersonate/writes/", {"reason": "Customer asked us to add the account"})
    made = client.post("/dashboard/customers/new/", {"name": "By support",
                                                     "payment_terms": "prepaid"})
    assert made.status_code == 302
    with tenant_context(acme):
        assert Customer.objects.filter(name="By support").exists()
        actors = set(AuditLog.objects.filter(action="customer.create")
                     .values_list("actor_label", flat=True))
        assert f"{operator.email} → owner@acme.example" in actors
        seen = set(AuditLog.objects.values_list("action", flat=True))
    assert {"impersonation.start", "impersonation.writes"} <= seen
    assert {"tenant.impersonation.link", "tenant.impersonation.start",
            "tenant.impersonation.writes"} <= set(
        PlatformAudit.objects.filter(tenant_id=acme.pk).values_list("action", flat=True))


def test_support_opens_read_only_only(acme):
    client = _open(acme, _operator(OperatorRole.SUPPORT))
    assert 'data-testid="impersonation-writes-form"' not in \
        client.get("/dashboard/").content.decode()
    client.post("/impersonate/writes/", {"reason": "please"})
    assert Impersonation.objects.get().writes_at is None
    assert client.post("/dashboard/customers/new/", {"name": "No"}).status_code == 403


def test_finance_cannot_open_a_support_session(acme):
    console = operator_login(TenantClient("localhost"), _operator(OperatorRole.FINANCE))
    response = console.post(f"/ops/tenants/{acme.pk}/", {
        "action": "impersonate", "impersonate-user": _owner(acme).pk,
        "impersonate-reason": "x"})
    assert response.status_code == 403 and not Impersonation.objects.exists()


def test_never_the_users_password_email_or_keys_even_with_changes_allowed(acme):
    client = _open(acme, _operator())
    client.post("/impersonate/writes/", {"reason": "fixing settings"})
    owner = _owner(acme)
    for path, data in (("/password/change/", {"old_password": "x", "new_password1": "Abc-12345!x",
                                              "new_password2": "Abc-12345!x"}),
                       ("/dashboard/profile/", {"name": "Hacked", "email": "evil@x.example"}),
                       ("/dashboard/api-keys/", {"name": "mine"})):
        response = client.post(path, data)
        assert response.status_code == 403, path
    with tenant_context(acme):
        after = get_user_model().objects.get(pk=owner.pk)
    assert (after.password, after.email) == (owner.password, owner.email)


def test_the_console_is_not_reachable_from_the_session(acme):
    client = _open(acme, _operator())
    assert client.get("/ops/").status_code == 404  # no console on a tenant's host
    console = TenantClient("localhost")  # host-only cookies: nothing carried over
    console.cookies = client.cookies
    assert console.get("/ops/").status_code == 302


def test_it_ends_by_itself_after_thirty_minutes(acme, monkeypatch):
    client = _open(acme, _operator())
    assert client.get("/dashboard/").status_code == 200
    later = timezone.now() + datetime.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response.url
    row = Impersonation.objects.get()
    assert row.ended_at is not None and row.ended_at <= row.expires_at
    with tenant_context(acme):
        assert AuditLog.objects.filter(action="impersonation.end").exists()


def test_ending_it_signs_out_and_goes_back_to_the_console(acme):
    client = _open(acme, _operator())
    response = client.post("/impersonate/end/")
    assert response.status_code == 302 and response.url.endswith(f"/ops/tenants/{acme.pk}/")
    assert client.get("/dashboard/").status_code == 302
    assert Impersonation.objects.get().ended_at is not None


def test_the_tenants_administrators_see_the_session_in_their_audit_log(acme, login_as):
    operator = _operator()
    _open(acme, operator, reason="Ticket 99")
    viewer = login_as(TenantClient("acme.localhost"), acme, _owner(acme))
    page = viewer.get("/dashboard/audit/").content.decode()
    assert "impersonation.start" in page and operator.email in page


def test_a_session_nobody_came_back_to_is_closed_by_the_periodic_task(acme):
    from shared.impersonation import impersonations_expire

    _open(acme, _operator())
    assert impersonations_expire() == 0
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert impersonations_expire(now=later) == 1
    assert Impersonation.objects.get().ended_at is not None
    with tenant_context(acme):
        assert AuditLog.objects.filter(action="impersonation.end").exists()
    assert impersonations_expire(now=later) == 0
