"""Signup, provisioning and subdomain errors."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError, ConflictError, register_error_codes


@register_error_codes
class TenantErrorCode(TextChoices):
    PROVISION_FAILED = "provision_failed", "The new site could not be made; nothing was kept."
    INVALID_SUBDOMAIN = "invalid_subdomain", "The subdomain is not valid."
    SUBDOMAIN_TAKEN = "subdomain_taken", "The subdomain is taken (409)."
    REQUIRED = "required", "The subdomain is missing."
    TOO_SHORT = "too_short", "The subdomain is too short."
    TOO_LONG = "too_long", "The subdomain is too long."
    HYPHEN_EDGE = "hyphen_edge", "The subdomain starts or ends with a hyphen."
    BAD_CHARACTERS = "bad_characters", \
        "The subdomain has characters other than lowercase letters, digits, hyphens."
    DOUBLE_HYPHEN = "double_hyphen", "The subdomain has two hyphens in a row."
    RESERVED = "reserved", "The subdomain is reserved."
    THROTTLED = "throttled", "Too many requests from one network; try again later."


class TenantError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class ProvisionError(TenantError):
    code = TenantErrorCode.PROVISION_FAILED


class SubdomainError(TenantError):
    code = TenantErrorCode.INVALID_SUBDOMAIN

    def __init__(self, message, *, code=None):
        super().__init__(message, code=code, fields={"slug": [str(message)]})


class SubdomainTakenError(SubdomainError, ConflictError):
    code = TenantErrorCode.SUBDOMAIN_TAKEN
    status = 409

    def __init__(self, message=None):
        super().__init__(message or _("This subdomain is already taken."))


class PgToolError(RuntimeError):
    """pg_dump / pg_restore / psql failed or was asked something unsafe (an operator
    reads the message)."""
