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
  task per app); the job, its state, counts and row errors are rows in the tenant's
  schema (``models.ImportJob``, ``ImportRowError``) under a random id that only the
  user's session knows, the upload a file in the tenant's private storage; web and
  worker share nothing else. The page polls the state; old jobs are purged daily.

The four parts are the modules ``formats``, ``columns``, ``rows`` and ``jobs``;
this package re-exports their names.

The apps keep what is theirs: their resources, their importers (which service each
row calls), their task and their pages.
"""

import importlib

# Every name of the four modules, loaded on first use: this package is also the Django
# app ``spreadsheets`` (its models are the import jobs), so importing it must not load
# models before the app registry is ready.
_NAMES = {
    # formats
    "MAX_BYTES": "formats",
    "MAX_COLUMNS": "formats",
    "MAX_PHYSICAL_ROWS": "formats",
    "SheetError": "formats",
    "FORMULA_START": "formats",
    "clean_cell": "formats",
    "clean_rows": "formats",
    "XLSXFormat": "formats",
    "CSVFormat": "formats",
    "FORMATS": "formats",
    "CONTENT_TYPES": "formats",
    "yes_no_render": "formats",
    "yes_no_parse": "formats",
    "cell_text": "formats",
    "row_blank": "formats",
    "parse_amount": "formats",
    "parse_whole": "formats",
    "normalise_header": "formats",
    # columns
    "SheetResource": "columns",
    "sheet_bytes": "columns",
    # rows
    "ImportFileError": "exceptions",
    "RowError": "rows",
    "ImportResult": "rows",
    "file_extension": "rows",
    "read_file": "rows",
    "map_columns": "rows",
    "require_columns": "rows",
    "Row": "rows",
    "dataset_rows": "rows",
    "RowImporter": "rows",
    "import_dataset": "rows",
    # jobs
    "STASH_DIR": "jobs",
    "STASH_MAX_AGE": "jobs",
    "JOB_STALE_AFTER": "jobs",
    "UPLOADED": "jobs",
    "CHECKING": "jobs",
    "CHECKED": "jobs",
    "IMPORTING": "jobs",
    "IMPORTED": "jobs",
    "FAILED": "jobs",
    "RUNNING": "jobs",
    "job_name": "jobs",
    "job_for_user": "jobs",
    "job_result": "jobs",
    "upload_discard": "jobs",
    "upload_purge": "jobs",
    "jobs_purge": "jobs",
    "ImportJobs": "jobs",
}
__all__ = sorted(_NAMES)


def __getattr__(name):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__():
    return __all__
