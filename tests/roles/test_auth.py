"""Sign-in, login log, lockout, one-time links, password reset and change."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_tenants.utils import tenant_context

from roles.models import LoginLog
from roles.services import login_link_make
from tests.conftest import TenantClient
from tests.factories import PASSWORD, DealerFactory, OperatorFactory, UserFactory
from tests.factories.users import totp_code


def _post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-agent/1.0")


def test_staff_land_on_dashboard_and_dealers_on_shop(in_acme, acme_client):
    staff = UserFactory(email="clerk@acme.example")
    dealer = DealerFactory(email="buyer@acme.example")
    response = _post_login(acme_client, "Clerk@Acme.example", PASSWORD)
    assert response.status_code == 302 and response.url == "/dashboard/"
    acme_client.logout()
    response = _post_login(TenantClient(acme_client.host), dealer.email, PASSWORD)
    assert response.url == "/shop/"
    assert staff.pk != dealer.pk


def test_login_by_phone(in_acme, acme_client):
    UserFactory(email="phone@acme.example", phone="13800138000")
    response = _post_login(acme_client, "13800138000", PASSWORD)
    assert response.status_code == 302 and response.url == "/dashboard/"


def test_wrong_password_shows_a_clear_message_and_is_logged(in_acme, acme_client):
    user = UserFactory(email="typo@acme.example")
    response = _post_login(acme_client, user.email, "wrong-password")
    assert response.status_code == 200
    assert "Incorrect e-mail/phone or password." in response.content.decode()
    record = LoginLog.objects.get(identifier=user.email)
    assert (record.success, record.user_id, record.ip_address, record.user_agent) == (
        False, user.pk, "10.1.2.3", "pytest-agent/1.0")


def test_successful_login_is_logged(in_acme, acme_client):
    user = UserFactory(email="ok@acme.example")
    _post_login(acme_client, user.email, PASSWORD)
    record = LoginLog.objects.get(user=user)
    assert record.success is True
    assert record.ip_address == "10.1.2.3"


def test_login_log_is_append_only(in_acme):
    record = LoginLog.objects.create(identifier="x@example.com", success=False)
    record.success = True
    with pytest.raises(ValueError):
        record.save()


def test_lockout_after_repeated_failures(in_acme, acme_client, settings):
    user = UserFactory(email="victim@acme.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(acme_client, user.email, "guess")
    response = _post_login(acme_client, user.email, PASSWORD)  # even the right password
    assert response.status_code == 429
    assert b'data-testid="locked-out"' in response.content
    assert "_auth_user_id" not in acme_client.session


def test_lockout_is_counted_per_tenant(acme, globex, settings):
    with tenant_context(acme):
        UserFactory(email="shared@example.com")
    with tenant_context(globex):
        UserFactory(email="shared@example.com")
    acme_client = TenantClient("acme.localhost")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(acme_client, "shared@example.com", "guess")
    assert _post_login(acme_client, "shared@example.com", PASSWORD).status_code == 429
    response = _post_login(TenantClient("globex.localhost"), "shared@example.com", PASSWORD)
    assert response.status_code == 302 and response.url == "/dashboard/"


def test_operator_cannot_sign_in_on_a_tenant_and_staff_not_on_ops(acme, public_client):
    OperatorFactory(email="op@orderline.local")  # public schema
    with tenant_context(acme):
        UserFactory(email="staffer@acme.example")
    response = _post_login(TenantClient("acme.localhost"), "op@orderline.local", PASSWORD)
    assert response.status_code == 200  # unknown on acme
    response = public_client.post("/ops/login/", {"username": "staffer@acme.example",
                                                  "password": PASSWORD})
    assert response.status_code == 200
    response = public_client.post("/ops/login/", {"username": "op@orderline.local",
                                                  "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/ops/"
    # the password alone opens nothing: the second factor first
    response = public_client.get("/ops/")
    assert response.status_code == 302 and response.url.startswith("/ops/2fa/verify/")
    response = public_client.post("/ops/2fa/verify/", {"token": totp_code(), "next": "/ops/"})
    assert response.status_code == 302 and response.url == "/ops/"
    assert public_client.get("/ops/").status_code == 200


def test_ops_console_needs_an_operator(acme, public_client):
    response = public_client.get("/ops/")
    assert response.status_code == 302 and "/ops/login/" in response.url


def test_password_reset_link_works_on_its_own_subdomain_only(acme, globex, django_capture_on_commit_callbacks):
    with tenant_context(acme):
        user = UserFactory(email="forgot@example.com", preferred_language="en")
    with tenant_context(globex):
        UserFactory(email="forgot@example.com")  # same address, another account
    with django_capture_on_commit_callbacks(execute=True):
        response = TenantClient("acme.localhost").post("/password/reset/",
                                                       {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgot@example.com"]
    link = re.search(r"http://acme\.localhost/password/reset/\S+/", message.body).group(0)
    path = link.removeprefix("http://acme.localhost")

    # the same link on globex does nothing
    globex_client = TenantClient("globex.localhost")
    response = globex_client.get(path, follow=True)
    assert b'data-testid="reset-invalid"' in response.content

    client = TenantClient("acme.localhost")
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Brand-new-pass-9",
                                       "new_password2": "Brand-new-pass-9"})
    assert response.status_code == 302
    with tenant_context(acme):
        user.refresh_from_db()
        assert user.check_password("Brand-new-pass-9")
    with tenant_context(globex):
        other = get_user_model().objects.get(email="forgot@example.com")
        assert other.check_password(PASSWORD)


def test_password_reset_for_unknown_address_sends_nothing(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = TenantClient("acme.localhost").post("/password/reset/",
                                                       {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_email_is_in_the_users_language(acme, django_capture_on_commit_callbacks):
    with tenant_context(acme):
        UserFactory(email="zh@example.com", preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        TenantClient("acme.localhost").post("/password/reset/", {"email": "zh@example.com"})
    assert "重置" in mail.outbox[0].subject


def test_change_password(in_acme, acme, acme_client, login_as):
    user = UserFactory()
    login_as(acme_client, acme, user)
    response = acme_client.post("/password/change/", {
        "old_password": PASSWORD, "new_password1": "Another-pass-77",
        "new_password2": "Another-pass-77"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-77")
    assert acme_client.get("/dashboard/").status_code == 200  # still signed in


def test_must_change_password_at_first_login(in_acme, acme_client):
    UserFactory(email="first@acme.example", must_change_password=True)
    response = _post_login(acme_client, "first@acme.example", PASSWORD)
    assert response.url == "/password/change/"


def test_disabled_user_open_session_is_refused(in_acme, acme, acme_client, login_as):
    user = UserFactory()
    login_as(acme_client, acme, user)
    assert acme_client.get("/dashboard/").status_code == 200
    user.is_active = False
    user.save()
    response = acme_client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response.url


def test_login_link_signs_in_once(in_acme, acme_client):
    user = UserFactory()
    token = login_link_make(user=user)
    response = acme_client.get(f"/login/link/{token}/")
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert acme_client.get("/dashboard/").status_code == 200
    second = TenantClient(acme_client.host)
    response = second.get(f"/login/link/{token}/")
    assert response.url == "/login/"
    assert second.get("/dashboard/").status_code == 302


def test_login_link_expires(in_acme, acme_client, settings):
    settings.SIGNUP_LOGIN_LINK_MAX_AGE = -1
    token = login_link_make(user=UserFactory())
    assert acme_client.get(f"/login/link/{token}/").url == "/login/"


def test_login_link_of_acme_does_not_work_on_globex(acme, globex):
    with tenant_context(acme):
        token = login_link_make(user=UserFactory())
    with tenant_context(globex):
        UserFactory()  # a user with possibly the same id exists there
    client = TenantClient("globex.localhost")
    assert client.get(f"/login/link/{token}/").url == "/login/"
    assert client.get("/dashboard/").status_code == 302


def test_login_page_rejects_offsite_next(in_acme, acme_client):
    UserFactory(email="next@acme.example")
    response = acme_client.post("/login/?next=https://evil.example/",
                                {"username": "next@acme.example", "password": PASSWORD,
                                 "next": "https://evil.example/"})
    assert response.url == "/dashboard/"


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(settings, in_acme):
    from django.contrib.auth.hashers import (Argon2PasswordHasher, check_password,
                                             get_hasher, make_password)

    settings.PASSWORD_HASHERS = ["roles.hashers.Argon2Hasher"]
    encoded = make_password("Some-pass-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    # a hash made with Django's default parameters still verifies, and is due an upgrade
    old = Argon2PasswordHasher().encode("Old-pass-2026", Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old
    assert check_password("Old-pass-2026", old)
    assert get_hasher("argon2").must_update(old)
