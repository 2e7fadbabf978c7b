"""Reading and writing .xlsx and .csv: size limits enforced while reading, CSV
decoded from UTF-8/UTF-16/GB18030, formulas written as text; cell cleaning."""

import csv
import functools
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import tablib
from django.utils import translation
from django.utils.translation import gettext
from import_export.formats import base_formats

from core.text import strip_control


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
