"""Errors of the operator console's support sessions."""

from django.db.models import TextChoices

from core.exceptions import ConflictError, NotFoundError, register_error_codes


@register_error_codes
class ImpersonationErrorCode(TextChoices):
    READ_ONLY = "impersonation_read_only", \
        "An operator's support session may not do this (read-only, or the user's own " \
        "credentials) (403)."


class DeletionRefusedError(ConflictError):
    """A tenant that may not be deleted now (not canceled, or still kept)."""


class ExportLinkExpiredError(NotFoundError):
    """An export's download link past its time (410 Gone)."""

    status = 410


class RestoreError(ConflictError):
    """An export that cannot be restored (missing, damaged, or the subdomain taken)."""
