"""Print the demo operator's current two-factor code (from the published demo key)."""

from django.core.management.base import BaseCommand

from demo.loaders.tenants import operator_totp_key


class Command(BaseCommand):
    help = "Print the current authenticator code of the demo operator."

    def handle(self, *args, **options):
        from django_otp.oath import TOTP

        self.stdout.write(f"{TOTP(bytes.fromhex(operator_totp_key())).token():06d}")
