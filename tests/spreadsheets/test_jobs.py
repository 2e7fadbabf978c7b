"""Import jobs live in the tenant's schema and storage: the check and the import may
run in different processes (or machines) that share only the database and the
storage; every change of state is a conditional UPDATE, so nothing is imported twice."""

import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from ordering.customers.models import Customer
from roles.models import AuditLog
from ordering.customers.services import imports
from ordering.customers.tasks import customer_import_task
from ordering.spreadsheets import jobs
from ordering.spreadsheets.models import ImportJob, ImportRowError
from ordering.spreadsheets.tasks import import_jobs_purge_task
from tests.factories.roles import staff_with_roles

User = get_user_model()

# A worker of its own: a fresh interpreter, its own empty temporary directory; it
# shares nothing with the test but the database and the tenant's storage.
WORKER = """
import json, sys
import django
django.setup()
from django_tenants.utils import schema_context
from ordering.customers.tasks import customer_import_task
with schema_context(sys.argv[1]):
    customer_import_task.run(**json.loads(sys.argv[2]))
"""


def _owner():
    return User.objects.get(email="owner@acme.example")


def _queue(monkeypatch):
    queued = []
    monkeypatch.setattr(customer_import_task, "apply_async",
                        lambda kwargs: queued.append(kwargs))
    return queued


def _start(owner, name="Job Co"):
    return imports.job_start(actor=owner, kind="customers",
                             content=f"Company name\n{name}\n".encode(), extension="csv",
                             filename="c.csv")


