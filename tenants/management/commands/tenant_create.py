from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Provision a tenant (the same service signup uses)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--path", choices=["pool", "clone", "migrate"], default=None)

    def handle(self, *args, **o):
        try:
            result = tenant_provision(
                name=o["name"], slug=o["slug"], owner_email=o["owner_email"],
                owner_password=o["owner_password"], owner_name=o["owner_name"],
                language=o["language"], path=o["path"],
            )
        except ApplicationError as exc:
            details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created {result.tenant.host} ({result.path}, {result.milliseconds:.0f} ms)"))
