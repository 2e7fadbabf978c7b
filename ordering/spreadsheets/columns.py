"""Columns: ``SheetResource``, the one definition of an app's columns (export,
empty template, recognised headers), and writing a sheet from it."""

from django.utils import translation
from import_export import resources

from ordering.spreadsheets.formats import CSVFormat, XLSXFormat, normalise_header


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
