"""Ledger entries are append-only, enforced by PostgreSQL: UPDATE, DELETE and TRUNCATE of
``finance_entry`` raise. A mistake is undone by a reversal entry."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION finance_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'finance ledger entries are append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION finance_entry_append_only()"),
        migrations.RunSQL(
            "CREATE TRIGGER finance_entry_append_only BEFORE UPDATE OR DELETE ON finance_entry "
            "FOR EACH ROW EXECUTE FUNCTION finance_entry_append_only()",
            "DROP TRIGGER finance_entry_append_only ON finance_entry"),
        migrations.RunSQL(
            "CREATE TRIGGER finance_entry_no_truncate BEFORE TRUNCATE ON finance_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION finance_entry_append_only()",
            "DROP TRIGGER finance_entry_no_truncate ON finance_entry"),
    ]
