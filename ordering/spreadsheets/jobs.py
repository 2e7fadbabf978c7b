"""Jobs: the background check and import of an upload (``ImportJobs``).

A job is a row in the tenant's schema (``models.ImportJob``, its row errors in
``ImportRowError``) and its upload a file in the tenant's private storage
(``default_storage``, MEDIA_ROOT/<schema>/private/imports/, never served by the media
view). The web process and the worker share only the database and the storage, so
they may run on different machines. Every change of state is a conditional UPDATE
(``… SET state='importing' WHERE id=… AND state='checked'``): a double click, or a task
delivered twice, finds the job already moved on and does nothing.
"""

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from ordering.spreadsheets.exceptions import SpreadsheetError
from ordering.spreadsheets.formats import FORMATS, MAX_BYTES
from ordering.spreadsheets.models import ImportJob, ImportRowError
from ordering.spreadsheets.exceptions import ImportFileError
from ordering.spreadsheets.rows import ImportResult, RowError, read_file
from roles.enums import UserKind

log = logging.getLogger(__name__)

# Uploads live under this folder of the tenant's storage, named by the job's random id
# and a known extension only, never by user input.
STASH_DIR = "private/imports"
STASH_MAX_AGE = timedelta(hours=24)
JOB_STALE_AFTER = timedelta(minutes=30)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOADED, CHECKING, CHECKED, IMPORTING, IMPORTED, FAILED = (
    ImportJob.UPLOADED, ImportJob.CHECKING, ImportJob.CHECKED, ImportJob.IMPORTING,
    ImportJob.IMPORTED, ImportJob.FAILED)
RUNNING = (UPLOADED, CHECKING, IMPORTING)


def job_name(token, suffix):
    """The storage name of a job's upload (None for a token that is not one)."""
    if not _TOKEN.match(str(token or "")):
        return None
    return f"{STASH_DIR}/{token}.{suffix}"


def _job_id(token):
    return uuid.UUID(hex=token) if _TOKEN.match(str(token or "")) else None


def _move(job_id, *, from_states, **fields):
    """Move a job on only if it is still in one of ``from_states``: True if it was."""
    return ImportJob.objects.filter(pk=job_id, state__in=from_states).update(
        updated=timezone.now(), **fields) == 1


def _delete_file(name):
    if name and default_storage.exists(name):
        default_storage.delete(name)


# --- selectors ---------------------------------------------------------------------


def job_for_user(*, token, user, app):
    """The user's job of ``app`` for ``token``, or None (another user's, another app's
    or another tenant's job reads as none)."""
    job_id = _job_id(token)
    if job_id is None or getattr(user, "pk", None) is None:
        return None
    return ImportJob.objects.filter(pk=job_id, user_id=user.pk, app=app).first()


def job_result(job):
    """The job's outcome as an ``ImportResult`` (None before the check finished)."""
    if not job.has_result:
        return None
    return ImportResult(
        kind=job.kind, filename=job.filename, rows=job.rows, created=job.created_count,
        updated=job.updated_count, unchanged=job.unchanged_count,
        errors=[RowError(e.row, e.column, e.message) for e in job.row_errors.all()],
        ignored_columns=list(job.ignored_columns or []), dry_run=job.dry_run)


# --- services ----------------------------------------------------------------------


def _record_result(job_id, *, expected, result):
    state = IMPORTED if not result.dry_run and result.ok else CHECKED
    with transaction.atomic():
        if not _move(job_id, from_states=[expected], state=state, has_result=True,
                     dry_run=result.dry_run, valid=result.ok, rows=result.rows,
                     created_count=result.created, updated_count=result.updated,
                     unchanged_count=result.unchanged,
                     ignored_columns=list(result.ignored_columns)):
            return False
        ImportRowError.objects.filter(job_id=job_id).delete()
        ImportRowError.objects.bulk_create(
            ImportRowError(job_id=job_id, row=e.row, column=str(e.column or "")[:200],
                           message=str(e.message)) for e in result.errors)
    return True


