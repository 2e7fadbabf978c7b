"""Deploy benchmark: ``migrate_all`` at many tenants.

    .venv/bin/python -m bench.migrate_all --tenants 1000

Grows the database to ``--tenants`` bench tenants (``bench-mig-<n>``, cloned; kept
between runs so the database only grows), then prints:

- the comparison alone (``schemas.migration_lag`` over every schema);
- a no-op ``migrate_all`` (nothing new on disk), median of three;
- what the old way cost: a full ``migrate`` per schema, timed on a sample and
  multiplied by the number of schemas, and the ratio;
- one new migration everywhere: ``migrate_all`` in a child process whose settings add a
  no-op migration to the spreadsheets app, then the probe rows are removed again.

``--cleanup`` deletes the bench tenants instead.
"""

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import PASSWORD, main

PREFIX = "bench-mig-"
PROBE = "0999_bench_probe"
ROOT = Path(__file__).resolve().parent.parent


def _bench_tenants():
    from tenants.models import Tenant

    return Tenant.objects.filter(slug__startswith=PREFIX)


def _grow(target, out):
    from tenants.services import tenant_provision

    have = _bench_tenants().count()
    started = time.monotonic()
    for n in range(have, target):
        slug = f"{PREFIX}{n:04d}"
        tenant_provision(name=f"Bench {slug}", slug=slug, owner_email=f"owner@{slug}.example",
                         owner_password=PASSWORD, path="clone")
    if target > have:
        print(f"created {target - have} bench tenants in {time.monotonic() - started:.1f} s",
              file=out)


def _timed(function, *args, **kwargs):
    started = time.monotonic()
    function(*args, **kwargs)
    return time.monotonic() - started


def _probe_package(folder):
    """A copy of the spreadsheets app's migrations plus one no-op migration."""
    source = ROOT / "ordering" / "spreadsheets" / "migrations"
    package = folder / "probe_migrations"
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
    latest = sorted(p.stem for p in source.glob("0*.py"))[-1]
    (package / f"{PROBE}.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('spreadsheets', '{latest}')]\n"
        "    operations = [migrations.RunSQL('SELECT 1', migrations.RunSQL.noop)]\n")
    (folder / "probe_settings.py").write_text(
        f"from {os.environ['DJANGO_SETTINGS_MODULE']} import *  # noqa\n"
        "MIGRATION_MODULES = {'spreadsheets': 'probe_migrations'}\n")


def _one_new_migration_everywhere(names):
    from django.db import connection

    with tempfile.TemporaryDirectory() as folder:
        _probe_package(Path(folder))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "probe_settings",
               "PYTHONPATH": os.pathsep.join([folder, str(ROOT)])}
        started = time.monotonic()
        subprocess.run([sys.executable, "manage.py", "migrate_all", "-v", "0"], cwd=ROOT,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.monotonic() - started
    with connection.cursor() as cursor:  # the probe was never on disk: forget it again
        for name in names + ["public", "tenant_template"]:
            cursor.execute(f'DELETE FROM "{name}".django_migrations '
                           "WHERE app = 'spreadsheets' AND name = %s", [PROBE])
    return elapsed


def run(*, tenants=1000, sample=10, cleanup=False, out=sys.stdout):
    from django.core.management import call_command
    from django.db import connection

    from tenants import schemas
    from tenants.management.commands.migrate_all import tenant_schema_names
    from tenants.models import Tenant
    from tenants.services import tenant_delete

    connection.set_schema_to_public()
    if cleanup:
        for tenant in list(_bench_tenants()):
            tenant_delete(tenant=Tenant.objects.get(pk=tenant.pk))
        print("bench tenants deleted", file=out)
        return
    schemas.template_ensure()
    _grow(tenants, out)
    names = tenant_schema_names()
    compare = statistics.median(_timed(schemas.migration_lag, names) for _ in range(5))
    noop = statistics.median(_timed(call_command, "migrate_all", verbosity=0,
                                    stdout=io.StringIO()) for _ in range(3))
    picked = names[:sample]
    per_schema = statistics.median(
        _timed(call_command, "migrate_schemas", tenant=True, schema_name=name,
               interactive=False, verbosity=0) for name in picked)
    connection.set_schema_to_public()
    old_way = per_schema * len(names)
    one_new = _one_new_migration_everywhere(names)
    print(f"tenant schemas: {len(names)}", file=out)
    print(f"comparison (migration_lag): {compare * 1000:.0f} ms", file=out)
    print(f"no-op migrate_all: {noop:.1f} s", file=out)
    print(f"old way (full migrate per schema, {per_schema * 1000:.0f} ms each on a sample of "
          f"{len(picked)}): {old_way:.1f} s, {old_way / noop:.1f}x the new no-op", file=out)
    print(f"one new migration everywhere: {one_new:.1f} s "
          f"({one_new / len(names) * 1000:.0f} ms per schema)", file=out)


if __name__ == "__main__":
    main(__doc__, run,
         ("--tenants", {"type": int, "default": 1000}),
         ("--sample", {"type": int, "default": 10}),
         ("--cleanup", {"action": "store_true"}))
