"""Load the demo: two suppliers (acme, globex) with staff, customers, catalogs, orders,
returns and quotations, and an operator, through the loaders of ``demo/loaders/``.
Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo import suppliers
from demo.loaders import customers, load_all, staff
from roles.catalog import BUILTIN_BY_KEY


class Command(BaseCommand):
    help = "Create the demo suppliers, their logins and an operator (safe to run again)."

    def handle(self, *args, **options):
        load_all()
        self._print()

    def _print(self):
        port = "8000"
        base = settings.BASE_DOMAIN
        password = suppliers.PASSWORD
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("Orderline demo is ready."))
        w(f"  Public site + signup   http://{base}:{port}/")
        w(f"  Operator console       http://{base}:{port}/ops/   {suppliers.OPERATOR_EMAIL} / "
          f"{password}")
        w(f"    second factor        `.venv/bin/python manage.py demo_code` prints the code; "
          f"or add key {suppliers.OPERATOR_TOTP_SECRET} to an authenticator app; "
          f"backup codes {suppliers.OPERATOR_BACKUP_CODES[0]} … "
          f"{suppliers.OPERATOR_BACKUP_CODES[-1]}")
        for email, _name, role in suppliers.ROLE_OPERATORS:
            w(f"    {role + ' operator':20s} {email} / {password} (same second factor)")
        for spec in suppliers.SUPPLIERS:
            host = f"http://{spec['slug']}.{base}:{port}"
            w(f"  {spec['name']} ({spec['language']})")
            w(f"    staff dashboard      {host}/dashboard/   {spec['owner'][0]} / {password}")
            w(f"    dealer shop          {host}/shop/        {spec['dealer'][0]} / {password}")
            for email, _name, role_key in staff.STAFF.get(spec["slug"], []):
                w(f"    {str(BUILTIN_BY_KEY[role_key].name):20s} {email} / {password}")
            w(f"    {customers.CUSTOMERS_PER_SUPPLIER} customers; their buyers sign in as "
              f"buyer2@{spec['slug']}-dealers.example … / {password}")
        w(f"  API docs (per tenant)  http://acme.{base}:{port}/api/docs/")
        w("")
