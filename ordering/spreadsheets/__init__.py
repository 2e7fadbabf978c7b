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

The four parts are the modules ``formats``, ``columns``, ``rows`` and ``jobs``;
this package re-exports their names.

The apps keep what is theirs: their resources, their importers (which service each
row calls), their task and their pages.
"""


from ordering.spreadsheets.formats import (  # noqa: F401
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_PHYSICAL_ROWS,
    SheetError,
    FORMULA_START,
    clean_cell,
    clean_rows,
    XLSXFormat,
    CSVFormat,
    FORMATS,
    CONTENT_TYPES,
    yes_no_render,
    yes_no_parse,
    cell_text,
    row_blank,
    parse_amount,
    parse_whole,
    normalise_header,
)
from ordering.spreadsheets.columns import (  # noqa: F401
    SheetResource,
    sheet_bytes,
)
from ordering.spreadsheets.rows import (  # noqa: F401
    ImportFileError,
    RowError,
    ImportResult,
    file_extension,
    read_file,
    map_columns,
    require_columns,
    Row,
    dataset_rows,
    RowImporter,
    import_dataset,
)
from ordering.spreadsheets.jobs import (  # noqa: F401
    STASH_DIR,
    STASH_MAX_AGE,
    JOB_STALE_AFTER,
    CHECKING,
    CHECKED,
    IMPORTING,
    IMPORTED,
    FAILED,
    RUNNING,
    job_name,
    state_write,
    state_read,
    result_to_dict,
    result_from_dict,
    delete_upload,
    upload_discard,
    upload_purge,
    ImportJobs,
)
