"""Errors of the operator console's support sessions."""

from django.db.models import TextChoices

from core.exceptions import register_error_codes


@register_error_codes
class ImpersonationErrorCode(TextChoices):
    READ_ONLY = "impersonation_read_only", \
        "An operator's support session may not do this (read-only, or the user's own " \
        "credentials) (403)."
