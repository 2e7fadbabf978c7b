"""Billing errors: one class, a code from one enum, a message that says what to do."""

from enum import Enum

from core.exceptions import ApplicationError


class BillingErrorCode(str, Enum):
    LIMIT_REACHED = "plan_limit_reached"
    READ_ONLY = "tenant_read_only"
    ORDERING_PAUSED = "ordering_paused"
    DOWNGRADE_BELOW_USAGE = "downgrade_below_usage"
    INVALID_TRANSITION = "invalid_billing_transition"
    UNKNOWN_PLAN = "unknown_plan"
    STRIPE_NOT_CONFIGURED = "stripe_not_configured"
    STRIPE_ERROR = "stripe_error"
    BAD_SIGNATURE = "webhook_bad_signature"


# Payment Required for what money fixes, Forbidden for the rest.
_STATUS = {
    BillingErrorCode.LIMIT_REACHED: 402,
    BillingErrorCode.READ_ONLY: 402,
    BillingErrorCode.ORDERING_PAUSED: 402,
    BillingErrorCode.DOWNGRADE_BELOW_USAGE: 409,
    BillingErrorCode.INVALID_TRANSITION: 409,
    BillingErrorCode.UNKNOWN_PLAN: 400,
    BillingErrorCode.STRIPE_NOT_CONFIGURED: 409,
    BillingErrorCode.STRIPE_ERROR: 502,
    BillingErrorCode.BAD_SIGNATURE: 400,
}


class BillingError(ApplicationError):
    """``limit``, ``allowed`` and ``used`` say which plan limit refused (LIMIT_REACHED)."""

    def __init__(self, code, message, *, fields=None, upgrade_url="", limit="", allowed=None,
                 used=None):
        code = BillingErrorCode(code)
        super().__init__(message, code=code.value, fields=fields)
        self.billing_code = code
        self.status = _STATUS[code]
        self.upgrade_url = upgrade_url
        self.limit, self.allowed, self.used = limit, allowed, used
