"""A thin adapter around the official ``stripe`` library for Stripe Connect: the
suppliers' own Stripe accounts (created by the platform, onboarded through Account
Links) and dealers' payments as direct charges on them (every call about a connected
account carries its id in the ``Stripe-Account`` header). Everything returns plain
dicts.

The client, its error handling and the test seam are ``stripe_adapter``'s: tests set
``stripe_adapter.HTTP_CLIENT`` and nothing here reaches the network.
"""

from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from billing import stripe_adapter
from billing.exceptions import BillingError, BillingErrorCode

WEBHOOK_TOLERANCE = stripe_adapter.WEBHOOK_TOLERANCE  # seconds
ZERO_DECIMAL = {"jpy", "krw"}
# The payment methods dealers may be offered, by the account capability that enables each
PAYMENT_CAPABILITIES = ("card_payments", "alipay_payments", "wechat_pay_payments")


def configured():
    """The platform has both keys: the secret one for the API, the publishable one for
    Stripe.js in the dealer's browser."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def _client():
    if not configured():
        raise BillingError(BillingErrorCode.STRIPE_NOT_CONFIGURED,
                           _("Online payments are not available on this platform yet."))
    return stripe_adapter.client()


def to_minor(amount, currency):
    """``Decimal("95.00")`` CNY → 9500 (Stripe's amounts are in the smallest unit)."""
    exponent = 0 if currency.lower() in ZERO_DECIMAL else 2
    return int((Decimal(amount) * (10 ** exponent)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor, currency):
    return stripe_adapter._money(minor, currency)


def account_create(*, tenant):
    """A new connected account for ``tenant``, controlled by the supplier itself (its own
    Stripe dashboard, Stripe's fees and losses on the account: what Stripe calls a
    standard account). A repeated call for the same tenant within a day returns the same
    account (idempotency key)."""
    params = {
        "controller": {"stripe_dashboard": {"type": "full"}, "fees": {"payer": "account"},
                       "losses": {"payments": "stripe"},
                       "requirement_collection": "stripe"},
        "business_profile": {"name": tenant.name},
        "metadata": {"tenant_id": str(tenant.pk), "tenant_schema": tenant.schema_name},
    }
    if tenant.owner_email:
        params["email"] = tenant.owner_email
    return stripe_adapter._call(_client().v1.accounts.create, params=params,
                                options={"idempotency_key": f"connect-account-{tenant.pk}"})


def account_link_create(*, account_id, refresh_url, return_url):
    """A one-time link to Stripe's hosted onboarding for the account; returns its URL."""
    link = stripe_adapter._call(_client().v1.account_links.create, params={
        "account": account_id, "type": "account_onboarding", "refresh_url": refresh_url,
        "return_url": return_url, "collection_options": {"fields": "eventually_due"}})
    return link["url"]


def account_retrieve(account_id):
    return stripe_adapter._call(_client().v1.accounts.retrieve, account_id)


def payment_intent_create(*, account_id, amount, currency, metadata, description,
                          idempotency_key):
    """A PaymentIntent on the connected account (a direct charge: the money is the
    supplier's) for ``amount`` (Decimal) in ``currency``; the payment methods are the
    ones the account offers (card, Alipay, WeChat Pay …). Returns {"id", "client_secret",
    …}."""
    params = {
        "amount": to_minor(amount, currency),
        "currency": currency.lower(),
        "automatic_payment_methods": {"enabled": True},
        "description": description[:1000],
        "metadata": {key: str(value) for key, value in metadata.items()},
    }
    return stripe_adapter._call(_client().v1.payment_intents.create, params=params,
                                options={"stripe_account": account_id,
                                         "idempotency_key": idempotency_key})


def payment_intent_retrieve(*, account_id, intent_id):
    """The PaymentIntent as Stripe has it now; None when the connected account has no
    such PaymentIntent."""
    try:
        return stripe_adapter._call(_client().v1.payment_intents.retrieve, intent_id,
                                    options={"stripe_account": account_id})
    except BillingError as error:
        cause = error.__cause__
        if isinstance(cause, stripe.InvalidRequestError) and cause.http_status == 404:
            return None
        raise


def event_construct(payload, sig_header):
    """Verify a Connect event's signature over the raw body with the Connect endpoint's
    secret (tolerance 300 s); the event as a dict. Without a secret nothing verifies."""
    secret = settings.STRIPE_CONNECT_WEBHOOK_SECRET
    try:
        if not secret:
            raise ValueError("no Connect webhook secret")
        event = stripe.Webhook.construct_event(payload, sig_header, secret,
                                               tolerance=WEBHOOK_TOLERANCE)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BillingError(BillingErrorCode.BAD_SIGNATURE,
                           _("The webhook signature is not valid.")) from error
    return stripe_adapter._plain(event)
