"""A thin adapter around the official ``stripe`` library (Stripe Billing on the
platform's account). Everything returns plain dicts; amounts come back as Decimal.

Tests set ``HTTP_CLIENT`` to a ``stripe.HTTPClient`` that answers with recorded
responses; nothing here reaches the network then.
"""

from decimal import Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from billing.exceptions import BillingError, BillingErrorCode

HTTP_CLIENT = None  # replaced in tests and the bench
TRIAL_DAYS = 14
WEBHOOK_TOLERANCE = 300  # seconds


def configured():
    return bool(settings.STRIPE_SECRET_KEY)


def client():
    if not configured():
        raise BillingError(BillingErrorCode.STRIPE_NOT_CONFIGURED,
                           _("Online payment is not set up; ask Orderline to bill you by "
                             "bank transfer."))
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT,
                               max_network_retries=2)


def _plain(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(fn, *args, **kwargs):
    try:
        return _plain(fn(*args, **kwargs))
    except stripe.StripeError as error:
        raise BillingError(BillingErrorCode.STRIPE_ERROR,
                           _("Stripe did not accept the request: %(error)s")
                           % {"error": error.user_message or error.__class__.__name__}) from error


def checkout_session_create(*, subscription, price_id, success_url, cancel_url):
    """A Checkout session in subscription mode; a 14-day trial where the tenant never had
    one, collecting a card only if needed (a trial that ends without one pauses, which
    suspends the tenant: ``missing_payment_method``). Returns {"id", "url"}."""
    tenant = subscription.tenant
    params = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(tenant.pk),
        "metadata": {"tenant_id": str(tenant.pk)},
        "subscription_data": {"metadata": {"tenant_id": str(tenant.pk)}},
    }
    if subscription.stripe_customer_id:
        params["customer"] = subscription.stripe_customer_id
    elif tenant.owner_email:
        params["customer_email"] = tenant.owner_email
    if not subscription.had_trial:  # a Stripe trial, once per tenant
        params["subscription_data"]["trial_period_days"] = TRIAL_DAYS
        params["subscription_data"]["trial_settings"] = {
            "end_behavior": {"missing_payment_method": "pause"}}
        params["payment_method_collection"] = "if_required"
    session = _call(client().v1.checkout.sessions.create, params=params)
    return {"id": session["id"], "url": session["url"]}


def portal_session_create(*, subscription, return_url):
    """The Stripe customer portal (card, invoices, plan switch, cancel). Returns its URL."""
    session = _call(client().v1.billing_portal.sessions.create,
                    params={"customer": subscription.stripe_customer_id,
                            "return_url": return_url})
    return session["url"]


def _money(minor, currency):
    exponent = 0 if currency.lower() in {"jpy", "krw"} else 2
    return (Decimal(minor or 0) / (10 ** exponent)).quantize(Decimal("0.01"))


def invoice_list(*, subscription, limit=12):
    """The customer's invoices: number, date, amount, currency, status, PDF link."""
    if not subscription.stripe_customer_id:
        return []
    page = _call(client().v1.invoices.list,
                 params={"customer": subscription.stripe_customer_id, "limit": limit})
    return [{"id": inv["id"], "number": inv.get("number") or "",
             "created": inv.get("created"),
             "amount": _money(inv.get("total", inv.get("amount_due")), inv.get("currency", "")),
             "currency": (inv.get("currency") or "").upper(), "status": inv.get("status"),
             "pdf": inv.get("invoice_pdf") or ""} for inv in page.get("data", [])]


def subscription_retrieve(stripe_subscription_id):
    return _call(client().v1.subscriptions.retrieve, stripe_subscription_id)


def subscription_for_customer(stripe_customer_id):
    """The customer's newest subscription (any status), or None."""
    page = _call(client().v1.subscriptions.list,
                 params={"customer": stripe_customer_id, "status": "all", "limit": 1})
    data = page.get("data") or []
    return data[0] if data else None


def failed_events(*, limit=100):
    """Events whose delivery to our endpoint failed (reconciliation replays them)."""
    page = _call(client().v1.events.list, params={"delivery_success": False, "limit": limit})
    return page.get("data", [])


def event_construct(payload, sig_header):
    """Verify the signature over the raw body (tolerance 300 s); the event as a dict."""
    try:
        event = stripe.Webhook.construct_event(payload, sig_header,
                                               settings.STRIPE_WEBHOOK_SECRET,
                                               tolerance=WEBHOOK_TOLERANCE)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BillingError(BillingErrorCode.BAD_SIGNATURE,
                           _("The webhook signature is not valid.")) from error
    return _plain(event)
