"""The customers' errors: customers, levels, logins, dealer applications."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class CustomerErrorCode(TextChoices):
    OUT_OF_SCOPE = "out_of_scope", \
        "The customer, region or sales rep is outside what the user may manage."
    PENDING_APPLICATION = "pending_application", \
        "The customer's application must be approved or rejected first."
    LEVEL_IN_USE = "level_in_use", "The level still has customers."
    PRIMARY_LOGIN = "primary_login", "The primary login cannot be disabled or removed."
    CUSTOMER_DISABLED = "customer_disabled", "The customer is disabled."
    REGISTRATION_CLOSED = "registration_closed", "The supplier takes no online applications."
    ALREADY_REVIEWED = "already_reviewed", "The application was already reviewed."
    THROTTLED = "throttled", "Too many applications from one network; try again later."


class CustomerError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class CustomerNotFoundError(CustomerError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class CustomerPermissionError(CustomerError, PermissionDeniedError):
    """Not allowed (403)."""


class CustomerConflictError(CustomerError, ConflictError):
    """The state forbids it (409)."""
