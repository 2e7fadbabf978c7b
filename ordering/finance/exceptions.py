"""Finance's errors: the ledger, credit, payments."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class FinanceErrorCode(TextChoices):
    OVER_CREDIT = "over_credit", \
        "The order does not fit what the customer may spend (see error.message)."
    INSUFFICIENT_BALANCE = "insufficient_balance", \
        "The prepaid or rebate balance does not cover the amount."
    ALREADY_REVERSED = "already_reversed", "The ledger entry was reversed already."
    ON_CREDIT_HOLD = "on_credit_hold", "The customer or order is on credit hold."
    NOT_PAID = "not_paid", "Finance review needs the order paid (or within credit)."
    PAYMENT_DECIDED = "payment_decided", "The payment was confirmed or rejected already."
    STATEMENT_STATE = "statement_state", \
        "The statement of account is not waiting for this step (see error.message)."
    ONLINE_PAYMENT = "online_payment", \
        "An online payment is confirmed by Stripe when the money arrives, not by hand (409)."
    ONLINE_UNAVAILABLE = "online_unavailable", \
        "Online payment is not available: the supplier's Stripe account does not accept " \
        "payments yet, or the platform has no Stripe keys (409)."
    ONLINE_KEY_REUSED = "online_key_reused", \
        "The pay form was already sent with other details; reload it (409)."


class FinanceError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class FinanceNotFoundError(FinanceError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class FinancePermissionError(FinanceError, PermissionDeniedError):
    """Not allowed (403)."""


class FinanceConflictError(FinanceError, ConflictError):
    """The state forbids it (409)."""
