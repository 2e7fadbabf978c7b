"""The one error hierarchy every service raises.

Views turn an ApplicationError into a message on the page; the API turns it into
``{"error": {"code", "message", "fields"}}`` with a 4xx status.
"""


class ApplicationError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message, *, code=None, fields=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def __str__(self):
        return str(self.message)


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409
