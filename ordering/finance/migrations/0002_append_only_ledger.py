"""Ledger entries are append-only, enforced by PostgreSQL: UPDATE, DELETE and TRUNCATE of
``finance_entry`` raise. A mistake is undone by a reversal entry."""

from django.db import migrations

from core.append_only import operations


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = operations("finance_entry", "finance ledger entries are append-only")
