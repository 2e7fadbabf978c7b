"""Manual billing mode: put a tenant on a plan and period by hand.

    manage.py billing_assign acme pro --status active --until 2027-01-31 --interval year
"""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.enums import BillingStatus, EventSource, Interval
from billing.exceptions import BillingError
from billing.services import plan_assign
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Assign a plan, status and paid-until date to a tenant (manual billing)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("plan")
        parser.add_argument("--status", choices=BillingStatus.values, default=None)
        parser.add_argument("--until", help="last paid day, YYYY-MM-DD")
        parser.add_argument("--interval", choices=Interval.values, default=Interval.MONTH)

    def handle(self, slug, plan, status, until, interval, **options):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant {slug!r}.")
        period_end = None
        if until:
            day = datetime.strptime(until, "%Y-%m-%d").date()
            period_end = timezone.make_aware(datetime.combine(day, time.max))
        try:
            subscription = plan_assign(tenant=tenant, plan_code=plan, status=status,
                                       period_end=period_end, interval=interval,
                                       source=EventSource.MANUAL, reason="billing_assign")
        except BillingError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"{slug}: {subscription.plan.code} {subscription.status} "
                          f"until {subscription.current_period_end or '-'}")
