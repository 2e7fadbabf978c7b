"""Who is really acting: set while an operator uses a tenant's dashboard as one of its
staff (``shared.middleware.ImpersonationMiddleware``), read by the tenant's audit log
so each entry says "operator → user"."""

from contextlib import contextmanager
from contextvars import ContextVar

_operator = ContextVar("acting_operator", default="")


def acting_operator():
    """The impersonating operator's e-mail, or "" when the user acts for themselves."""
    return _operator.get()


@contextmanager
def operator_acting(email):
    token = _operator.set(email or "")
    try:
        yield
    finally:
        _operator.reset(token)
