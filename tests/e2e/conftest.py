"""Browser tests: Playwright driving Debian's Chromium against a live server.

The server is Django's LiveServerThread on 127.0.0.1; Chromium resolves every
``*.localhost`` name to loopback itself, so ``http://acme.localhost:<port>/``
reaches it without a hosts file. Data is committed (no rollback) and each test
uses fresh e-mails and subdomains.
"""

import os
import shutil

import pytest
from django.db import connection

from tests.conftest import live_server_port

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is required for the browser tests "
                    "(`make test` installs it: apt-get install chromium)", pytrace=False)
    return path


def sign_in(page, live, email, password, slug="acme"):
    """Sign in on a tenant's /login/ page (staff and dealers alike)."""
    page.goto(live.tenant(slug, "/login/"))
    page.get_by_label("E-mail or mobile phone").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-form").get_by_role("button", name="Sign in").click()


_SIGN_INS = {}


def ops_sign_in(page, live, email, password):
    """Sign an operator in on /ops/login/ with the password and the code from the
    authenticator every ``OperatorFactory`` operator has. A code is good once: the
    operator's second sign-in in a test types the next one (the device allows one step
    of clock drift)."""
    from tests.factories.users import totp_code

    offset = _SIGN_INS[email] = _SIGN_INS.get(email, -1) + 1
    page.goto(live.url(path="/ops/login/"))
    page.get_by_label("E-mail or mobile phone").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-form").get_by_role("button", name="Sign in").click()
    page.get_by_test_id("totp-verify-form").get_by_role("textbox").fill(
        totp_code(offset=offset))
    page.get_by_test_id("totp-verify").click()


class Server:
    def __init__(self, port):
        self.port = port

    def url(self, host="localhost", path="/"):
        return f"http://{host}:{self.port}{path}"

    def tenant(self, slug, path="/"):
        return self.url(f"{slug}.localhost", path)


@pytest.fixture(scope="session")
def live(django_db_setup, django_db_blocker):
    with live_server_port(django_db_blocker) as port:
        yield Server(port)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def committed(django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()


@pytest.fixture
def page(browser, live, committed):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live, committed):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()
