"""The quotations' errors: inquiries, quotations, counter-offers, acceptance, expiry."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class QuoteErrorCode(TextChoices):
    INVALID_TRANSITION = "invalid_transition", \
        "The order or return is in a state where this action is not possible."
    EMPTY = "empty", "Nothing to do: no lines, no quantities, an empty cart."
    INVALID_LINES = "invalid_lines", "Some lines cannot be ordered (see error.fields)."
    QUOTATION_EXPIRED = "quotation_expired", \
        "The quotation's validity date has passed: ask for a new quotation."
    UNRESOLVED_LINES = "unresolved_lines", \
        "A free-text line is neither mapped to a catalog variant nor declined."
    ALREADY_ACCEPTED = "already_accepted", "The quotation was accepted already."
    QUOTATION_CHANGED = "quotation_changed", \
        "A newer version of the quotation than the one accepted is current (409): check it."
    NOT_ASSIGNED = "not_assigned", \
        "The inquiry is assigned to another staff member (403)."


class QuoteError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class QuoteNotFoundError(QuoteError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class QuotePermissionError(QuoteError, PermissionDeniedError):
    """Not allowed (403)."""


class QuoteConflictError(QuoteError, ConflictError):
    """The state forbids it (409)."""
