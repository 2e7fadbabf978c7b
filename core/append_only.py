"""Tables PostgreSQL keeps append-only (the finance ledger, the platform audit log): a
trigger refuses UPDATE and DELETE of a row (and, where asked, TRUNCATE), for everyone,
the application included. For migrations: ``operations(table, message)``."""

from django.db import migrations


def operations(table, message, *, truncate=True):
    """The RunSQL operations that make ``table`` append-only (and undo it)."""
    function = f"{table}_append_only"
    ops = [
        migrations.RunSQL(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  RAISE EXCEPTION '{message}: % refused', TG_OP\n"
            f"    USING ERRCODE = 'insufficient_privilege';\nEND\n$$",
            f"DROP FUNCTION {function}()"),
        migrations.RunSQL(
            f"CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER {function} ON {table}"),
    ]
    if truncate:
        ops.append(migrations.RunSQL(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER {table}_no_truncate ON {table}"))
    return ops
