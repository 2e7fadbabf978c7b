"""Numbers for people (customer codes, later order numbers) from a table's own
identity sequence.

A sequence hands out numbers without locks and without taking part in transactions:
a long import that generates codes never blocks a dealer applying at the same time,
and a rolled-back insert only leaves a gap. (A counter row updated in the transaction
would be locked until the import commits.) Identity sequences also survive cloning
the template schema, which free sequences would not.
"""

from django.db import connection


def next_id(model):
    """Reserve the next primary key of ``model`` in the current schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))",
                       [connection.ops.quote_name(model._meta.db_table),
                        model._meta.pk.column])
        return cursor.fetchone()[0]


def next_day_number(counter_model, prefix):
    """``<prefix>-YYYYMMDD-NNNN``: the day's next number from ``counter_model`` (a table
    of ``day`` → ``last``). The counter row stays locked until the caller's transaction
    commits, so the numbers of a day have no gaps (orders, inquiries)."""
    from django.utils import timezone

    day = timezone.localdate()
    table = connection.ops.quote_name(counter_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (day, last) VALUES (%s, 1) ON CONFLICT (day) "
                       f"DO UPDATE SET last = {table}.last + 1 RETURNING last", [day])
        number = cursor.fetchone()[0]
    return f"{prefix}-{day:%Y%m%d}-{number:04d}"
