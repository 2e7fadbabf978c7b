from django.core.management.base import BaseCommand

from bench.catalog_search import run


class Command(BaseCommand):
    help = "Time partial-word name, code and barcode searches on a large catalog."

    def add_arguments(self, parser):
        parser.add_argument("--variants", type=int, default=10000)

    def handle(self, *args, variants, **options):
        run(variants=variants, out=self.stdout)
