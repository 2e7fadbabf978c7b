from django.conf import settings
from django.core.management.base import BaseCommand

from tenants import schemas


class Command(BaseCommand):
    help = "Fill the warm pool of ready tenant schemas to --size (0 empties it)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=settings.TENANT_POOL_SIZE)

    def handle(self, *args, size, **options):
        if size == 0:
            schemas.pool_drain()
            self.stdout.write("Pool emptied.")
            return
        added = schemas.pool_fill(size)
        self.stdout.write(self.style.SUCCESS(
            f"Pool ready: {schemas.pool_ready_count()} schema(s) ({added} added)."))
