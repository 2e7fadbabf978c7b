"""The tenant's finance settings: what happens to an order beyond what the customer may
spend, when finance review passes an order, the bank account dealers transfer to, the
share of the goods the rebate may pay, and the automatic overdue hold."""

from django.utils.translation import gettext as _

from ordering.finance.exceptions import FinanceError
from ordering.settings.enums import FinanceRule, OverLimit
from ordering.settings.services import settings_update

BANK_DETAILS_MAX = 1000


def finance_settings_update(*, actor, credit_over_limit, finance_rule, bank_details,
                            rebate_share, overdue_hold, ip=None):
    """Save them all (needs ``manage_settings``; audited with before and after)."""
    problems = {}
    if credit_over_limit not in OverLimit.values:
        problems["credit_over_limit"] = [_("Choose from the list.")]
    if finance_rule not in FinanceRule.values:
        problems["finance_rule"] = [_("Choose from the list.")]
    bank_details = (bank_details or "").strip()
    if len(bank_details) > BANK_DETAILS_MAX:
        problems["bank_details"] = [_("At most %(n)d characters.") % {"n": BANK_DETAILS_MAX}]
    try:
        rebate_share = int(rebate_share)
    except (TypeError, ValueError):
        rebate_share = -1
    if not 0 <= rebate_share <= 100:
        problems["rebate_share"] = [_("Enter a share from 0 to 100.")]
    if problems:
        raise FinanceError(next(iter(problems.values()))[0], fields=problems)
    row, _before = settings_update(
        actor=actor, action="finance.settings", ip=ip, credit_over_limit=credit_over_limit,
        finance_rule=finance_rule, bank_details=bank_details, rebate_share=rebate_share,
        overdue_hold=bool(overdue_hold))
    return row
