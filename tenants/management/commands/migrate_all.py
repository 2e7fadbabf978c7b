"""``manage.py migrate_all``: what a deploy runs.

Public first, then Citus reference tables (with Citus), then only the tenant schemas
that lag behind the migrations on disk, found by one comparison across all schemas
(``schemas.migration_lag``) instead of a full ``migrate`` per schema; they are migrated
in parallel (django-tenants' multiprocessing executor, ``TENANT_MIGRATE_PROCESSES``),
so ``post_migrate`` work (permissions, content types, built-in roles) runs only where
something was applied. Then the template schema and the warm pool.
"""

import time

from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand
from django_tenants.migration_executors import get_executor

from tenants import schemas
from tenants.models import Tenant


def tenant_schema_names():
    return list(Tenant.objects.exclude(schema_name="public")
                .values_list("schema_name", flat=True))


def migrate_tenant_schemas(schema_names, *, verbosity=0):
    """Migrate ``schema_names`` with django-tenants' executor: in parallel when there
    are several (forked workers, one connection each), in this process for one."""
    command = load_command_class("django_tenants", "migrate_schemas")
    parser = command.create_parser("manage.py", "migrate_schemas")
    codename = "multiprocessing" if len(schema_names) > 1 else "standard"
    options = vars(parser.parse_args(["--tenant", "--noinput", "--executor", codename,
                                      "--verbosity", str(verbosity)]))
    options["skip_checks"] = True
    executor = get_executor(codename=codename)((), options)
    executor.run_migrations(tenants=list(schema_names))


class Command(BaseCommand):
    help = ("Migrate the public schema, make its Citus reference tables (with Citus), "
            "migrate the tenant schemas that lag behind and the template schema, and "
            "drop stale pool schemas.")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False,
                     verbosity=max(verbosity - 1, 0))
        # On Citus: public tables that tenant tables point at become reference tables
        # before any tenant schema is migrated (a no-op without the extension).
        converted = schemas.citus_reference_tables_ensure()
        if converted:
            self.stdout.write(f"Citus reference tables: {', '.join(converted)}")
        started = time.monotonic()
        names = tenant_schema_names()
        lagging = sorted(schemas.migration_lag(names))
        compared = time.monotonic() - started
        if lagging:
            migrate_tenant_schemas(lagging, verbosity=max(verbosity - 1, 0))
        schemas.template_ensure(verbosity=max(verbosity - 1, 0))
        dropped = schemas.pool_discard_stale()
        self.stdout.write(self.style.SUCCESS(
            f"Migrated public; {len(lagging)} of {len(names)} tenant schema(s) lagged "
            f"(compared in {compared * 1000:.0f} ms) and were migrated "
            f"({settings.TENANT_MULTIPROCESSING_MAX_PROCESSES} process(es)); the template "
            f"is current; dropped {dropped} stale pool schema(s)."))
