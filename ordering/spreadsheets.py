"""Spreadsheet import and export, shared by every app that moves rows in and out of
Excel (.xlsx) and CSV: the customers (customers, contacts, addresses) and the catalog
(products and variants, level and customer prices, stock).

What lives here, and what stays in each app:

* **Formats** — django-import-export's ``XLSX`` and ``CSV`` with three changes:
  reading stops at size limits (5 MB upload, 20 MB unpacked workbook, 20,000
  physical rows blank ones included — a small compressed workbook can expand to
  gigabytes, and a row limit is only useful if it is enforced while reading), CSV is
  decoded from UTF-8 (with or without BOM), UTF-16 or GB18030 (what Chinese Excel
  writes), and cells are written as text where a spreadsheet would otherwise run a
  formula (``=HYPERLINK(…)`` typed as a name must not become a live formula).
* **Columns** — ``SheetResource``: a django-import-export resource is the one
  definition of an app's columns (export, empty template, recognised headers in
  English, Chinese, the key and the app's aliases).
* **Rows** — ``import_dataset`` drives an app's ``RowImporter``: every row is parsed
  first (look-ups in bulk), then written through the app's services, one savepoint
  each; cell problems and every ``ApplicationError`` become row errors (spreadsheet
  row number, column, message). The *dry run* is the same code rolled back, so it
  finds exactly what the real import would; the real import is all or nothing, one
  transaction, one audit entry.
* **Jobs** — ``ImportJobs``: the check and the import run in the background (a Celery
  task per app); the upload and its state wait in the tenant's private storage under
  a random token that only the user's session knows; the page polls the state.

The apps keep what is theirs: their resources, their importers (which service each
row calls), their task and their pages.
"""

import csv
import functools
import io
import json
import logging
import os
import re
import uuid
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import tablib
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext as _
from import_export import resources
from import_export.formats import base_formats

from core.exceptions import ApplicationError, NotFoundError
from core.text import strip_control
from roles.enums import UserKind
from roles.services.audit import audit_record

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 60
# Blank lines count too: a file of millions of empty lines must not keep a worker busy.
MAX_PHYSICAL_ROWS = 20_000


# --- formats -----------------------------------------------------------------------


class SheetError(ValueError):
    """The file cannot be read; the message is for the user."""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _blank_cells(row):
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _too_many(max_rows):
    return SheetError(gettext("The file has more than %(n)d rows. Split it into several "
                              "files.") % {"n": max_rows})


def _dataset(rows, max_rows, max_columns):
    """A Dataset from the rows (first = headers). Blank rows are kept so that data
    row ``i`` is spreadsheet row ``i + 2``; trailing blank rows are dropped. At most
    ``MAX_PHYSICAL_ROWS`` rows are read, blank ones included."""
    rows = _limited(rows, max_rows)
    headers = None
    for row in rows:
        headers = list(row)[:max_columns]
        break
    if headers is None or _blank_cells(headers):
        raise SheetError(gettext("The first row must hold the column names."))
    while headers and (headers[-1] is None or str(headers[-1]).strip() == ""):
        headers.pop()
    headers = ["" if h is None else str(h).strip() for h in headers]
    width = len(headers)
    data, filled, pending_blank = [], 0, 0
    for row in rows:
        row = list(row)[:width]
        row += [None] * (width - len(row))
        if _blank_cells(row):
            pending_blank += 1
            continue
        filled += 1
        if filled > max_rows:
            raise _too_many(max_rows)
        data.extend([[None] * width] * pending_blank)
        pending_blank = 0
        data.append(row)
    dataset = tablib.Dataset(headers=headers)
    for row in data:
        dataset.append(row)
    return dataset


def _limited(rows, max_rows):
    for number, row in enumerate(rows, start=1):
        if number > MAX_PHYSICAL_ROWS:
            raise _too_many(max_rows)
        yield row


def clean_cell(value):
    """What any exported cell holds: text without control characters (line breaks kept
    as ``\n``, tabs kept). Every format writes its cells through this, so one stored
    control character can no longer break an export (openpyxl refuses them)."""
    return strip_control(value, multiline=True) if isinstance(value, str) else value


