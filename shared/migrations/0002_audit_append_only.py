"""The platform audit log is append-only, enforced by PostgreSQL: UPDATE and DELETE of
``shared_platformaudit`` rows raise. (TRUNCATE is left to the database owner: the test
suite's flush of the public schema uses it.)"""

from django.db import migrations

from core.append_only import operations


class Migration(migrations.Migration):
    dependencies = [("shared", "0001_operators_and_audit")]

    operations = operations("shared_platformaudit", "the platform audit log is append-only",
                            truncate=False)
