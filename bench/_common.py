"""What every scenario shares: a throwaway tenant, and the command line."""

import argparse
import os
import sys
import uuid
from contextlib import contextmanager

PASSWORD = "Bench-pass-2026!"


@contextmanager
def throwaway_tenant(name, prefix):
    """A tenant ``<prefix>-<random>`` provisioned for one scenario: yields the
    provisioning result (``.tenant``, ``.owner``) and deletes the tenant afterwards,
    whatever happened."""
    from django.db import connection, reset_queries

    from tenants.models import Tenant
    from tenants.services import tenant_delete, tenant_provision

    connection.set_schema_to_public()
    slug = f"{prefix}-{uuid.uuid4().hex[:6]}"
    provisioned = tenant_provision(name=name, slug=slug, owner_email=f"owner@{slug}.example",
                                   owner_password=PASSWORD)
    from billing.services import plan_assign

    # a bench measures throughput, not the plan's limits (a trial stops at 1,000 orders)
    plan_assign(tenant=provisioned.tenant, plan_code="enterprise", status="active",
                reason="bench")
    try:
        yield provisioned
    finally:
        connection.set_schema_to_public()
        reset_queries()
        tenant_delete(tenant=Tenant.objects.get(pk=provisioned.tenant.pk))


def main(doc, run, *options):
    """Run a scenario from the command line (``python -m bench.<name>``): each option
    is ``(flag, argparse keywords)`` and becomes a keyword argument of ``run``. Django
    is set up only after the arguments are read, so ``--help`` needs no settings."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    for flag, keywords in options:
        parser.add_argument(flag, **keywords)
    arguments = vars(parser.parse_args())
    import django

    django.setup()
    run(**arguments)
