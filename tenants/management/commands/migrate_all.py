from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants import schemas


class Command(BaseCommand):
    help = ("Migrate the public schema, make its Citus reference tables (with Citus), "
            "migrate every tenant and the template schema, and drop stale pool schemas.")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False,
                     verbosity=max(verbosity - 1, 0))
        # On Citus: public tables that tenant tables point at become reference tables
        # before any tenant schema is migrated (a no-op without the extension).
        converted = schemas.citus_reference_tables_ensure()
        if converted:
            self.stdout.write(f"Citus reference tables: {', '.join(converted)}")
        call_command("migrate_schemas", tenant=True, interactive=False,
                     verbosity=max(verbosity - 1, 0))
        schemas.template_ensure(verbosity=max(verbosity - 1, 0))
        dropped = schemas.pool_discard_stale()
        self.stdout.write(self.style.SUCCESS(
            f"Migrated public, tenants and template; dropped {dropped} stale pool schema(s)."))
