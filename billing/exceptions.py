"""Billing errors: one class, a code from one enum, a message that says what to do."""

from django.db.models import TextChoices

from core.exceptions import ApplicationError, register_error_codes


@register_error_codes
class BillingErrorCode(TextChoices):
    LIMIT_REACHED = "plan_limit_reached", \
        "One more would exceed the plan's limit; upgrade on the billing page (402)."
    READ_ONLY = "tenant_read_only", "The site is read-only until its subscription is paid (402)."
    ORDERING_PAUSED = "ordering_paused", "Ordering is paused until the subscription is paid (402)."
    TENANT_SUSPENDED = "tenant_suspended", "The site is not available to this user (403)."
    DOWNGRADE_BELOW_USAGE = "downgrade_below_usage", \
        "The plan allows less than the site uses; remove some first (409)."
    INVALID_TRANSITION = "invalid_billing_transition", \
        "The subscription cannot move to that status (409)."
    UNKNOWN_PLAN = "unknown_plan", "No plan with that code."
    STRIPE_NOT_CONFIGURED = "stripe_not_configured", \
        "Online payment is not set up (manual billing mode) (409)."
    STRIPE_ERROR = "stripe_error", "Stripe refused or failed the request (502)."
    BAD_SIGNATURE = "webhook_bad_signature", \
        "The Stripe webhook signature or timestamp is not valid."
    WEBHOOK_FAILED = "webhook_failed", "Handling the Stripe event failed; Stripe retries (500)."


# Payment Required for what money fixes, Forbidden or Conflict for the rest.
STATUS = {
    BillingErrorCode.LIMIT_REACHED: 402,
    BillingErrorCode.READ_ONLY: 402,
    BillingErrorCode.ORDERING_PAUSED: 402,
    BillingErrorCode.TENANT_SUSPENDED: 403,
    BillingErrorCode.DOWNGRADE_BELOW_USAGE: 409,
    BillingErrorCode.INVALID_TRANSITION: 409,
    BillingErrorCode.UNKNOWN_PLAN: 400,
    BillingErrorCode.STRIPE_NOT_CONFIGURED: 409,
    BillingErrorCode.STRIPE_ERROR: 502,
    BillingErrorCode.BAD_SIGNATURE: 400,
    BillingErrorCode.WEBHOOK_FAILED: 500,
}


class BillingError(ApplicationError):
    """``limit``, ``allowed`` and ``used`` say which plan limit refused (LIMIT_REACHED)."""

    code = BillingErrorCode.LIMIT_REACHED

    def __init__(self, code, message, *, fields=None, upgrade_url="", limit="", allowed=None,
                 used=None):
        code = BillingErrorCode(code)
        super().__init__(message, code=code, fields=fields)
        self.status = STATUS[code]
        self.upgrade_url = upgrade_url
        self.limit, self.allowed, self.used = limit, allowed, used
