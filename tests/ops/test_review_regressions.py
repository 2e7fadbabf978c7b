"""Adversarial review of the operator console's new security features (2FA, operator
accounts, support sessions, export/restore/deletion, metrics). Each test states a claim
the code makes and fails while the claim does not hold."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from roles.models import ApiKey
from shared import accounts
from shared.models import Impersonation, OperatorRole
from tenants import pgtools
from tests.conftest import TenantClient
from tests.factories import PASSWORD
from tests.factories.users import operator_with_role, totp_code

# no module-wide django_db mark: the committed_db tests must really commit (threads,
# pg_dump); the others ask for the database through their fixtures (acme, db).

CUSTOMER = {"name": "Made in a support session", "payment_terms": "prepaid"}


def _open(acme, operator, reason="Ticket 4711"):
    """A support session on acme's host as its owner (the link consumed)."""
    from tests.ops.test_impersonation import _open as opened

    return opened(acme, operator, reason=reason)


def _operator(role=OperatorRole.ADMIN, **values):
    return operator_with_role(role, **values)


def _owner(acme):
    from tests.ops.test_impersonation import _owner as owner

    return owner(acme)


def _customers(acme, name=CUSTOMER["name"]):
    from ordering.customers.models import Customer

    with tenant_context(acme):
        return Customer.objects.filter(name=name).count()


# --- support sessions -------------------------------------------------------------------


def test_a_support_session_cannot_mint_an_api_key_through_the_api(acme):
    """Claim: never the user's API keys, even with changes allowed. The middleware only
    refuses /dashboard/api-keys/; POST /api/v1/api-keys/ (session auth) mints a key that
    outlives the 30-minute session and is not bound to it."""
    client = _open(acme, _operator())
    client.post("/impersonate/writes/", {"reason": "fixing settings"})
    owner = _owner(acme)
    with tenant_context(acme):
        before = ApiKey.objects.count()
    response = client.post("/api/v1/api-keys/", {"name": "support", "user": owner.pk},
                           content_type="application/json")
    with tenant_context(acme):
        minted = ApiKey.objects.count() - before
    assert response.status_code == 403 and minted == 0, (
        response.status_code, response.content.decode()[:300])


def test_disabling_an_operator_ends_their_open_support_session(acme):
    """Claim: disabling an operator ends their sessions. Their support session on a
    tenant's host is a tenant session for the staff user, untouched by the operator's
    security stamp: it keeps working (with changes allowed) until it times out."""
    operator, admin = _operator(), _operator()
    client = _open(acme, operator)
    client.post("/impersonate/writes/", {"reason": "fixing settings"})
    accounts.operator_set_active(operator=admin, user=operator, active=False,
                                 reason="left the company")
    response = client.post("/dashboard/customers/new/", CUSTOMER)
    assert _customers(acme) == 0, "a disabled operator still changes the tenant's data"
    assert response.status_code in (302, 403)
    assert Impersonation.objects.get().ended_at is not None


def test_demoting_an_operator_takes_back_changes_in_their_open_session(acme):
    """Claim: only roles with impersonate_write may change data. The role is checked
    once, when changes are allowed; an admin demoted to support keeps writing."""
    operator, admin = _operator(), _operator()
    client = _open(acme, operator)
    client.post("/impersonate/writes/", {"reason": "fixing settings"})
    accounts.operator_role_change(operator=admin, user=operator, role=OperatorRole.SUPPORT)
    client.post("/dashboard/customers/new/", CUSTOMER)
    assert _customers(acme) == 0, "a support operator still writes in the session"


def test_signing_out_of_a_support_session_ends_it_in_both_audit_logs(acme):
    """Claim: every session's end is audited. /logout/ (allowed even read-only) flushes
    the session but leaves the Impersonation row open; the beat task later records it as
    ended at expires_at, 30 minutes after the operator really left."""
    client = _open(acme, _operator())
    assert client.post("/logout/").status_code == 302
    row = Impersonation.objects.get()
    assert row.ended_at is not None, "the session is still open after sign-out"


