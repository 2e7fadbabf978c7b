"""The one error hierarchy every service raises, and the registry of error codes.

Views turn an ApplicationError into a message on the page; the API turns it into
``{"error": {"code", "message", "fields"}}`` with a 4xx status.

Each app declares its errors in its own ``exceptions.py``: a ``<Domain>Error`` class
under ``ApplicationError`` (with not-found / conflict / permission variants where it
raises them) and its codes as a ``TextChoices`` enum registered here with
``register_error_codes``. The codes are a public contract of the API: the OpenAPI
schema lists every registered code (``core.api_schema``), and a test fails on a code
written inline. To add one: a member in the app's enum (value = the code, label = what
it means, for developers), then ``raise <Domain>Error(message, code=Enum.MEMBER)``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    """Codes any endpoint may answer with (the base classes' and the framework's)."""

    INVALID = "invalid", "The request or a field is not valid (see error.fields)."
    NOT_FOUND = "not_found", "No such object, or not yours to see."
    PERMISSION_DENIED = "permission_denied", "Signed in, but not allowed to do this."
    CONFLICT = "conflict", "A business rule refused the change in the object's state."
    NOT_AUTHENTICATED = "not_authenticated", "Not signed in and no API key was sent."
    AUTHENTICATION_FAILED = "authentication_failed", "The credentials or API key are wrong."
    METHOD_NOT_ALLOWED = "method_not_allowed", "The path does not take this HTTP method."
    NOT_ACCEPTABLE = "not_acceptable", "The Accept header asks for a format not offered."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body's media type is not taken."
    PARSE_ERROR = "parse_error", "The body could not be parsed (malformed JSON)."
    THROTTLED = "throttled", "Too many requests; try again later."
    ERROR = "error", "Any other error."


_REGISTERED = [ErrorCode]


def register_error_codes(enum):
    """Add an app's code enum to the registry (from its ``exceptions.py``)."""
    if enum not in _REGISTERED:
        _REGISTERED.append(enum)
    return enum


def error_codes():
    """Every registered code → what it means (the first description of a code shared by
    several apps, such as ``empty``), in registration order."""
    codes = {}
    for enum in _REGISTERED:
        for member in enum:
            codes.setdefault(member.value, str(member.label))
    return codes


class ApplicationError(Exception):
    code = ErrorCode.INVALID
    status = 400

    def __init__(self, message, *, code=None, fields=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def __str__(self):
        return str(self.message)


class NotFoundError(ApplicationError):
    code = ErrorCode.NOT_FOUND
    status = 404


class PermissionDeniedError(ApplicationError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403


class ConflictError(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
