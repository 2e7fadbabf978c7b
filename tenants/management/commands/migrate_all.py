from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants import schemas


class Command(BaseCommand):
    help = "Migrate the public schema, every tenant, the template schema, and drop stale pool schemas."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", interactive=False, verbosity=max(verbosity - 1, 0))
        schemas.template_ensure(verbosity=max(verbosity - 1, 0))
        dropped = schemas.pool_discard_stale()
        self.stdout.write(self.style.SUCCESS(
            f"Migrated public, tenants and template; dropped {dropped} stale pool schema(s)."))