def test_a_read_only_session_does_not_change_the_users_language(acme):
    """Claim: read-only until the second step. POST /i18n/language/ is let through
    read-only and stores the impersonated user's preferred_language."""
    owner = _owner(acme)
    target = "en" if owner.preferred_language == "zh-hans" else "zh-hans"
    client = _open(acme, _operator())
    client.post("/i18n/language/", {"language": target})
    assert _owner(acme).preferred_language == owner.preferred_language


# --- operators' second factor and accounts ---------------------------------------------


def test_the_second_factor_rotates_the_session_key(db):
    """A session key known before the code was typed (the password-only session) must
    not become a fully verified console session: django-otp's login() does not cycle it."""
    user = _operator()
    client = TenantClient("localhost")
    assert client.post("/ops/login/", {"username": user.email,
                                       "password": PASSWORD}).status_code == 302
    half = client.cookies["sessionid"].value
    assert client.post("/ops/2fa/verify/", {"token": totp_code()}).status_code == 302
    assert client.get("/ops/").status_code == 200
    assert client.cookies["sessionid"].value != half, "the session key was not rotated"


def test_two_admins_demoting_each_other_at_once_leave_an_admin(committed_db):
    """Claim: the last admin cannot be removed, even by two admins removing each other
    at the same moment. ``_last_admin`` locks every active operator before it counts,
    so a second check waits for the first transaction (shown here with a lock timeout:
    whatever other operators this database holds) and then reads its outcome."""
    from django.db import OperationalError

    a, b = _operator(), _operator()
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                accounts._last_admin(a)
                holding.set()
                release.wait(20)
        finally:
            connection.close()

    def second():
        holding.wait(20)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                accounts._last_admin(b)
            outcome["waited"] = False
        except OperationalError:
            outcome["waited"] = True
        finally:
            release.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        get_user_model().objects.filter(pk__in=[a.pk, b.pk]).delete()
    assert outcome == {"waited": True}, "the second check did not wait for the first"


# --- export ------------------------------------------------------------------------------


def test_a_tenant_export_holds_no_live_session_keys(committed_db, tmp_path):
    """Claim: export files are private (finance may export, but not impersonate). The
    export's database.dump is ``pg_dump -n <schema>`` with every table's data, so it
    holds django_session: the cookie value of every signed-in staff member and dealer,
    i.e. un-audited access as any of them."""
    from django.contrib.sessions.backends.db import SessionStore
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    owner = _owner(acme)
    with tenant_context(acme):
        store = SessionStore()
        store["_auth_user_id"] = str(owner.pk)
        store["_auth_user_backend"] = "roles.backends.EmailBackend"
        store.create()
        key = store.session_key
    try:
        dump = pgtools.schema_dump(acme.schema_name, tmp_path / "database.dump")
        data = pgtools.run_tool([pgtools.tool_path("pg_restore"), "--data-only",
                                 "--table=django_session", "-f", "-", str(dump)])
        text = data.stdout.decode()
    finally:
        with tenant_context(acme):
            store.delete(key)
    assert key not in text, "the export's dump carries a live session key"


# --- metrics -----------------------------------------------------------------------------


def test_metrics_quote_schema_names_as_identifiers(db):
    """order_counts builds its UNION ALL with ``connection.ops.quote_name``, which does
    not escape a double quote (and leaves a name already in quotes as is): a schema name
    is spliced into the SQL. psycopg2.sql.Identifier (as tenants.pgtools does) is safe."""
    from shared.metrics import order_counts

    name = 'odd"schema'
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "odd""schema"')
        cursor.execute('CREATE TABLE "odd""schema".orders_order '
                       "(id int, created_at timestamptz)")
        cursor.execute('INSERT INTO "odd""schema".orders_order VALUES (1, now())')
    try:
        with transaction.atomic():
            counts = order_counts([name], since=timezone.now() - datetime.timedelta(days=30),
                                  tz_name="UTC")
    except DatabaseError as exc:
        pytest.fail(f"a schema name broke the metrics statement: {exc}")
    assert counts[name]["total"] == 1