def clean_rows(dataset):
    for values in dataset:
        yield [clean_cell(value) for value in values]


class XLSXFormat(base_formats.XLSX):
    """Reads the first sheet with limits; writes text cells as text."""

    # 10,000 rows × 60 columns fit in a few MB of sheet XML; more is padding or a bomb.
    MAX_UNCOMPRESSED = 20 * 1024 * 1024

    def __init__(self, *, max_rows=5000, max_columns=MAX_COLUMNS, text_columns=(), **kwargs):
        super().__init__(**kwargs)
        self.max_rows, self.max_columns = max_rows, max_columns
        self.text_columns = set(text_columns)

    def create_dataset(self, in_stream):
        import openpyxl

        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                members = archive.infolist()
                if (len(members) > 1000
                        or sum(m.file_size for m in members) > self.MAX_UNCOMPRESSED):
                    raise SheetError(gettext("The workbook is too large once unpacked."))
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        except SheetError:
            raise
        except Exception as exc:  # zipfile, XML and openpyxl errors: not a workbook
            raise SheetError(gettext("The file could not be read as an Excel workbook "
                                     "(.xlsx).")) from exc
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # never trust the declared size

            rows = sheet.iter_rows(max_col=self.max_columns, values_only=True)
            return _dataset(rows, self.max_rows, self.max_columns)
        except SheetError:
            raise
        except Exception as exc:
            raise SheetError(gettext("The file could not be read as an Excel workbook "
                                     "(.xlsx).")) from exc
        finally:
            book.close()

    def export_data(self, dataset, **kwargs):
        """One sheet: bold, frozen header row; columns wide enough; strings stay strings
        (never formulas); ``text_columns`` formatted as text so typed codes and phone
        numbers keep their leading zeros."""
        import openpyxl
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = str(dataset.title or "Sheet1")[:31]
        headers = list(dataset.headers or [])
        widths = [max(10, min(40, len(str(h)) * 2 + 2)) for h in headers]
        sheet.append([clean_cell(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in clean_rows(dataset):
            sheet.append([None if v in (None, "") else v for v in values])
            row = sheet.max_row
            for index, value in enumerate(values, start=1):
                if isinstance(value, str) and value:
                    cell = sheet.cell(row=row, column=index)
                    cell.value = value
                    cell.data_type = "s"
                    if index <= len(widths):
                        widths[index - 1] = max(widths[index - 1], min(60, len(value) + 2))
        for index, key in enumerate(headers, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = widths[index - 1]
            if index - 1 in self.text_columns:
                sheet.column_dimensions[letter].number_format = "@"
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if cell.value is not None and cell.data_type == "s":
                        cell.number_format = "@"
        sheet.freeze_panes = "A2"
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()


class CSVFormat(base_formats.CSV):
    """Decodes UTF-8 (BOM or not), UTF-16 and GB18030; writes UTF-8 with a BOM."""

    def __init__(self, *, max_rows=5000, max_columns=MAX_COLUMNS, **kwargs):
        super().__init__(**kwargs)
        self.max_rows, self.max_columns = max_rows, max_columns

    @staticmethod
    def decode(content):
        if content.startswith(b"\xef\xbb\xbf"):
            encodings = ("utf-8-sig",)
        elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
            encodings = ("utf-16",)
        else:
            encodings = ("utf-8", "gb18030")
        for encoding in encodings:
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" in text:
                break
            return text
        raise SheetError(gettext("The file is not a CSV text file in UTF-8 or GB18030. Save "
                                 "it from Excel as “CSV UTF-8” or as an .xlsx workbook."))

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream if isinstance(in_stream, str) else self.decode(in_stream)
        first = text.split("\n", 1)[0]
        delimiter = ","
        if "," not in first:
            delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            return _dataset(reader, self.max_rows, self.max_columns)
        except csv.Error as exc:
            raise SheetError(gettext("The CSV file could not be read: %(error)s")
                             % {"error": exc}) from exc

    def export_data(self, dataset, **kwargs):
        """Text, with the BOM Excel needs to read UTF-8. A cell that a spreadsheet would
        read as a formula gets a leading apostrophe (the import strips it again)."""
        safe = tablib.Dataset(headers=[clean_cell(h) for h in dataset.headers or []])
        for row in clean_rows(dataset):
            safe.append([f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START)
                         and not _is_number(v) else v for v in row])
        return "\ufeff" + safe.export("csv")


def _is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


FORMATS = {"xlsx": XLSXFormat, "csv": CSVFormat}
CONTENT_TYPES = {"xlsx": base_formats.XLSX.CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}


# --- cells -------------------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "是", "对", "√", "✓", "✔", "x"}
_NO = {"no", "n", "false", "0", "否", "不是", "×", "✗"}


def yes_no_render(value):
    return gettext("Yes") if value else gettext("No")


@functools.lru_cache(maxsize=1)
def _yes_no_words():
    yes, no = set(_YES), set(_NO)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            yes.add(gettext("Yes").casefold())
            no.add(gettext("No").casefold())
    return frozenset(yes), frozenset(no)


def yes_no_parse(value):
    """True/False for yes/no in either language; None when it is neither."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    yes, no = _yes_no_words()
    if text in yes:
        return True
    if text in no:
        return False
    return None


def cell_text(value):
    """A cell as trimmed text: Excel numbers without a trailing .0, a formula-escaping
    apostrophe (written by our CSV export) removed, control characters dropped (line
    breaks kept as ``\n``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    text = strip_control(str(value), multiline=True).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def row_blank(row):
    return all(cell_text(cell) == "" for cell in row)


_AMOUNT_NOISE = re.compile(r"[\s,，¥￥$]")


def parse_amount(text):
    """A finite Decimal from a cell (thousands separators and currency signs allowed),
    or None."""
    try:
        amount = Decimal(_AMOUNT_NOISE.sub("", str(text)))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_whole(text):
    """A whole number from a cell ("12", "12.0", "1,200"), or None."""
    amount = parse_amount(text)
    if amount is None or amount != amount.to_integral_value():
        return None
    return int(amount)


# --- columns -----------------------------------------------------------------------


def normalise_header(text):
    return re.sub(r"[\s*＊_\-:：()（）]", "", str(text or "").casefold())


class SheetResource(resources.Resource):
    """A sheet's columns. ``key_column`` names the row; ``required`` are the columns
    a file must have; ``aliases`` the other headers the import accepts; ``export_only``
    the columns the import ignores (shown for reading only)."""

    kind = None
    key_column = "code"
    required = ()
    aliases = {}
    export_only = ()

    class Meta:
        chunk_size = 2000

    def columns(self):
        """``(key, header)`` in export order, headers in the active language."""
        return [(self.get_field_name(field), str(field.column_name))
                for field in self.get_export_fields()]

    def header_keys(self):
        """Normalised header → column key, in English, in Chinese and the aliases."""
        keys = {}
        for key, aliases in self.aliases.items():
            for alias in aliases:
                keys.setdefault(normalise_header(alias), key)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for key, header in self.columns():
                    keys[normalise_header(header)] = key
        for key, _header in self.columns():
            keys[normalise_header(key)] = key
        return keys


def sheet_bytes(resource, rows, *, extension, title, text_keys=()):
    """``rows`` (a queryset or a list; ``[]`` for a template) exported by ``resource``
    as xlsx or csv bytes; the ``text_keys`` columns formatted as text in xlsx."""
    dataset = resource.export(rows)
    dataset.title = str(title)
    if extension == "xlsx":
        text = [i for i, (key, _h) in enumerate(resource.columns()) if key in text_keys]
        data = XLSXFormat(text_columns=text).export_data(dataset)
    else:
        data = CSVFormat().export_data(dataset)
    return (data.encode("utf-8") if isinstance(data, str) else data), len(dataset)


# --- reading a file ----------------------------------------------------------------


class ImportFileError(ApplicationError):
    """The file as a whole cannot be imported (type, size, encoding, headers)."""

    code = "invalid_file"

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})


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
        pass

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
