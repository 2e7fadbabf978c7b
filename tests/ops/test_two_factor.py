"""Operators' two-factor sign-in and operator accounts: a password alone opens nothing
but enrolment; an authenticator is enrolled by QR code with backup codes; wrong codes
are refused and slow the next tries; operator admins invite, change roles, disable
(sessions end) and reset a lost second factor; every step is in the audit log."""

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared.models import OperatorProfile, OperatorRole, PlatformAudit
from tests.conftest import TenantClient
from tests.factories import PASSWORD
from tests.factories.users import operator_login, operator_with_role, totp_code

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ("/ops/", "/ops/health/", "/ops/plans/", "/ops/audit/", "/ops/billing/drift/",
                 "/ops/operators/", "/password/change/")


def _password_only(email):
    client = TenantClient("localhost")
    response = client.post("/ops/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _operator(role=OperatorRole.ADMIN, **values):
    return operator_with_role(role, **values)


def test_without_an_authenticator_every_page_leads_to_enrolment(acme):
    user = _operator(email="new@orderline.local", two_factor=False)
    client = _password_only(user.email)
    for path in CONSOLE_PAGES + (f"/ops/tenants/{acme.pk}/",):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/ops/2fa/"), path
        assert "verify" not in response.url
    assert client.post(f"/ops/tenants/{acme.pk}/", {"action": "suspend",
                                                     "suspend-reason": "x"}).status_code == 302
    page = client.get("/ops/2fa/").content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get("/ops/2fa/").content.decode().count(device.config_url.split("secret=")[1]
                                                          .split("&")[0]) >= 1  # same key
    wrong = client.post("/ops/2fa/", {"token": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    done = client.post("/ops/2fa/", {"token": totp_code(device.key), "next": "/ops/"})
    codes = re.findall(r"<li>([a-z0-9]+)</li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/ops/").status_code == 200
    assert PlatformAudit.objects.filter(action="operator.2fa_enrol",
                                        operator_email=user.email).exists()


def test_an_enrolled_operator_types_a_code_or_a_backup_code_once(acme):
    user = _operator(email="op@orderline.local", two_factor=False)
    enrol = _password_only(user.email)
    enrol.get("/ops/2fa/")
    key = TOTPDevice.objects.get(user=user).key
    page = enrol.post("/ops/2fa/", {"token": totp_code(key)}).content.decode()
    backup = re.findall(r"<li>([a-z0-9]+)</li>", page)[0]

    client = _password_only(user.email)
    response = client.get("/ops/health/")
    assert response.url == "/ops/2fa/verify/?next=%2Fops%2Fhealth%2F"
    assert client.post("/ops/2fa/verify/", {"token": "000000"}).status_code == 400
    assert client.get("/ops/").status_code == 302
    with_backup = client.post("/ops/2fa/verify/", {"token": backup, "next": "/ops/health/"})
    assert with_backup.status_code == 302 and with_backup.url == "/ops/health/"
    assert client.get("/ops/health/").status_code == 200
    again = _password_only(user.email)
    assert again.post("/ops/2fa/verify/", {"token": backup}).status_code == 400  # used up
    assert PlatformAudit.objects.filter(action="operator.backup_code_used").count() == 1


def test_wrong_codes_slow_the_next_tries_down(db):
    user = _operator(email="slow@orderline.local")
    client = _password_only(user.email)
    for _attempt in range(3):
        client.post("/ops/2fa/verify/", {"token": "000000"})
    refused = client.post("/ops/2fa/verify/", {"token": totp_code()})
    assert refused.status_code == 400 and "Too many wrong codes" in refused.content.decode()
    assert client.get("/ops/").status_code == 302


def test_the_verify_page_never_sends_anyone_off_site(db):
    user = _operator(email="next@orderline.local")
    client = _password_only(user.email)
    response = client.post("/ops/2fa/verify/", {"token": totp_code(),
                                                "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/ops/"


def test_a_tenant_host_never_looks_for_an_operators_device(acme, acme_client, login_as,
                                                           django_assert_max_num_queries):
    from django_tenants.utils import tenant_context

    from tests.factories import UserFactory

    with tenant_context(acme):
        staff = UserFactory(email="ops-twin@acme.example")
    login_as(acme_client, acme, staff)
    assert acme_client.get("/ops/2fa/").status_code == 404


def test_operator_admins_invite_and_the_invited_enrol_at_first_sign_in(
        mailoutbox, django_capture_on_commit_callbacks):
    admin = _operator()
    client = operator_login(TenantClient("localhost"), admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ops/operators/", {"email": "Sam@Orderline.local",
                                                   "name": "Sam", "role": "support"})
    assert response.status_code == 302
    sam = get_user_model().objects.get(email="sam@orderline.local")
    assert sam.kind == "operator" and OperatorProfile.objects.get(user=sam).role == "support"
    link = re.search(r"https?://\S+/ops/password/reset/\S+/", mailoutbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    visitor = TenantClient("localhost")
    form = visitor.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = visitor.post(set_url, {"new_password1": "Chosen-pass-2026",
                                  "new_password2": "Chosen-pass-2026"})
    assert done.status_code == 302 and done.url == "/ops/login/"
    signed = visitor.post("/ops/login/", {"username": "sam@orderline.local",
                                          "password": "Chosen-pass-2026"})
    assert signed.status_code == 302
    assert visitor.get("/ops/").url.startswith("/ops/2fa/")
    assert PlatformAudit.objects.filter(action="operator.invite",
                                        after__email="sam@orderline.local").exists()


def test_a_disabled_operators_sessions_end_and_a_reset_asks_for_enrolment_again(db):
    admin = _operator()
    other = _operator(OperatorRole.SUPPORT, email="other@orderline.local")
    admin_client = operator_login(TenantClient("localhost"), admin)
    other_client = operator_login(TenantClient("localhost"), other)
    assert other_client.get("/ops/").status_code == 200
    response = admin_client.post(f"/ops/operators/{other.pk}/", {"action": "reset_2fa",
                                                                 "reason": "lost phone"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert other_client.get("/ops/").url.startswith("/ops/login/")  # session ended
    again = _password_only(other.email)
    assert again.get("/ops/").url.startswith("/ops/2fa/")
    assert "verify" not in again.get("/ops/").url

    other_client = operator_login(TenantClient("localhost"), other)
    admin_client.post(f"/ops/operators/{other.pk}/", {"action": "disable", "reason": "left"})
    other.refresh_from_db()
    assert not other.is_active
    assert other_client.get("/ops/").url.startswith("/ops/login/")
    refused = TenantClient("localhost").post("/ops/login/", {"username": other.email,
                                                             "password": PASSWORD})
    assert refused.status_code == 200
    assert {a.action for a in PlatformAudit.objects.filter(reason__in=["lost phone", "left"])} \
        == {"operator.2fa_reset", "operator.disable"}


def test_the_last_operator_admin_stays(db):
    admin = _operator()
    client = operator_login(TenantClient("localhost"), admin)
    _operator(OperatorRole.SUPPORT)
    get_user_model().objects.filter(kind="operator").exclude(
        pk__in=OperatorProfile.objects.values("user")).update(is_active=False)
    from shared.accounts import operator_role_change
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        operator_role_change(operator=admin, user=admin, role=OperatorRole.SUPPORT)
    response = client.post(f"/ops/operators/{admin.pk}/", {"action": "disable", "reason": "x"})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.FINANCE])
def test_only_operator_admins_manage_operators(db, role):
    target = _operator(OperatorRole.SUPPORT, email="target@orderline.local")
    client = operator_login(TenantClient("localhost"), _operator(role))
    assert client.get("/ops/operators/").status_code == 403
    assert client.post("/ops/operators/", {"email": "x@orderline.local",
                                           "role": "admin"}).status_code == 403
    assert client.post(f"/ops/operators/{target.pk}/", {"action": "role",
                                                        "role": "admin"}).status_code == 403
    assert OperatorProfile.objects.get(user=target).role == OperatorRole.SUPPORT
    assert 'data-testid="nav-operators"' not in client.get("/ops/").content.decode()


def test_repeated_wrong_passwords_lock_the_operator_sign_in_out(db, settings):
    user = _operator(email="locked@orderline.local")
    client = TenantClient("localhost")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/ops/login/", {"username": user.email, "password": "guess"})
    response = client.post("/ops/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429 and b'data-testid="locked-out"' in response.content
    assert "_auth_user_id" not in client.session


def test_an_operator_admin_sends_an_operator_a_password_link(
        mailoutbox, django_capture_on_commit_callbacks):
    admin = _operator()
    other = _operator(OperatorRole.SUPPORT, email="forgot@orderline.local")
    client = operator_login(TenantClient("localhost"), admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ops/operators/{other.pk}/", {"action": "password_link"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == [other.email]
    assert re.search(r"https?://\S+/ops/password/reset/\S+/", mailoutbox[-1].body)
    assert PlatformAudit.objects.filter(action="operator.password_link",
                                        after__email=other.email).exists()
