from core.exceptions import ApplicationError, PermissionDeniedError


class AuthError(ApplicationError):
    code = "authentication_failed"
    status = 401


class LoginLinkError(PermissionDeniedError):
    code = "login_link_invalid"
