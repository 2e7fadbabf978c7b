"""The spreadsheet imports' errors."""

from django.db.models import TextChoices

from core.exceptions import ApplicationError, NotFoundError, register_error_codes


@register_error_codes
class SpreadsheetErrorCode(TextChoices):
    INVALID_FILE = "invalid_file", \
        "The file cannot be imported as a whole (type, size, encoding, headers)."


class SpreadsheetError(ApplicationError):
    pass


class ImportJobNotFoundError(SpreadsheetError, NotFoundError):
    pass


class ImportFileError(SpreadsheetError):
    """The file as a whole cannot be imported (type, size, encoding, headers)."""

    code = SpreadsheetErrorCode.INVALID_FILE

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})
