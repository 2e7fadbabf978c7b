"""Provisioning benchmark: pool vs clone vs migrate.

    .venv/bin/python -m bench.provision --rounds 5

Creates throwaway tenants ``bench-<path>-<n>`` by each path, prints the median
milliseconds per path and the ratios between them, then deletes them.
"""

import statistics
import sys
import uuid

from bench._common import main


def _one(path, tag):
    from tenants import schemas
    from tenants.models import Tenant
    from tenants.services import tenant_delete, tenant_provision

    slug = f"bench-{path}-{tag}"
    if path == "pool":
        schemas.pool_fill(schemas.pool_ready_count() + 1)
    result = tenant_provision(name=f"Bench {slug}", slug=slug,
                              owner_email=f"owner@{slug}.example",
                              owner_password="Bench-pass-2026!", path=path)
    elapsed = result.milliseconds  # the service's own clock: excludes the on-commit refill
    tenant_delete(tenant=Tenant.objects.get(slug=slug))
    return elapsed


def run(*, rounds=5, out=sys.stdout):
    from django.db import connection

    from tenants import schemas

    connection.set_schema_to_public()
    schemas.template_ensure()
    results = {}
    run_id = uuid.uuid4().hex[:6]
    _one("clone", f"{run_id}w")  # warm-up: imports, migration graph, connection
    for path in ("pool", "clone", "migrate"):
        times = [_one(path, f"{run_id}{i}") for i in range(rounds)]
        results[path] = statistics.median(times)
        out.write(f"{path:8s} median {results[path]:8.1f} ms   "
                  f"(min {min(times):.1f}, max {max(times):.1f}, n={rounds})\n")
    out.write(f"clone/pool    {results['clone'] / results['pool']:.1f}x\n")
    out.write(f"migrate/pool  {results['migrate'] / results['pool']:.1f}x\n")
    out.write(f"migrate/clone {results['migrate'] / results['clone']:.1f}x\n")
    return results


if __name__ == "__main__":
    main(__doc__, run, ("--rounds", {"type": int, "default": 5}))
