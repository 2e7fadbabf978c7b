"""Rows: reading an upload, mapping its headers to columns and driving an app's
``RowImporter`` (dry run or real import, row errors)."""

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFoundError
from core.text import strip_control
from ordering.spreadsheets.formats import (FORMATS, MAX_BYTES, MAX_COLUMNS, SheetError, cell_text,
                                           normalise_header, row_blank, yes_no_parse)
from roles.services.audit import audit_record
from ordering.spreadsheets.exceptions import ImportFileError

log = logging.getLogger(__name__)


@dataclass
class RowError:
    row: int  # as in the spreadsheet: the header is row 1
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    dry_run: bool = True
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def error_rows(self):
        return len({error.row for error in self.errors})


def file_extension(name):
    name = (name or "").strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_file(*, content, extension, max_rows=5000, max_bytes=MAX_BYTES):
    """The file's first sheet as a ``tablib.Dataset`` (headers + rows as read), or
    ``ImportFileError`` with a message for the user."""
    if extension not in FORMATS:
        raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > max_bytes:
        raise ImportFileError(_("The file is larger than 5 MB. Split it into several files."))
    if extension == "xlsx" and not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx)."))
    try:
        dataset = FORMATS[extension](max_rows=max_rows,
                                     max_columns=MAX_COLUMNS).create_dataset(content)
    except SheetError as exc:
        raise ImportFileError(str(exc)) from exc
    if not any(not row_blank(row) for row in dataset):
        raise ImportFileError(_("The file has no rows to import below the header row."))
    return dataset


def map_columns(resource, headers):
    """Column index → key for the recognised headers, the headers it ignores, and
    key → header as written. Raises ``ImportFileError`` when two headers are one column."""
    keys = resource.header_keys()
    export_only = set(resource.export_only)
    mapping, ignored, seen = {}, [], {}
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        key = keys.get(normalise_header(header))
        if key is None:
            ignored.append(header)
            continue
        if key in seen:
            raise ImportFileError(_("The columns “%(a)s” and “%(b)s” are the same column. "
                                    "Keep only one of them.") % {"a": seen[key], "b": header})
        seen[key] = header
        if key not in export_only:
            mapping[index] = key
    return mapping, ignored, seen


def require_columns(resource, missing):
    """Refuse a file without the ``missing`` column keys, naming their headers."""
    if missing:
        labels = dict(resource.columns())
        raise ImportFileError(
            _("The file has no column “%(columns)s”. Download the template to see the "
              "columns.") % {"columns": "”, “".join(str(labels[key]) for key in missing)})


# --- rows --------------------------------------------------------------------------


class Row:
    def __init__(self, number, cells):
        self.number = number
        self.cells = cells  # key → text (bools kept for yes/no columns)
        self.errors = []  # (key, message)
        self.values = {}

    def has(self, key):
        """The column is in the file and this row's cell is not empty."""
        return key in self.cells and self.cells[key] not in ("", None)

    def text(self, key):
        return cell_text(self.cells.get(key))

    def error(self, key, message):
        self.errors.append((key, message))


def dataset_rows(dataset, mapping):
    """The dataset's non-blank rows as ``Row``s numbered as in the spreadsheet."""
    rows = []
    for index, cells in enumerate(dataset, start=2):
        if row_blank(cells):
            continue
        values = {}
        for position, key in mapping.items():
            cell = cells[position] if position < len(cells) else None
            values[key] = cell if isinstance(cell, bool) else cell_text(cell)
        rows.append(Row(index, values))
    return rows


