"""PostgreSQL's own tools for one tenant schema: ``pg_dump`` of a schema (custom
format), a consistent snapshot to read it with, and the restore of such a dump under
another schema name (through a scratch database, where the schema is renamed and
dumped again, since a dump names its schema in every statement).

Every tool runs as a subprocess with an argument list (never a shell), the connection
settings in its environment (the password never on a command line), and every schema
name checked against django-tenants' rules before it is used; SQL identifiers are
quoted by ``psycopg2.sql``.
"""

import contextlib
import logging
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import psycopg2
from django.db import connection
from django_tenants.postgresql_backend.base import is_valid_schema_name
from psycopg2 import sql

# The public tables that tenant tables have foreign keys to: a scratch database must
# hold them, with their rows, before a tenant dump restores into it.
from tenants.schemas import CITUS_REFERENCE_TABLES
from tenants.exceptions import PgToolError

log = logging.getLogger(__name__)


# tables whose rows never leave in an export (their structure does)
NO_DATA_TABLES = ("django_session", "axes_accessattempt", "axes_accessfailurelog",
                  "axes_accesslog")
TOOL_TIMEOUT = 60 * 60  # seconds; a stuck tool must not hold a worker for ever


def schema_name_check(name):
    """``name`` when it is a valid tenant schema name (not public, not pg_*), else raise."""
    if not isinstance(name, str) or not is_valid_schema_name(name) or name == "public" \
            or name.startswith("pg_"):
        raise PgToolError(f"refusing unexpected schema name {name!r}")
    return name


def _settings():
    return connection.settings_dict


def tool_path(name):
    """The PostgreSQL client tool ``name`` (pg_dump, pg_restore) from PATH."""
    found = shutil.which(name)
    if found is None:
        raise PgToolError(f"{name} is not installed")
    return found


def tool_env(database=None):
    """The environment for a client tool: connection settings as libpq variables."""
    params = _settings()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({"PGHOST": str(params.get("HOST") or ""), "PGPORT": str(params.get("PORT") or ""),
                "PGUSER": str(params.get("USER") or ""),
                "PGDATABASE": database or params["NAME"], "PGCONNECT_TIMEOUT": "10"})
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return {key: value for key, value in env.items() if value != ""}


def run_tool(args, *, database=None):
    """Run a client tool (argument list); its stderr becomes the error when it fails."""
    result = subprocess.run(args, env=tool_env(database), capture_output=True,
                            timeout=TOOL_TIMEOUT, check=False)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise PgToolError(f"{Path(args[0]).name} failed: {message}")
    return result


def tool_version(name="pg_dump"):
    return run_tool([tool_path(name), "--version"]).stdout.decode().strip()


def connect(database=None, *, autocommit=False):
    """A connection of its own (psycopg2) to ``database`` (default: Django's)."""
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)
    params.pop("context", None)
    if database:
        params["dbname"] = database
    raw = psycopg2.connect(**params)
    raw.autocommit = autocommit
    return raw


@contextlib.contextmanager
def snapshot(schema_name):
    """A read-only REPEATABLE READ transaction on a connection of its own, with its
    snapshot exported: yields ``(cursor, snapshot_id)``. ``pg_dump --snapshot`` and
    the cursor then see exactly the same rows."""
    schema_name_check(schema_name)
    raw = connect()
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            yield cursor, snapshot_id
        raw.rollback()
    finally:
        raw.close()


def schema_tables(cursor, schema_name):
    """The ordinary and partitioned tables of a schema with their columns, in order."""
    cursor.execute(
        """SELECT c.relname, array_agg(a.attname ORDER BY a.attnum)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
           GROUP BY c.relname ORDER BY c.relname""", [schema_name])
    return cursor.fetchall()


def row_count(cursor, schema_name, table):
    cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
        sql.Identifier(schema_name), sql.Identifier(table)))
    return cursor.fetchone()[0]


def table_csv(cursor, schema_name, table, columns, out):
    """Write ``columns`` of a table as CSV with a header row (primary key order when it
    has one) to the binary file ``out``."""
    query = sql.SQL("COPY (SELECT {} FROM {}.{} ORDER BY 1) TO STDOUT WITH (FORMAT csv, "
                    "HEADER true, ENCODING 'UTF8')").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.Identifier(schema_name), sql.Identifier(table))
    cursor.copy_expert(query.as_string(cursor), out)


