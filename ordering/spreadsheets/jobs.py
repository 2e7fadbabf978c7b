"""Jobs: the background check and import of an upload (``ImportJobs``)."""

import json
import logging
import os
import re
import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from roles.enums import UserKind

from ordering.spreadsheets.formats import FORMATS, MAX_BYTES
from ordering.spreadsheets.rows import ImportFileError, ImportResult, RowError, read_file

log = logging.getLogger(__name__)


STASH_DIR = "private/imports"
STASH_MAX_AGE = timedelta(hours=24)
JOB_STALE_AFTER = timedelta(minutes=30)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHECKING, CHECKED, IMPORTING, IMPORTED, FAILED = (
    "checking", "checked", "importing", "imported", "failed")
RUNNING = (CHECKING, IMPORTING)


def job_name(token, suffix):
    if not _TOKEN.match(str(token or "")):
        return None
    return f"{STASH_DIR}/{token}.{suffix}"


def state_write(token, state):
    state = {**state, "updated": timezone.now().isoformat()}
    path = default_storage.path(job_name(token, "json"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(state, stream)
    os.replace(temporary, path)  # readers never see half a file
    return state


def state_read(token):
    name = job_name(token, "json")
    if name is None:
        return None
    try:
        with open(default_storage.path(name), encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def result_to_dict(result):
    return {"kind": result.kind, "filename": result.filename, "rows": result.rows,
            "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": [[e.row, e.column, e.message] for e in result.errors],
            "ignored_columns": list(result.ignored_columns), "dry_run": result.dry_run}


def result_from_dict(data):
    return ImportResult(kind=data["kind"], filename=data.get("filename", ""),
                        rows=data.get("rows", 0), created=data.get("created", 0),
                        updated=data.get("updated", 0), unchanged=data.get("unchanged", 0),
                        errors=[RowError(*error) for error in data.get("errors", [])],
                        ignored_columns=data.get("ignored_columns", []),
                        dry_run=data.get("dry_run", True))


def delete_upload(token, *, keep_confirmed):
    for extension in FORMATS:
        for suffix in (extension, f"{extension}.confirmed"):
            if keep_confirmed and suffix.endswith(".confirmed"):
                continue
            name = job_name(token, suffix)
            if name is not None and default_storage.exists(name):
                default_storage.delete(name)


def upload_discard(*, token):
    """Delete the job's files: its upload and its state — except while an import runs,
    which cleans up after itself."""
    if job_name(token, "json") is None:
        return
    running = (state_read(token) or {}).get("state") == IMPORTING
    delete_upload(token, keep_confirmed=running)
    if not running and default_storage.exists(job_name(token, "json")):
        default_storage.delete(job_name(token, "json"))


def upload_purge(max_age=STASH_MAX_AGE):
    """Delete uploads that were checked but never confirmed."""
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return
    limit = timezone.now() - max_age
    for name in files:
        path = f"{STASH_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except FileNotFoundError:
            continue


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
            state_write(token, {**(state_read(token) or {}), "state": FAILED,
                                "error": message})
            raise ApplicationError(message) from exc

    def start(self, *, actor, kind, content, extension, filename="", language="", ip=None):
        """Check the file as a whole now (type, size, encoding, columns: errors for the
        form), keep it, and start the dry run of its rows. Returns the job's token."""
        if kind not in self.kinds:
            raise ImportFileError(_("Choose what to import."))
        self.authorise(actor, kind)
        dataset = read_file(content=content, extension=extension, max_rows=self.max_rows)
        self.check(kind, dataset)
        upload_purge()
        token = uuid.uuid4().hex
        default_storage.save(job_name(token, extension), ContentFile(content))
        state_write(token, {"state": CHECKING, "app": self.app, "kind": kind,
                            "ext": extension, "filename": (filename or "")[:200],
                            "user": actor.pk})
        self._enqueue(token, dry_run=True, user_id=actor.pk, language=language, ip=ip)
        return token

    def get(self, *, token, user):
        """The job's state (a dict, ``result`` as an ImportResult) if it is the user's
        and this app's; a job that stopped answering reads as failed."""
        state = state_read(token)
        if (state is None or state.get("user") != getattr(user, "pk", None)
                or state.get("app", "customers") != self.app):
            return None
        if state["state"] in RUNNING:
            updated = datetime.fromisoformat(state["updated"])
            if timezone.now() - updated > self.stale_after():
                state = {**state, "state": FAILED,
                         "error": _("The file was not processed in time. Upload it again.")}
        if state.get("result"):
            state["result"] = result_from_dict(state["result"])
        return state

    def confirm(self, *, actor, token, language="", ip=None):
        """Import a checked, valid upload: at most once (the upload is taken away
        atomically, so a second confirmation finds nothing). False when the job is not
        waiting for confirmation."""
        state = self.get(token=token, user=actor)
        if (state is None or state["state"] != CHECKED or state.get("result") is None
                or not state["result"].ok or state["ext"] not in FORMATS):
            return False
        self.authorise(actor, state["kind"])
        path = default_storage.path(job_name(token, state["ext"]))
        try:
            os.rename(path, f"{path}.confirmed")
        except OSError:
            return False
        state_write(token, {**state_read(token), "state": IMPORTING})
        self._enqueue(token, dry_run=False, user_id=actor.pk, language=language, ip=ip)
        return True

    def run(self, *, token, dry_run, user_id, language="", ip=None):
        """The background task: check (``dry_run``) or import the job's upload and
        record the outcome in its state."""
        state = state_read(token)
        expected = CHECKING if dry_run else IMPORTING
        if state is None or state.get("state") != expected:
            return  # cancelled, or delivered twice
        name = job_name(token, state["ext"] + ("" if dry_run else ".confirmed"))

        def fail(message):
            state_write(token, {**state, "state": FAILED, "error": message})

        actor = get_user_model().objects.filter(pk=user_id, is_active=True,
                                                kind=UserKind.STAFF).first()
        if actor is None:
            return fail(str(self.no_longer_allowed))
        try:
            with open(default_storage.path(name), "rb") as stream:
                content = stream.read(MAX_BYTES + 1)
        except OSError:
            return fail(_("The uploaded file is gone. Upload it again."))
        with translation.override(language or None):
            try:
                result = self.import_file(actor=actor, kind=state["kind"], content=content,
                                          extension=state["ext"],
                                          filename=state.get("filename", ""),
                                          dry_run=dry_run, ip=ip)
            except ApplicationError as exc:
                return fail(exc.message)
            except Exception:
                log.exception("%s import %s failed", self.app, token)
                return fail(_("The file could not be processed; nothing was saved. Please "
                              "try again, or contact support if it happens again."))
        state_write(token, {**state, "result": result_to_dict(result),
                            "state": IMPORTED if not dry_run and result.ok else CHECKED})
        if not dry_run or not result.ok:  # nothing left to confirm: the file is not kept
            delete_upload(token, keep_confirmed=False)

    def finish(self, *, token):
        """Forget a job whose outcome was shown (or that was cancelled)."""
        upload_discard(token=token)
