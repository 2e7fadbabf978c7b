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


# --- through Celery: a task queued during a support session acts for the operator too
HEADER = "acting_operator"


def _publish(headers=None, **_kwargs):
    operator = acting_operator()
    if operator and headers is not None:
        headers[HEADER] = operator


def _prerun(task=None, **_kwargs):
    request = getattr(task, "request", None)
    # some brokers merge the message headers into the request, others keep them apart
    headers = getattr(request, "headers", None) or {}
    operator = headers.get(HEADER) or getattr(request, HEADER, None) or ""
    task.request._acting_token = _operator.set(operator) if operator else None


def _postrun(task=None, **_kwargs):
    token = getattr(getattr(task, "request", None), "_acting_token", None)
    if token is not None:
        _operator.reset(token)


def connect_celery():
    """Carry the acting operator in a task's headers and back into the contextvar in the
    worker, so the audit entries a background job writes say "operator → user"."""
    from celery import signals

    signals.before_task_publish.connect(_publish, weak=False, dispatch_uid="core.acting.out")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="core.acting.in")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="core.acting.done")
