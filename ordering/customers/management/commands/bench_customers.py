from django.core.management.base import BaseCommand

from bench.customers import run


class Command(BaseCommand):
    help = "Time the customer list, detail, export and import check on many customers."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, customers, rounds, **options):
        run(customers=customers, rounds=rounds, out=self.stdout)