def schema_dump(schema_name, path, *, snapshot_id=None, database=None):
    """``pg_dump -Fc -n <schema>`` into ``path`` (no owners, no grants: it restores
    anywhere). The rows of ``NO_DATA_TABLES`` stay behind: a session key is a signed-in
    user, and sign-in attempts belong to the site that saw them."""
    schema_name_check(schema_name)
    args = [tool_path("pg_dump"), "--format=custom", f"--schema={schema_name}",
            "--no-owner", "--no-privileges", f"--file={path}",
            *(f"--exclude-table-data={schema_name}.{table}" for table in NO_DATA_TABLES)]
    if snapshot_id:
        args.append(f"--snapshot={snapshot_id}")
    run_tool(args, database=database)
    return Path(path)


def dump_schema_name(path):
    """The one schema a custom-format dump holds (read from its table of contents)."""
    listing = run_tool([tool_path("pg_restore"), "--list", str(path)]).stdout.decode()
    for line in listing.splitlines():
        parts = line.split()
        # "123; 2615 16384 SCHEMA - t_acme_1234abcd postgres"
        if len(parts) >= 6 and parts[3] == "SCHEMA" and parts[4] == "-":
            return schema_name_check(parts[5])
    raise PgToolError("the dump holds no schema")


def _scratch_prepare(scratch, work):
    """Give the scratch database what a tenant schema refers to in public: the
    extensions and the referenced tables with their rows."""
    main = connect()
    try:
        with main.cursor() as cursor:
            cursor.execute("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n "
                           "ON n.oid = e.extnamespace WHERE e.extname NOT IN ('plpgsql', 'citus')")
            extensions = cursor.fetchall()
    finally:
        main.close()
    raw = connect(scratch, autocommit=True)
    try:
        with raw.cursor() as cursor:
            for name, schema in extensions:
                cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(schema)))
                cursor.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA {}").format(
                    sql.Identifier(name), sql.Identifier(schema)))
    finally:
        raw.close()
    public = Path(work) / "public-references.dump"
    args = [tool_path("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
            f"--file={public}"]
    args += [f"--table={table}" for table in CITUS_REFERENCE_TABLES]
    run_tool(args)
    run_tool([tool_path("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={scratch}", str(public)], database=scratch)


def dump_restore_as(path, new_schema, *, work):
    """Restore the schema dump ``path`` into Django's database as ``new_schema``.

    The dump goes into a scratch database (named after this one, dropped at the end),
    where its schema is renamed; that schema is dumped again and restored here in one
    transaction. Returns the schema name the dump held."""
    schema_name_check(new_schema)
    old_schema = dump_schema_name(path)
    main_name = _settings()["NAME"]
    scratch = f"{main_name[:40]}_rs_{secrets.token_hex(6)}"
    admin = connect(autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [new_schema])
            if cursor.fetchone():
                raise PgToolError(f"schema {new_schema} exists already")
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'")
                           .format(sql.Identifier(scratch)))
        try:
            _scratch_prepare(scratch, work)
            run_tool([tool_path("pg_restore"), "--no-owner", "--no-privileges",
                      "--exit-on-error", "--single-transaction", f"--dbname={scratch}",
                      str(path)], database=scratch)
            raw = connect(scratch, autocommit=True)
            try:
                with raw.cursor() as cursor:
                    cursor.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        sql.Identifier(old_schema), sql.Identifier(new_schema)))
            finally:
                raw.close()
            renamed = Path(work) / "renamed.dump"
            schema_dump(new_schema, renamed, database=scratch)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(scratch)))
    finally:
        admin.close()
    run_tool([tool_path("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={main_name}", str(renamed)])
    return old_schema


def drop_schema(schema_name):
    """Drop a schema this module restored, on Django's connection (and transaction)."""
    schema_name_check(schema_name)
    connection.ensure_connection()
    statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
        sql.Identifier(schema_name)).as_string(connection.connection)
    with connection.cursor() as cursor:
        cursor.execute(statement)
