from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError, ConflictError


class ProvisionError(ApplicationError):
    code = "provision_failed"


class SubdomainError(ApplicationError):
    code = "invalid_subdomain"

    def __init__(self, message, *, code=None):
        super().__init__(message, code=code, fields={"slug": [str(message)]})


class SubdomainTakenError(SubdomainError, ConflictError):
    code = "subdomain_taken"
    status = 409

    def __init__(self, message=None):
        super().__init__(message or _("This subdomain is already taken."))
