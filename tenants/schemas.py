"""Schema plumbing behind provisioning: the template schema, the warm pool,
and the three ways to get a ready tenant schema (pool, clone, migrate).

Nothing here creates a Tenant row; ``tenants.services`` does.
"""

import functools
import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.utils import timezone
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_tenant_base_schema, schema_exists

from tenants.models import PoolHealth, PoolSchema

log = logging.getLogger(__name__)

POOL_PREFIX = "pool_"


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quote(name):
    """Quote a schema or table name we made ourselves; anything else is refused."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"refusing unexpected SQL identifier {name!r}")
    return connection.ops.quote_name(name)


def tenant_app_labels():
    from django.apps import apps

    labels = set()
    for app in settings.TENANT_APPS:
        for config in apps.get_app_configs():
            if config.name == app:
                labels.add(config.label)
    return labels


@functools.lru_cache(maxsize=1)
def expected_migrations():
    """Every (app, migration) a tenant schema must have applied, from disk."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return frozenset(loader.disk_migrations)


@functools.lru_cache(maxsize=1)
def migrations_fingerprint():
    """A short hash of the migrations on disk; a pool schema built with another is stale."""
    names = sorted(f"{app}.{name}" for app, name in expected_migrations())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:32]


def applied_migrations(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {_quote(schema_name)}.django_migrations")
        return frozenset(cursor.fetchall())


def is_up_to_date(schema_name):
    if not schema_exists(schema_name):
        return False
    return applied_migrations(schema_name) >= expected_migrations()


_WITH_MIGRATIONS_TABLE_SQL = """
SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
 WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
"""
LAG_QUERY_CHUNK = 500  # schemas per statement (one UNION ALL arm each)


def migration_lag(schema_names):
    """``{schema: how many migrations on disk it has not applied}`` for every schema in
    ``schema_names`` that lags (an up-to-date schema is not in the result).

    Two queries whatever the number of schemas (one per 500 schemas past that): which
    schemas have a migrations table, then, for all of them in one statement, how many
    of the expected migrations each lacks. A deploy reads it to migrate only the
    schemas that need it; the operator console's health page shows it."""
    names = sorted(set(schema_names))
    if not names:
        return {}
    expected = sorted(expected_migrations())
    apps, migration_names = [a for a, _n in expected], [n for _a, n in expected]
    with connection.cursor() as cursor:
        cursor.execute(_WITH_MIGRATIONS_TABLE_SQL, [names])
        with_table = sorted(row[0] for row in cursor.fetchall())
        lag = {name: len(expected) for name in names if name not in set(with_table)}
        for start in range(0, len(with_table), LAG_QUERY_CHUNK):
            chunk = with_table[start:start + LAG_QUERY_CHUNK]
            arms = " UNION ALL ".join(
                f"SELECT %s, (SELECT count(*) FROM e WHERE NOT EXISTS (SELECT 1 FROM "
                f"{_quote(name)}.django_migrations m WHERE m.app = e.app AND m.name = e.name))"
                for name in chunk)
            cursor.execute(
                "WITH e(app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) " + arms,
                [apps, migration_names, *chunk])
            lag.update({name: missing for name, missing in cursor.fetchall() if missing})
    return lag


def migrate_schema(schema_name, *, create=True, verbosity=0):
    """Create (optionally) and fully migrate a tenant schema."""
    if create:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {_quote(schema_name)}")
    call_command("migrate_schemas", tenant=True, schema_name=schema_name,
                 interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


# --- Citus -----------------------------------------------------------------------

# Public tables that tenant tables have foreign keys to. Under Citus schema-based
# sharding a tenant (distributed) schema may only point at its own tables or at
# reference tables, so these must be reference tables before the first tenant
# schema is created or distributed (tenant ``auth_permission`` and guardian tables
# point at ``django_content_type``). Referenced tables before the tables that point
# at them.
CITUS_REFERENCE_TABLES = ("public.django_content_type",)


def citus_installed(cursor):
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
    return cursor.fetchone() is not None


def citus_reference_tables_ensure(cursor=None):
    """Make ``CITUS_REFERENCE_TABLES`` Citus reference tables; returns those converted now.

    Does nothing without the ``citus`` extension, and nothing for a table that is a
    reference table already, so it runs on every ``migrate_all`` (after the public
    schema, before any tenant schema) and ``template_ensure``.

    Side effect on Citus: public tables with a foreign key to a converted table
    (``auth_permission``, guardian's tables, ``django_admin_log`` … in ``public``)
    become Citus *local* tables (``citus.enable_local_reference_table_foreign_keys``).
    They stay on the coordinator; only DDL on them goes through Citus.
    """
    if cursor is None:
        with connection.cursor() as own:
            return citus_reference_tables_ensure(own)
    if not citus_installed(cursor):
        return []
    converted = []
    for table in CITUS_REFERENCE_TABLES:
        cursor.execute(
            "SELECT 1 FROM citus_tables WHERE table_name = %s::regclass "
            "AND citus_table_type = 'reference'", [table])
        if cursor.fetchone() is not None:
            continue
        cursor.execute("SELECT create_reference_table(%s)", [table])
        cursor.fetchall()
        log.info("made %s a Citus reference table", table)
        converted.append(table)
    return converted


def template_schema_name():
    return get_tenant_base_schema()


def template_ensure(*, verbosity=0):
    """Create or migrate the template schema that clones are made from."""
    citus_reference_tables_ensure()
    name = template_schema_name()
    exists = schema_exists(name)
    if not exists or migration_lag([name]):  # a deploy with nothing new does nothing
        migrate_schema(name, create=not exists, verbosity=verbosity)
    return name


_UNCLONEABLE_SQL = """
SELECT 'view' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = %(s)s AND c.relkind IN ('v', 'm')
UNION ALL SELECT 'routine' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = %(s)s AND p.prokind <> 'f'
UNION ALL SELECT 'type' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = %(s)s AND t.typtype IN ('e', 'd', 'r', 'm')
UNION ALL SELECT 'policy' FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(s)s
UNION ALL SELECT 'sequence' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = %(s)s AND c.relkind = 'S' AND NOT EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
"""


def uncloneable_objects(source):
    """What ``clone_schema`` cannot reproduce in ``source`` (empty: it can clone it)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNCLONEABLE_SQL, {"s": source})
        return sorted({row[0] for row in cursor.fetchall()})


def clone_schema(source, target):
    """Copy ``source`` to a new schema ``target``: tables, rows, indexes, constraints.

    Handles what tenant schemas hold: tables with identity keys. ``LIKE … INCLUDING
    ALL`` copies columns, defaults, identity, generated columns, checks and indexes;
    rows are copied without generated columns; foreign keys are re-added; identity
    sequences move past the copied rows; functions and triggers (the ledger's
    append-only guard) are recreated from their definitions. Anything else (views,
    procedures, types, policies, free sequences) makes ``template_is_ready()`` false,
    and provisioning migrates instead. Runs in the caller's transaction. (django-tenants'
    generic ``clone_schema()`` SQL function takes ~2.4 s here; this ~70 ms.)

    Citus-safe (deploy/README.md): one SQL statement per ``execute()``, and ``setval``
    only ever gets a literal, read by a query of its own first (Citus sends
    ``setval(…, (SELECT max(id) …))`` to the worker, whose identity range refuses it).
    ``tests/tenants/test_citus_clone.py`` holds the clone path to that.
    """
    q = _quote
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname,
                      array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '')
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
               GROUP BY c.relname ORDER BY c.relname""",
            [source],
        )
        tables = cursor.fetchall()
        # Definitions are read with only the source on the path: its own tables come
        # back unqualified (and so bind to the target below), public ones qualified.
        cursor.execute(f"SET LOCAL search_path TO {q(source)}")
        cursor.execute(
            """SELECT cl.relname, con.conname, pg_get_constraintdef(con.oid)
               FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
               JOIN pg_namespace n ON n.oid = cl.relnamespace
               WHERE n.nspname = %s AND con.contype = 'f' ORDER BY con.conname""",
            [source],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = %s AND is_identity = 'YES'
               ORDER BY table_name, column_name""",
            [source],
        )
        identities = cursor.fetchall()
        cursor.execute(
            """SELECT pg_get_functiondef(p.oid) FROM pg_proc p
               JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = %s AND p.prokind = 'f' ORDER BY p.proname""",
            [source],
        )
        functions = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT pg_get_triggerdef(t.oid, true) FROM pg_trigger t
               JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY t.tgname""",
            [source],
        )
        triggers = [row[0] for row in cursor.fetchall()]

        cursor.execute(f"CREATE SCHEMA {q(target)}")
        for table, columns in tables:
            cursor.execute(
                f"CREATE TABLE {q(target)}.{q(table)} (LIKE {q(source)}.{q(table)} INCLUDING ALL)")
            names = ", ".join(q(c) for c in columns)
            cursor.execute(
                f"INSERT INTO {q(target)}.{q(table)} ({names}) OVERRIDING SYSTEM VALUE "
                f"SELECT {names} FROM {q(source)}.{q(table)}")
        _restore_index_names(cursor, source, target)

        cursor.execute(f"SET LOCAL search_path TO {q(target)}, public")
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {q(target)}.{q(table)} ADD CONSTRAINT {q(name)} {definition}")
        # A function's definition always names its schema; a trigger's names what the
        # source-only path did not make visible (nothing of the source's own).
        qualified = re.compile(rf"^(CREATE OR REPLACE FUNCTION ){re.escape(q(source))}\.|"
                               rf"^(CREATE OR REPLACE FUNCTION ){re.escape(source)}\.")
        for definition in functions:
            cursor.execute(qualified.sub(lambda m: (m.group(1) or m.group(2)) + f"{q(target)}.",
                                         definition, count=1))
        for definition in triggers:
            cursor.execute(definition)  # binds to the target's table and function
        if identities:
            _identities_move_past_rows(cursor, target, identities)
    # django-tenants sets its own search_path again on the next cursor.
    connection.set_schema_to_public()


