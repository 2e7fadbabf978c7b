"""The Stripe webhook endpoints (public domain): Stripe Billing (the platform's
subscriptions) and Stripe Connect (the suppliers' accounts). Thin: verify, hand over,
answer."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import connect_adapter
from billing.connect_webhooks import connect_event_process
from billing.exceptions import BillingError, BillingErrorCode
from billing.stripe_adapter import event_construct
from billing.webhooks import event_process

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = event_construct(request.body, request.headers.get("Stripe-Signature"))
    except BillingError as error:
        return JsonResponse({"error": {"code": str(error.code), "message": str(error.message),
                                       "fields": {}}}, status=400)
    try:
        outcome = event_process(event)
    except Exception:  # rolled back: Stripe retries
        log.exception("stripe event %s failed", event.get("id"))
        return JsonResponse({"error": {"code": BillingErrorCode.WEBHOOK_FAILED.value, "message": "retry",
                                       "fields": {}}}, status=500)
    return JsonResponse({"received": outcome})


@csrf_exempt
@require_POST
def stripe_connect_webhook(request):
    """Events from the suppliers' connected accounts (Stripe Connect): verified with the
    Connect endpoint's own secret, then ``billing.connect_webhooks``."""
    try:
        event = connect_adapter.event_construct(request.body,
                                                request.headers.get("Stripe-Signature"))
    except BillingError as error:
        return JsonResponse({"error": {"code": str(error.code), "message": str(error.message),
                                       "fields": {}}}, status=400)
    try:
        outcome = connect_event_process(event)
    except Exception:  # rolled back: Stripe retries
        log.exception("stripe connect event %s failed", event.get("id"))
        return JsonResponse({"error": {"code": BillingErrorCode.WEBHOOK_FAILED.value,
                                       "message": "retry", "fields": {}}}, status=500)
    return JsonResponse({"received": outcome})
