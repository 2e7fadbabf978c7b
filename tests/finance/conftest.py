"""The finance tests run on the order tests' world (acme, Gold Trading and its dealers)."""

import pytest

from tests.orders.conftest import build_shop, place  # noqa: F401


@pytest.fixture
def shop(in_acme, acme):
    return build_shop(acme)


def finance_rules(*, over_limit=None, rule=None):
    from ordering.settings.services import settings_update

    changes = {}
    if over_limit is not None:
        changes["credit_over_limit"] = over_limit
    if rule is not None:
        changes["finance_rule"] = rule
    settings_update(actor=None, **changes)
