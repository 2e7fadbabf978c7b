"""Accounts, roles and sign-in errors."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class RoleErrorCode(TextChoices):
    AUTHENTICATION_FAILED = "authentication_failed", "The credentials or API key are wrong."
    LOGIN_LINK_INVALID = "login_link_invalid", "The sign-in link is used, expired or wrong."
    PASSWORD_TOO_SHORT = "password_too_short", "The password is too short."
    EMAIL_TAKEN = "email_taken", "An account with this e-mail or phone exists already."
    ADMINISTRATOR_ONLY = "administrator_only", "Only a system administrator may do this."
    BUILTIN_ROLE = "builtin_role", "Built-in roles cannot be changed or deleted."
    LAST_ADMINISTRATOR = "last_administrator", \
        "The company's last active system administrator cannot be removed."


class RoleError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class RoleNotFoundError(RoleError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class RolePermissionError(RoleError, PermissionDeniedError):
    """Not allowed (403)."""


class RoleConflictError(RoleError, ConflictError):
    """The state forbids it (409)."""


class AuthError(RoleError):
    code = RoleErrorCode.AUTHENTICATION_FAILED
    status = 401


class LoginLinkError(RolePermissionError):
    code = RoleErrorCode.LOGIN_LINK_INVALID


class LastAdministratorError(RoleError):
    code = RoleErrorCode.LAST_ADMINISTRATOR
