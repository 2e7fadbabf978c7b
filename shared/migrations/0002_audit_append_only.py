"""The platform audit log is append-only, enforced by PostgreSQL: UPDATE and DELETE of
``shared_platformaudit`` rows raise. (TRUNCATE is left to the database owner: the test
suite's flush of the public schema uses it.)"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION shared_platformaudit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the platform audit log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("shared", "0001_operators_and_audit")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION shared_platformaudit_append_only()"),
        migrations.RunSQL(
            "CREATE TRIGGER shared_platformaudit_append_only BEFORE UPDATE OR DELETE ON "
            "shared_platformaudit FOR EACH ROW EXECUTE FUNCTION "
            "shared_platformaudit_append_only()",
            "DROP TRIGGER shared_platformaudit_append_only ON shared_platformaudit")
    ]
