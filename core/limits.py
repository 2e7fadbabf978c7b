"""The plan-limit hook for apps that billing itself depends on (``roles``: billing →
tenants → roles, so roles cannot import billing). ``billing`` installs
``billing.limits.limit_check`` here when Django starts; until then nothing is checked."""

_check = None


def install(check):
    global _check
    _check = check


def limit_check(tenant, what, **kwargs):
    if _check is not None:
        _check(tenant, what, **kwargs)
