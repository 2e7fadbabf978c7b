"""An administrator invites an order reviewer, who sets a password and signs in."""

import re
import uuid

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_admin_invites_an_order_reviewer_who_sees_only_their_part(page, browser, live):
    from tests.conftest import OWNER_PASSWORD

    email = f"reviewer-{uuid.uuid4().hex[:6]}@acme.example"
    sign_in(page, live, "owner@acme.example", OWNER_PASSWORD)
    page.wait_for_url(live.tenant("acme", "/dashboard/"))
    nav = page.get_by_test_id("dashboard-nav")
    nav.get_by_role("link", name="Staff").click()
    page.get_by_test_id("invite-staff").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Name").fill("Rita Reviewer")
    page.get_by_label("Order reviewer").check()
    outbox_before = len(mail.outbox)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("member-status")).to_have_text("Active")
    expect(page.locator(".alert-success")).to_contain_text(email)

    message = next(m for m in mail.outbox[outbox_before:] if m.to == [email])
    link = re.search(r"http://acme\.localhost:\d+/password/reset/\S+/", message.body).group(0)

    invitee = browser.new_context(locale="en-US").new_page()
    invitee.goto(link)
    invitee.get_by_label("New password", exact=True).fill("Rita-pass-2026")
    invitee.get_by_label("New password confirmation").fill("Rita-pass-2026")
    invitee.get_by_role("button", name="Set my password").click()
    expect(invitee.locator("h1")).to_contain_text("Your password has been set")
    sign_in(invitee, live, email, "Rita-pass-2026")
    invitee.wait_for_url(live.tenant("acme", "/dashboard/"))
    nav = invitee.get_by_test_id("dashboard-nav")
    expect(nav).to_contain_text("Home")
    for hidden in ("Staff", "Roles", "Audit log", "API keys", "Company profile", "Subscription"):
        expect(nav).not_to_contain_text(hidden)
    invitee.goto(live.tenant("acme", "/dashboard/staff/"))
    expect(invitee.get_by_test_id("forbidden")).to_be_visible()
    invitee.context.close()
