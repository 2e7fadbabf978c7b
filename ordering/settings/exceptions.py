"""The business settings' errors (they use the generic codes)."""

from core.exceptions import ApplicationError


class SettingsError(ApplicationError):
    pass