def _identities_move_past_rows(cursor, schema, identities):
    """Point each identity sequence past its table's rows: one query reads every
    max(), then ``setval`` gets each as a literal. Empty tables keep their fresh
    sequence."""
    q = _quote
    cursor.execute(" UNION ALL ".join(
        f"SELECT {number}, max({q(column)})::bigint FROM {q(schema)}.{q(table)}"
        for number, (table, column) in enumerate(identities)))
    for number, top in cursor.fetchall():
        if top is None:
            continue
        table, column = identities[number]
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                       [f"{q(schema)}.{q(table)}", column, top + 1])


_INDEXES_SQL = r"""
SELECT n.nspname, ci.relname,
       regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX \S+ ON \S+ ',
                      'CREATE \1INDEX ON ' || ct.relname || ' ')
FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid JOIN pg_namespace n ON n.oid = ct.relnamespace
WHERE n.nspname IN (%s, %s) ORDER BY ci.relname
"""


def _restore_index_names(cursor, source, target):
    """``LIKE … INCLUDING ALL`` names the copied indexes (and the unique and primary-key
    constraints they back) after the table. Give them the source's names back, so
    later migrations that drop or alter an index or constraint by name work on cloned
    tenants exactly as on migrated ones. One ``ALTER INDEX`` per statement."""
    q = _quote
    cursor.execute(_INDEXES_SQL, [source, target])
    wanted, have = {}, {}
    for schema, name, definition in cursor.fetchall():
        (wanted if schema == source else have).setdefault(definition, []).append(name)
    renames = []
    for definition, names in wanted.items():
        for old, new in zip(have.get(definition, []), names):
            if old != new:
                renames.append((old, new))
    # A name some index in the target still holds goes through a temporary name,
    # so that swapping two names never collides; the rest are renamed directly.
    taken = {name for names in have.values() for name in names}
    parked = [(old, new) for old, new in renames if new in taken]
    for number, (old, _new) in enumerate(parked):
        cursor.execute(f"ALTER INDEX {q(target)}.{q(old)} RENAME TO {q(f'ol_tmp_{number}')}")
    for old, new in renames:
        if new not in taken:
            cursor.execute(f"ALTER INDEX {q(target)}.{q(old)} RENAME TO {q(new)}")
    for number, (_old, new) in enumerate(parked):
        cursor.execute(f"ALTER INDEX {q(target)}.{q(f'ol_tmp_{number}')} RENAME TO {q(new)}")


