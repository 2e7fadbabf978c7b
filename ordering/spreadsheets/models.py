"""Import jobs, in the tenant's schema: one row per upload (its state, counts and the
name of the uploaded file in the tenant's private storage) and its row errors.

Web and worker share only the database and the storage: nothing about a job is kept
in a process or on a machine's local disk."""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """A spreadsheet upload on its way: uploaded → checking → checked (valid or not)
    → importing → imported, or failed. The id is random and is the token the user's
    session keeps; a job is only ever read for the user who uploaded it."""

    UPLOADED, CHECKING, CHECKED, IMPORTING, IMPORTED, FAILED = (
        "uploaded", "checking", "checked", "importing", "imported", "failed")
    STATES = [(s, s) for s in (UPLOADED, CHECKING, CHECKED, IMPORTING, IMPORTED, FAILED)]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.CharField(max_length=30)
    kind = models.CharField(max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    state = models.CharField(max_length=12, choices=STATES, default=UPLOADED)
    # a worker took the current step (a task delivered twice finds it taken)
    claimed = models.BooleanField(default=False)
    extension = models.CharField(max_length=8)
    filename = models.CharField(max_length=200, blank=True)
    file = models.CharField(max_length=200, blank=True)  # name in default_storage
    error = models.TextField(blank=True)
    has_result = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=True)
    valid = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    ignored_columns = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["state", "updated"], name="spreadsheets_job_state")]

    def __str__(self):
        return f"{self.app} {self.kind} {self.state}"


class ImportRowError(models.Model):
    """One problem found in one row (spreadsheet row number, column, message)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["id"]
