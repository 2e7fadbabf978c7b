from django.core.management.base import BaseCommand

from bench.provision import run


class Command(BaseCommand):
    help = "Provision tenants by the pool, clone and migrate paths and print median times."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, rounds, **options):
        run(rounds=rounds, out=self.stdout)