def clone_template(schema_name):
    """Copy the template schema (tables, rows, migration history) under a new name."""
    clone_schema(template_schema_name(), schema_name)


def template_is_ready():
    """The template is migrated to the code's migrations and holds only what clones copy."""
    name = template_schema_name()
    if not is_up_to_date(name):
        return False
    blockers = uncloneable_objects(name)
    if blockers:
        log.warning("template schema holds %s: tenants are migrated, not cloned", blockers)
        return False
    return True


# --- warm pool ---------------------------------------------------------------------


def pool_take(schema_name):
    """Rename a ready pool schema to ``schema_name``; False when the pool is empty.

    Must run inside the caller's transaction: the pool row is locked with
    SKIP LOCKED, so concurrent signups never take the same schema.
    """
    while True:
        entry = (
            PoolSchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=migrations_fingerprint())
            .order_by("created_at")
            .first()
        )
        if entry is None:
            return False
        if schema_exists(entry.schema_name):
            break
        log.warning("pool row %s has no schema; dropping it", entry.schema_name)
        entry.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {_quote(entry.schema_name)} RENAME TO {_quote(schema_name)}")
    entry.delete()
    return True


def pool_ready_count():
    return PoolSchema.objects.filter(fingerprint=migrations_fingerprint()).count()


def pool_discard_stale():
    """Drop pool schemas built with other migrations than those on disk."""
    stale = list(PoolSchema.objects.exclude(fingerprint=migrations_fingerprint()))
    for entry in stale:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(entry.schema_name)} CASCADE")
            entry.delete()
    return len(stale)


