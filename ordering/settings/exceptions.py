"""The business settings' errors (they use the generic codes)."""

from core.exceptions import ApplicationError


class SettingsError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""