def upload_discard(*, token):
    """Forget a job: its row and its upload — except while an import runs, which
    cleans up after itself."""
    job_id = _job_id(token)
    if job_id is None:
        return
    job = ImportJob.objects.filter(pk=job_id).exclude(state=IMPORTING).first()
    if job is None:
        return
    if ImportJob.objects.filter(pk=job_id).exclude(state=IMPORTING).delete()[0]:
        _delete_file(job.file)


def upload_purge(max_age=STASH_MAX_AGE):
    """Delete the uploads that waited longer than ``max_age`` (checked but never
    confirmed, or left behind): the file goes, the job keeps its outcome."""
    limit = timezone.now() - max_age
    for job in ImportJob.objects.filter(updated__lt=limit).exclude(file="").exclude(
            state=IMPORTING):
        if ImportJob.objects.filter(pk=job.pk, file=job.file).exclude(
                state=IMPORTING).update(file="") == 1:
            _delete_file(job.file)
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{STASH_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit and not ImportJob.objects.filter(
                    file=path, state=IMPORTING).exists():
                default_storage.delete(path)
        except FileNotFoundError:
            continue


def jobs_purge(*, days=None):
    """Delete the jobs (rows, row errors, files) older than ``days`` (default
    ``IMPORT_JOBS_KEEP_DAYS``); one that is still running is left alone unless it
    stopped answering long ago. Returns how many jobs went."""
    days = settings.IMPORT_JOBS_KEEP_DAYS if days is None else days
    limit = timezone.now() - timedelta(days=days)
    gone = 0
    for job in ImportJob.objects.filter(created__lt=limit, updated__lt=limit):
        if ImportJob.objects.filter(pk=job.pk, updated__lt=limit).delete()[0]:
            _delete_file(job.file)
            gone += 1
    upload_purge()
    return gone


class ImportJobs:
    """The background jobs of one app's import.

    ``task``: dotted path of the app's Celery task, called with ``token``, ``dry_run``,
    ``user_id``, ``language`` and ``ip`` (it calls ``run``). ``authorise(actor, kind)``
    raises when the actor may not import ``kind``; ``check(kind, dataset)`` refuses a
    file whose columns cannot be used; ``import_file(actor=, kind=, content=,
    extension=, filename=, dry_run=, ip=)`` is the app's import. ``stale_after`` is a
    callable returning how long a running job may stay silent."""

    def __init__(self, *, app, kinds, task, authorise, check, import_file,
                 max_rows=5000, stale_after=lambda: JOB_STALE_AFTER, no_longer_allowed):
        self.app, self.kinds, self.task = app, kinds, task
        self.authorise, self.check, self.import_file = authorise, check, import_file
        self.max_rows, self.stale_after = max_rows, stale_after
        self.no_longer_allowed = no_longer_allowed

    def _enqueue(self, token, *, dry_run, user_id, language, ip):
        try:
            import_string(self.task).apply_async(kwargs={
                "token": token, "dry_run": dry_run, "user_id": user_id,
                "language": language, "ip": ip})
        except Exception as exc:  # the broker is down: say so instead of waiting forever
            log.exception("could not queue the %s import", self.app)
            message = _("The import could not be started. Please try again in a minute.")
            _move(_job_id(token), from_states=[CHECKING, IMPORTING], state=FAILED,
                  error=message)
            raise SpreadsheetError(message) from exc

    def start(self, *, actor, kind, content, extension, filename="", language="", ip=None):
        """Check the file as a whole now (type, size, encoding, columns: errors for the
        form), keep it, and start the dry run of its rows. Returns the job's token."""
        if kind not in self.kinds:
            raise ImportFileError(_("Choose what to import."))
        self.authorise(actor, kind)
        dataset = read_file(content=content, extension=extension, max_rows=self.max_rows)
        self.check(kind, dataset)
        upload_purge()
        job_id = uuid.uuid4()
        token = job_id.hex
        name = default_storage.save(job_name(token, extension), ContentFile(content))
        ImportJob.objects.create(id=job_id, app=self.app, kind=kind, user=actor,
                                 extension=extension, filename=(filename or "")[:200],
                                 file=name, state=UPLOADED, updated=timezone.now())
        _move(job_id, from_states=[UPLOADED], state=CHECKING)
        self._enqueue(token, dry_run=True, user_id=actor.pk, language=language, ip=ip)
        return token

    def get(self, *, token, user):
        """The job's state (a dict, ``result`` as an ImportResult) if it is the user's
        and this app's; a job that stopped answering reads as failed."""
        job = job_for_user(token=token, user=user, app=self.app)
        if job is None:
            return None
        state = {"state": job.state, "app": job.app, "kind": job.kind,
                 "ext": job.extension, "filename": job.filename, "user": job.user_id,
                 "error": job.error, "updated": job.updated.isoformat(),
                 "result": job_result(job)}
        if job.state in RUNNING and timezone.now() - job.updated > self.stale_after():
            state.update(state=FAILED,
                         error=_("The file was not processed in time. Upload it again."))
        return state

    def confirm(self, *, actor, token, language="", ip=None):
        """Import a checked, valid upload: at most once (the job moves from checked to
        importing in one conditional UPDATE, so a second confirmation finds nothing).
        False when the job is not waiting for confirmation."""
        job = job_for_user(token=token, user=actor, app=self.app)
        if (job is None or job.state != CHECKED or not job.has_result or not job.valid
                or not job.file or job.extension not in FORMATS):
            return False
        self.authorise(actor, job.kind)
        if ImportJob.objects.filter(
                pk=job.pk, user_id=actor.pk, state=CHECKED, valid=True).exclude(file="").update(
                state=IMPORTING, claimed=False, updated=timezone.now()) != 1:
            return False
        self._enqueue(token, dry_run=False, user_id=actor.pk, language=language, ip=ip)
        return True

    def run(self, *, token, dry_run, user_id, language="", ip=None):
        """The background task: check (``dry_run``) or import the job's upload and
        record the outcome on the job."""
        job_id = _job_id(token)
        expected = CHECKING if dry_run else IMPORTING
        # claim the step: a task delivered twice (or a second worker) finds it taken
        if job_id is None or ImportJob.objects.filter(
                pk=job_id, app=self.app, state=expected, claimed=False).update(
                claimed=True, updated=timezone.now()) != 1:
            return
        job = ImportJob.objects.get(pk=job_id)

        def fail(message):
            _move(job_id, from_states=[expected], state=FAILED, error=str(message))

        actor = get_user_model().objects.filter(pk=user_id, is_active=True,
                                                kind=UserKind.STAFF).first()
        if actor is None or actor.pk != job.user_id:
            return fail(self.no_longer_allowed)
        try:
            with default_storage.open(job.file, "rb") as stream:
                content = stream.read(MAX_BYTES + 1)
        except (OSError, ValueError):
            return fail(_("The uploaded file is gone. Upload it again."))
        with translation.override(language or None):
            try:
                result = self.import_file(actor=actor, kind=job.kind, content=content,
                                          extension=job.extension, filename=job.filename,
                                          dry_run=dry_run, ip=ip)
            except ApplicationError as exc:
                return fail(exc.message)
            except Exception:
                log.exception("%s import %s failed", self.app, token)
                return fail(_("The file could not be processed; nothing was saved. Please "
                              "try again, or contact support if it happens again."))
        _record_result(job_id, expected=expected, result=result)
        if not dry_run or not result.ok:  # nothing left to confirm: the file is not kept
            if ImportJob.objects.filter(pk=job_id).exclude(state=IMPORTING).update(
                    file="") or not ImportJob.objects.filter(pk=job_id).exists():
                _delete_file(job.file)

    def finish(self, *, token):
        """Forget a job whose outcome was shown (or that was cancelled)."""
        upload_discard(token=token)