def pool_add_one():
    """Build one pool schema (clone when the template is ready, else migrate)."""
    name = f"{POOL_PREFIX}{uuid.uuid4().hex[:16]}"
    with transaction.atomic():
        if template_is_ready():
            clone_template(name)
        else:
            migrate_schema(name)
        PoolSchema.objects.create(schema_name=name, fingerprint=migrations_fingerprint())
    return name


def pool_fill(size):
    """Bring the pool to ``size`` ready schemas; returns how many were added."""
    pool_discard_stale()
    added = 0
    while pool_ready_count() < size:
        pool_add_one()
        added += 1
    return added


def pool_refill(size):
    """``pool_fill`` that records its outcome in ``PoolHealth`` (the health page reads it).

    A failure is logged, recorded with the pool's size at that moment, and raised
    again; the next successful refill clears it.
    """
    try:
        added = pool_fill(size)
    except Exception as exc:
        log.exception("warm pool refill failed")
        _pool_health_record(size, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _pool_health_record(size)
    return added


def _pool_health_record(size, *, error=""):
    now = timezone.now()
    try:
        with transaction.atomic():
            ready = pool_ready_count()
    except DatabaseError:
        ready = 0
    try:
        with transaction.atomic():
            health = PoolHealth.objects.select_for_update().filter(pk=1).first()
            if health is None:
                health = PoolHealth(pk=1)
            health.refilled_at, health.error = now, error
            health.ready, health.target = ready, size
            if error:
                health.failing_since = health.failing_since or now
            else:
                health.failing_since, health.succeeded_at = None, now
            health.save()
    except DatabaseError:
        # The database itself may be what failed; the log line above still says so.
        log.exception("could not record the warm pool's health")


def pool_drain():
    """Drop every pool schema (used by tests and `tenant_pool --size 0`)."""
    for entry in PoolSchema.objects.all():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(entry.schema_name)} CASCADE")
        entry.delete()
