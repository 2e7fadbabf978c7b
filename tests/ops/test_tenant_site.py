"""The tenant page's site help: custom domains (validated, the tenant answers on them,
removed again), a new password link for the owner, and the recent activity read from
the tenant's schema. Each action is audited and allowed by the role table."""

import pytest
from django_tenants.utils import tenant_context

from shared.models import OperatorRole, PlatformAudit
from tenants.models import Domain
from tests.conftest import TenantClient
from tests.factories.users import operator_login, operator_with_role

pytestmark = pytest.mark.django_db


def _console(role=OperatorRole.ADMIN):
    return operator_login(TenantClient("localhost"), operator_with_role(role))


def _add(client, acme, domain):
    return client.post(f"/ops/tenants/{acme.pk}/", {"action": "domain_add",
                                                    "domain_add-domain": domain})


def test_a_custom_domain_is_added_and_the_tenant_answers_on_it(acme):
    client = _console()
    assert TenantClient("order.acme-drinks.example").get("/login/").status_code == 404
    response = _add(client, acme, " HTTPS://Order.Acme-Drinks.Example./path ")
    assert response.status_code == 302
    assert Domain.objects.filter(domain="order.acme-drinks.example", tenant=acme).exists()
    page = TenantClient("order.acme-drinks.example").get("/login/")
    assert page.status_code == 200 and acme.name in page.content.decode()
    assert PlatformAudit.objects.filter(action="tenant.domain_add",
                                        after__domain="order.acme-drinks.example").exists()
    found = Domain.objects.get(domain="order.acme-drinks.example")
    removed = client.post(f"/ops/tenants/{acme.pk}/", {"action": "domain_remove",
                                                       "domain_remove-domain": found.pk})
    assert removed.status_code == 302
    assert TenantClient("order.acme-drinks.example").get("/login/").status_code == 404


@pytest.mark.parametrize("domain", ["", "localhost", "10.0.0.1", "shop", "acme.localhost",
                                    "evil.localhost", "a..b.example", "-x.example",
                                    "globex.localhost"])
def test_a_domain_that_cannot_be_the_tenants_is_refused(acme, globex, domain):
    before = Domain.objects.count()
    response = _add(_console(), acme, domain)
    assert response.status_code == 400
    assert Domain.objects.count() == before


def test_a_domain_of_another_tenant_is_refused_and_its_own_subdomain_stays(acme, globex):
    client = _console()
    _add(client, acme, "shop.globex-wear.example")
    response = _add(client, globex, "shop.globex-wear.example")
    assert response.status_code == 400 and "already in use" in response.content.decode()
    own = Domain.objects.get(domain=acme.host)
    response = client.post(f"/ops/tenants/{acme.pk}/", {"action": "domain_remove",
                                                        "domain_remove-domain": own.pk})
    assert response.status_code == 400 and Domain.objects.filter(pk=own.pk).exists()
    other = Domain.objects.get(domain="shop.globex-wear.example")
    response = client.post(f"/ops/tenants/{globex.pk}/", {"action": "domain_remove",
                                                          "domain_remove-domain": other.pk})
    assert response.status_code == 400  # not globex's: acme's
    assert Domain.objects.filter(pk=other.pk).exists()


def test_the_owner_gets_a_new_link_to_choose_a_password(acme, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    client = _console(OperatorRole.SUPPORT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ops/tenants/{acme.pk}/", {"action": "owner_invite"})
    assert response.status_code == 302
    message = mailoutbox[-1]
    assert message.to == ["owner@acme.example"]
    assert "http://acme.localhost/password/reset/" in message.body
    assert PlatformAudit.objects.filter(action="tenant.owner_invite", tenant_id=acme.pk).exists()


@pytest.mark.parametrize("role, allowed", [
    (OperatorRole.ADMIN, {"domains", "owner_invite"}),
    (OperatorRole.SUPPORT, {"owner_invite"}),
    (OperatorRole.FINANCE, set()),
])
def test_who_may_add_domains_and_resend_the_invitation(acme, role, allowed):
    client = _console(role)
    seen = {
        "domains": _add(client, acme, f"{role}.acme-drinks.example").status_code == 302,
        "owner_invite": client.post(f"/ops/tenants/{acme.pk}/",
                                    {"action": "owner_invite"}).status_code == 302,
    }
    assert {what for what, ok in seen.items() if ok} == allowed


def test_the_tenant_page_shows_recent_sign_ins_and_orders_per_day(acme):
    from roles.models import LoginLog

    with tenant_context(acme):
        LoginLog.objects.create(identifier="owner@acme.example", success=True,
                                ip_address="203.0.113.7")
    page = _console(OperatorRole.SUPPORT).get(f"/ops/tenants/{acme.pk}/").content.decode()
    assert 'data-testid="ops-activity"' in page and "203.0.113.7" in page
    assert page.count('class="flex-fill bg-primary-subtle') == 14


def test_the_tenant_page_reads_a_bounded_number_of_queries(acme, django_assert_max_num_queries):
    """Sign-in, authenticator and role (4), the tenant, its billing, changes, audit,
    drift, exports and support sessions in public, the staff list and the activity in
    the tenant's schema (two switches there and back): 24 whatever the tenant holds."""
    client = _console()
    client.get(f"/ops/tenants/{acme.pk}/")
    with django_assert_max_num_queries(24):
        assert client.get(f"/ops/tenants/{acme.pk}/").status_code == 200