def _run_in_another_process(schema, kwargs):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    with tempfile.TemporaryDirectory() as own_tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "DATABASE_URL": url, "TMPDIR": own_tmp}
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
        done = subprocess.run([sys.executable, "-c", WORKER, schema, json.dumps(kwargs)],
                              env=env, cwd=settings.BASE_DIR, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_check_and_the_import_run_in_other_processes(committed_db, monkeypatch):
    """Web (this process) uploads and confirms; one process checks, another imports.
    Between the steps this process forgets everything it could have kept."""
    from tenants.models import Tenant

    acme = Tenant.objects.get(slug="acme")
    queued = _queue(monkeypatch)
    name = "Cross Process Co"
    token = None
    with tenant_context(acme):
        last_audit = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with tenant_context(acme):
            owner = _owner()
            token = _start(owner, name)
            job = ImportJob.objects.get(pk=token)
            assert job.state == jobs.CHECKING and job.file.startswith("private/imports/")
            assert default_storage.exists(job.file)
        _run_in_another_process(acme.schema_name, queued.pop())  # the check
        with tenant_context(acme):
            state = imports.job_get(token=token, user=owner)
            assert state["state"] == jobs.CHECKED and state["result"].ok
            assert state["result"].rows == 1
            assert not Customer.objects.filter(name=name).exists()  # the dry run rolled back
            assert imports.job_confirm(actor=owner, token=token) is True
            assert imports.job_confirm(actor=owner, token=token) is False  # double click
        assert len(queued) == 1
        _run_in_another_process(acme.schema_name, queued.pop())  # the import
        with tenant_context(acme):
            state = imports.job_get(token=token, user=owner)
            assert state["state"] == jobs.IMPORTED and state["result"].created == 1
            assert Customer.objects.filter(name=name).count() == 1
            job = ImportJob.objects.get(pk=token)
            assert job.file == "" and not default_storage.exists(jobs.job_name(token, "csv"))
    finally:
        with tenant_context(acme):  # real commits: leave the tenant as it was
            Customer.objects.filter(name=name).delete()
            with connection.cursor() as cursor:  # the log is append-only for the app
                cursor.execute("DELETE FROM roles_auditlog WHERE id > %s", [last_audit])
            if token:
                ImportJob.objects.filter(pk=token).delete()
                if default_storage.exists(jobs.job_name(token, "csv")):
                    default_storage.delete(jobs.job_name(token, "csv"))


def test_a_task_delivered_twice_and_a_double_confirmation_import_once(in_acme, monkeypatch):
    queued = _queue(monkeypatch)
    owner = _owner()
    token = _start(owner)
    check = queued.pop()
    imports.job_run(**check)
    imports.job_run(**check)  # delivered twice: the step is taken
    assert ImportJob.objects.get(pk=token).state == jobs.CHECKED
    assert imports.job_confirm(actor=owner, token=token)
    assert not imports.job_confirm(actor=owner, token=token)
    run = queued.pop()
    assert not queued
    imports.job_run(**run)
    imports.job_run(**run)
    assert Customer.objects.filter(name="Job Co").count() == 1
    assert ImportJob.objects.get(pk=token).state == jobs.IMPORTED


def test_state_changes_are_conditional(in_acme, monkeypatch):
    _queue(monkeypatch)
    token = _start(_owner())
    job_id = ImportJob.objects.get(pk=token).pk
    # confirming a job that was not checked yet does nothing
    assert ImportJob.objects.filter(pk=job_id, state=jobs.CHECKED).update(
        state=jobs.IMPORTING) == 0
    assert jobs._move(job_id, from_states=[jobs.CHECKED], state=jobs.IMPORTING) is False
    assert jobs._move(job_id, from_states=[jobs.CHECKING], state=jobs.FAILED) is True
    assert ImportJob.objects.get(pk=job_id).state == jobs.FAILED


def test_row_errors_are_rows_of_the_job(in_acme, monkeypatch):
    queued = _queue(monkeypatch)
    owner = _owner()
    token = imports.job_start(actor=owner, kind="customers", extension="csv",
                              content=b"Company name,Credit limit\nBad Co,abc\n")
    imports.job_run(**queued.pop())
    job = ImportJob.objects.get(pk=token)
    assert job.state == jobs.CHECKED and not job.valid
    assert ImportRowError.objects.filter(job=job, row=2).exists()
    state = imports.job_get(token=token, user=owner)
    assert not state["result"].ok and state["result"].errors[0].row == 2
    assert not imports.job_confirm(actor=owner, token=token)
    assert job.file == "" or not default_storage.exists(job.file)  # nothing to confirm


def test_a_job_is_read_only_by_the_user_who_uploaded_it(acme, globex, monkeypatch):
    _queue(monkeypatch)
    with tenant_context(acme):
        owner = _owner()
        token = _start(owner)
        other = staff_with_roles("sales_rep", email="other-rep@acme.example")
        assert imports.job_get(token=token, user=owner) is not None
        assert imports.job_get(token=token, user=other) is None
        assert not imports.job_confirm(actor=other, token=token)
        assert imports.job_get(token="not-a-token", user=owner) is None
    with tenant_context(globex):
        assert not ImportJob.objects.filter(pk=token).exists()  # another schema
        someone = User.objects.filter(kind="staff").first()
        assert imports.job_get(token=token, user=someone) is None


def test_old_jobs_and_their_files_are_purged_per_tenant(in_acme, monkeypatch):
    _queue(monkeypatch)
    owner = _owner()
    old, recent = _start(owner, "Old Co"), _start(owner, "New Co")
    long_ago = timezone.now() - timedelta(days=settings.IMPORT_JOBS_KEEP_DAYS + 1)
    ImportJob.objects.filter(pk=old).update(created=long_ago, updated=long_ago)
    ImportRowError.objects.create(job_id=old, row=2, column="", message="x")
    old_file = ImportJob.objects.get(pk=old).file
    assert import_jobs_purge_task.run() == 1
    assert not ImportJob.objects.filter(pk=old).exists()
    assert not ImportRowError.objects.filter(job_id=old).exists()
    assert not default_storage.exists(old_file)
    assert ImportJob.objects.filter(pk=recent).exists()
    schedule = [entry["args"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
                if entry["task"] == "tenants.tasks.fan_out_task"]
    assert ["ordering.spreadsheets.tasks.import_jobs_purge_task"] in schedule
    imports.job_finish(token=recent)
    assert not ImportJob.objects.filter(pk=recent).exists()


def test_an_unconfirmed_upload_loses_its_file_after_a_day(in_acme, monkeypatch):
    _queue(monkeypatch)
    token = _start(_owner())
    job = ImportJob.objects.get(pk=token)
    ImportJob.objects.filter(pk=token).update(updated=timezone.now() - timedelta(days=2))
    jobs.upload_purge()
    assert not default_storage.exists(job.file)
    assert ImportJob.objects.get(pk=token).file == ""


def test_no_state_on_the_local_disk():
    source = Path(jobs.__file__).read_text(encoding="utf-8")
    for forbidden in ("os.rename", "os.replace", "json.dump", "json.load", ".path("):
        assert forbidden not in source
    storage = default_storage.__class__.__name__
    assert storage == "TenantMediaStorage"