class RowImporter:
    """One kind of sheet: ``prepare`` (bulk look-ups for every row), ``parse`` (one
    row's cells into values and errors, no writes) and ``write`` (one valid row through
    the services; returns "created", "updated" or "unchanged"). Every importer defines
    ``parse`` and ``write``; ``prepare`` and ``after_parse`` are optional."""

    model = None
    key_column = ""
    resource_class = None
    # Each row is written in a savepoint, so that a failed row leaves nothing behind. An
    # importer whose every write is one call of an atomic service (which rolls itself
    # back) may switch it off: two queries less a row.
    savepoint_per_row = True

    def __init__(self, *, actor, kind, headers_seen, ip=None, filename="", dry_run=True):
        self.actor, self.kind, self.ip, self.filename = actor, kind, ip, filename
        self.dry_run = dry_run
        self.headers_seen = headers_seen  # key → header as written in the file
        self.labels = dict(self.resource_class().columns())

    @classmethod
    def missing_columns(cls, seen):
        """The required columns the file lacks (keys)."""
        return [key for key in cls.resource_class.required if key not in seen]

    def column(self, key):
        return self.headers_seen.get(key) or str(self.labels.get(key, key))

    def clean_texts(self, row, fields, model=None):
        model = model or self.model
        for key in fields:
            if key not in row.cells:
                continue
            value = row.text(key)
            model_field = model._meta.get_field(key)
            if not isinstance(model_field, models.TextField):  # one line: no breaks, no tabs
                value = strip_control(value, multiline=False).strip()
            limit = model_field.max_length
            if limit and len(value) > limit:
                row.error(key, _("At most %(n)d characters.") % {"n": limit})
            elif value:
                row.values[key] = value

    def clean_yes_no(self, row, key):
        if row.has(key):
            value = yes_no_parse(row.cells[key])
            if value is None:
                row.error(key, _("Write yes or no."))
            else:
                row.values[key] = value

    def prepare(self, rows):
        """Read what every row needs in one go before the rows are imported (an
        importer that looks up existing records by code does it here); nothing by default."""

    def after_parse(self, rows):
        """Every row is parsed: checks across rows, reference data made once per file."""

    def service_error(self, row, exc, columns=None):
        """An ApplicationError as row errors: on the columns its fields name
        (``columns`` maps a service's field names to this sheet's keys)."""
        columns = columns or {}
        fields = {key: messages for key, messages in (exc.fields or {}).items() if messages}
        if not fields:
            key = self.key_column if isinstance(exc, NotFoundError) else ""
            row.error(key, exc.message)
            return
        for key, messages in fields.items():
            for message in messages:
                row.error(columns.get(key, key), str(message))


def import_dataset(*, importer_class, actor, kind, dataset, filename="", dry_run=True,
                   ip=None, audit_action, label="import"):
    """Validate (``dry_run``) or import the dataset's rows with ``importer_class``.

    Returns an ``ImportResult``: with errors nothing was written; a dry run never
    writes. Raises ``ImportFileError`` when the columns cannot be used at all. The
    real import records one ``audit_action`` entry with its counts."""
    resource = importer_class.resource_class()
    headers = [str(h or "") for h in (dataset.headers or [])]
    mapping, ignored, seen = map_columns(resource, headers)
    require_columns(resource, importer_class.missing_columns(seen))
    result = ImportResult(kind=kind, filename=filename, ignored_columns=ignored,
                          dry_run=dry_run)
    rows = dataset_rows(dataset, mapping)
    result.rows = len(rows)
    importer = importer_class(actor=actor, kind=kind, headers_seen=seen, ip=ip,
                              filename=filename, dry_run=dry_run)
    savepoint = transaction.atomic if importer.savepoint_per_row else nullcontext
    with transaction.atomic():
        importer.prepare(rows)
        for row in rows:
            importer.parse(row)
        importer.after_parse(rows)
        for row in rows:
            if row.errors:
                continue
            try:
                with savepoint():
                    outcome = importer.write(row)
            except ApplicationError as exc:
                importer.service_error(row, exc)
            except DatabaseError:  # a rule the services do not know about
                log.exception("%s: row %s could not be saved", label, row.number)
                row.error("", _("This row could not be saved. Check its values or ask "
                                "support."))
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
        for row in rows:
            result.errors += [RowError(row.number, importer.column(key) if key else "",
                                       message) for key, message in row.errors]
        if dry_run or result.errors:
            transaction.set_rollback(True)
        else:
            after = {"kind": kind, "file": filename[:200], "rows": result.rows,
                     "created": result.created, "updated": result.updated}
            if result.unchanged:
                after["unchanged"] = result.unchanged
            audit_record(actor=actor, action=audit_action, obj=None, ip=ip, after=after)
    if result.errors:
        result.created = result.updated = result.unchanged = 0
    return result


# --- import jobs: the check and the import run in the background ------------------
#
# Every row goes through the services, so a large file takes longer than a web request
# may. The page starts a job and polls its state; without a broker (tests, a demo
# without Redis) Celery runs the task inline and the answer is there at once. A job is
# two files in the tenant's own storage (MEDIA_ROOT/<schema>/private/imports/):
# ``<token>.<ext>`` (the upload) and ``<token>.json`` (its state, which names the app
# and the user it belongs to). Names are built from a validated random token and a
# known extension only, never from user input; the token lives in the user's session.
