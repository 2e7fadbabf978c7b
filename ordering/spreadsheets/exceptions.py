"""The spreadsheet imports' errors."""

from django.db.models import TextChoices

from core.exceptions import ApplicationError, NotFoundError, register_error_codes


@register_error_codes
class SpreadsheetErrorCode(TextChoices):
    INVALID_FILE = "invalid_file", \
        "The file cannot be imported as a whole (type, size, encoding, headers)."


class SpreadsheetError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class ImportJobNotFoundError(SpreadsheetError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class ImportFileError(SpreadsheetError):
    """The file as a whole cannot be imported (type, size, encoding, headers)."""

    code = SpreadsheetErrorCode.INVALID_FILE

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})
