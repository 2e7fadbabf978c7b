"""What a dealer sees of its money on its account page, in both languages."""

from decimal import Decimal

from django.utils import translation
from tests.conftest import TenantClient

from ordering.finance.enums import AccountKind
from ordering.finance.services import ledger
from ordering.finance.services.orders import credit_terms_update
from tests.finance.conftest import place


def _page(acme, login_as, user, language="en"):
    client = login_as(TenantClient("acme.localhost"), acme, user)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    with translation.override(language):
        return client.get("/shop/account/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_account_page_shows_balances_and_what_may_be_spent(shop, acme, login_as):
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="300", reason="Top-up")
    ledger.rebate_grant(actor=None, customer=shop.customer, amount="20", reason="Q3")
    shop.customer.credit_limit = Decimal("1000")
    shop.customer.save(update_fields=["credit_limit"])
    place(shop)  # owes 95.00
    page = _page(acme, login_as, shop.dana.user)
    assert 'data-testid="account-balances"' in page
    for testid, amount in (("balance-prepaid", "300.00"), ("balance-rebate", "20.00"),
                           ("balance-owed", "95.00"), ("balance-credit", "905.00"),
                           ("balance-available", "1,225.00")):
        start = page.index(f'data-testid="{testid}"')
        assert amount in page[start:start + 80], testid
    assert 'data-testid="balance-hold"' not in page
    credit_terms_update(actor=None, customer=shop.customer, on_hold=True, hold_reason="Overdue")
    chinese = _page(acme, login_as, shop.dana.user, language="zh-hans")
    assert "预存款" in chinese and "返利余额" in chinese and "可用额度" in chinese
    assert 'data-testid="balance-hold"' in chinese and "信用冻结" in chinese


def test_another_company_sees_only_its_own_money(shop, acme, login_as):
    ledger.adjustment_post(actor=None, customer=shop.customer, account_kind=AccountKind.PREPAID,
                           amount="777", reason="Top-up")
    page = _page(acme, login_as, shop.olga.user)
    start = page.index('data-testid="balance-prepaid"')
    assert "0.00" in page[start:start + 80] and "777" not in page
