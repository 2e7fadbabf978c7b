"""Languages: the switcher, the user's choice, the tenant's default."""

from django_tenants.utils import tenant_context

from tests.conftest import TenantClient
from tests.factories import UserFactory


def test_tenant_default_language_applies_to_anonymous_visitors(acme, globex):
    assert 'lang="en"' in TenantClient("acme.localhost").get("/login/").content.decode()
    body = TenantClient("globex.localhost").get("/login/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body


def test_language_switcher_sets_cookie_and_the_users_preference(acme, acme_client, login_as):
    with tenant_context(acme):
        user = UserFactory(preferred_language="en")
    login_as(acme_client, acme, user)
    response = acme_client.post("/i18n/language/", {"language": "zh-hans", "next": "/dashboard/"})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert response.cookies["django_language"].value == "zh-hans"
    with tenant_context(acme):
        user.refresh_from_db()
        assert user.preferred_language == "zh-hans"
    page = acme_client.get("/dashboard/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "工作台" in page or "首页" in page


def test_users_language_wins_over_the_tenant_default(globex, login_as):
    client = TenantClient("globex.localhost")
    with tenant_context(globex):
        user = UserFactory(preferred_language="en")
    login_as(client, globex, user)
    assert 'lang="en"' in client.get("/dashboard/").content.decode()


def test_switcher_rejects_unknown_language_and_offsite_next(acme_client):
    response = acme_client.post("/i18n/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.url == "/"
    assert response.cookies["django_language"].value == "en"
