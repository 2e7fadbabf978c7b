"""The orders' errors: cart, checkout, the workflow, amendments, shipments, returns."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class OrderErrorCode(TextChoices):
    INVALID_TRANSITION = "invalid_transition", \
        "The order or return is in a state where this action is not possible."
    EMPTY = "empty", "Nothing to do: no lines, no quantities, an empty cart."
    INVALID_LINES = "invalid_lines", "Some lines cannot be ordered (see error.fields)."
    BELOW_MINIMUM = "below_minimum", "The order is below the supplier's minimum amount."
    OVER_ORDER_LIMIT = "over_order_limit", "The order is above the login's limit per order."
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key", "The Idempotency-Key is too long."
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", \
        "The Idempotency-Key was used before for a different request (422)."
    UNCHANGED = "unchanged", "The amendment changes nothing."
    TOO_LARGE = "too_large", "The order's total (placed or amended) is too large."


class OrderError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class OrderNotFoundError(OrderError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class OrderPermissionError(OrderError, PermissionDeniedError):
    """Not allowed (403)."""


class OrderConflictError(OrderError, ConflictError):
    """The state forbids it (409)."""


class IdempotencyMismatch(OrderError):
    code = OrderErrorCode.IDEMPOTENCY_KEY_REUSED
    status = 422
