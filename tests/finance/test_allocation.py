"""A rebate (or any amount) spread over an order's lines exactly: shares in proportion
to the lines, the cents left over to the largest line, never more than a line's amount;
and the ledger's append-only guard survives cloning the template into a new tenant."""

import uuid
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import given, settings, strategies as st

from ordering.finance.allocation import allocate


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(st.integers(min_value=0, max_value=10_000_000).map(lambda n: D(n) / 100),
                      min_size=1, max_size=30),
       share=st.integers(min_value=0, max_value=100))
def test_property_rebate_line_shares_add_up_to_the_rebate(lines, share):
    total = sum(lines, D("0"))
    amount = (total * share / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
    shares = allocate(amount, lines)
    assert sum(shares, D("0")) == amount
    assert all(s >= 0 for s in shares)
    assert all(s <= line for s, line in zip(shares, lines))


def test_the_cents_left_go_to_the_largest_line():
    assert allocate(D("10.00"), [D("30"), D("30"), D("40")]) == [D("3.00"), D("3.00"),
                                                                D("4.00")]
    assert allocate(D("0.01"), [D("1"), D("2"), D("2")]) == [D("0.00"), D("0.01"), D("0.00")]
    with pytest.raises(ValueError):
        allocate(D("5"), [D("1"), D("2")])


def test_a_cloned_tenant_keeps_the_append_only_guard(db):
    from django_tenants.utils import schema_context

    from tenants import schemas

    schemas.template_ensure()
    assert schemas.uncloneable_objects(schemas.template_schema_name()) == []
    target = f"t_ledger_clone_{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        schemas.clone_schema(schemas.template_schema_name(), target)
        with schema_context(target), connection.cursor() as cursor:
            cursor.execute("""SELECT tgname FROM pg_trigger t
                              JOIN pg_class c ON c.oid = t.tgrelid
                              JOIN pg_namespace n ON n.oid = c.relnamespace
                              JOIN pg_proc p ON p.oid = t.tgfoid
                              WHERE c.relname = 'finance_entry' AND NOT t.tgisinternal
                                AND p.pronamespace = c.relnamespace AND n.nspname = %s""",
                           [target])
            assert sorted(row[0] for row in cursor.fetchall()) == [
                "finance_entry_append_only", "finance_entry_no_truncate"]
            # the template's ledger is empty, so the statement-level guard shows it: the
            # copy's trigger calls the copy's function
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'TRUNCATE "{target}".finance_entry CASCADE')
        transaction.set_rollback(True)
