"""Stripe Connect for the tests: an HTTP client for the real ``stripe`` library that
answers like Stripe (connected accounts, Account Links, PaymentIntents on a connected
account) from memory, and Connect events signed as Stripe signs them. No network."""

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import parse_qsl

import pytest
import stripe

from billing import stripe_adapter
from billing.models import ConnectedAccount

CONNECT_SECRET = "whsec_connect_test"
WEBHOOK_URL = "/billing/stripe/connect/webhook/"


def _nested(form):
    """Stripe's form encoding (``metadata[order_ids]=1,2``) back into dicts."""
    result = {}
    for key, value in parse_qsl(form or "", keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


def _new_id(prefix):
    # unique across tests: committed race tests keep their PaymentIntents in acme
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


class FakeConnect(stripe.HTTPClient):
    """Accounts, account links and PaymentIntents as Stripe keeps them. ``requests``
    lists (method, path, headers, params) of every call."""

    name = "fake-connect"

    def __init__(self):
        super().__init__()
        self.accounts, self.intents, self.requests = {}, {}, []

    def account(self, account_id, *, charges_enabled=True, details_submitted=True,
                capabilities=None):
        self.accounts[account_id] = {
            "id": account_id, "object": "account", "charges_enabled": charges_enabled,
            "payouts_enabled": charges_enabled, "details_submitted": details_submitted,
            "capabilities": capabilities if capabilities is not None else {
                "card_payments": "active", "alipay_payments": "active",
                "wechat_pay_payments": "pending", "transfers": "active"},
            "requirements": {"disabled_reason": None if charges_enabled
                             else "requirements.past_due"}}
        return self.accounts[account_id]

    def intent(self, intent_id, *, account, amount, currency="cny", metadata=None,
               status="requires_payment_method"):
        self.intents[intent_id] = {
            "id": intent_id, "object": "payment_intent", "amount": amount,
            "amount_received": amount if status == "succeeded" else 0, "currency": currency,
            "status": status, "metadata": {k: str(v) for k, v in (metadata or {}).items()},
            "client_secret": f"{intent_id}_secret_x", "last_payment_error": None,
            "_account": account}
        return self.intents[intent_id]

    def succeed(self, intent_id):
        intent = self.intents[intent_id]
        intent.update(status="succeeded", amount_received=intent["amount"])
        return self.public(intent)

    @staticmethod
    def public(intent):
        return {k: v for k, v in intent.items() if not k.startswith("_")}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = url.split("api.stripe.com", 1)[-1].split("?")[0]
        params = _nested(post_data.decode() if isinstance(post_data, bytes) else post_data)
        self.requests.append((method, path, dict(headers), params))
        account = headers.get("Stripe-Account")
        if method == "post" and path == "/v1/accounts":
            created = self.account(_new_id("acct"), charges_enabled=False,
                                   details_submitted=False, capabilities={})
            return json.dumps(created), 200, {}
        if method == "get" and path.startswith("/v1/accounts/"):
            found = self.accounts.get(path.rsplit("/", 1)[-1])
            return (json.dumps(found), 200, {}) if found else self._missing()
        if method == "post" and path == "/v1/account_links":
            return json.dumps({"object": "account_link",
                               "url": f"https://connect.stripe.com/setup/s/{params['account']}/x",
                               "expires_at": int(time.time()) + 300}), 200, {}
        if method == "post" and path == "/v1/payment_intents":
            created = self.intent(_new_id("pi"), account=account,
                                  amount=int(params["amount"]), currency=params["currency"],
                                  metadata=params.get("metadata"))
            return json.dumps(self.public(created)), 200, {}
        if method == "get" and path.startswith("/v1/payment_intents/"):
            found = self.intents.get(path.rsplit("/", 1)[-1])
            if found is None or found["_account"] != account:
                return self._missing()
            return json.dumps(self.public(found)), 200, {}
        return self._missing()

    @staticmethod
    def _missing():
        return json.dumps({"error": {"type": "invalid_request_error",
                                     "code": "resource_missing",
                                     "message": "No such object"}}), 404, {}

    def calls(self, method, path_start):
        return [r for r in self.requests if r[0] == method and r[1].startswith(path_start)]

    def close(self):
        """Nothing to close: no connection is ever opened."""


def sign(payload, *, secret=CONNECT_SECRET, timestamp=None):
    """The ``Stripe-Signature`` header as Stripe computes it:
    ``t=<timestamp>,v1=HMAC-SHA256(secret, "<timestamp>.<payload>")``."""
    timestamp = int(timestamp or time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def connect_event(event_id, event_type, obj, *, account):
    return {"id": event_id, "object": "event", "type": event_type, "account": account,
            "api_version": "2026-10-28.endive", "created": int(time.time()),
            "livemode": False, "data": {"object": obj}}


def deliver(client, event, **signing):
    payload = json.dumps(event)
    return client.post(WEBHOOK_URL, payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(payload, **signing))


@pytest.fixture
def fake_connect(settings, monkeypatch):
    """The platform's keys and the Connect secret set, and Stripe answered from memory."""
    settings.STRIPE_SECRET_KEY = "sk_test_platform"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_platform"
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
    fake = FakeConnect()
    monkeypatch.setattr(stripe_adapter, "HTTP_CLIENT", fake)
    return fake


def connect_tenant(fake, tenant, account_id="acct_acme", **account):
    """``tenant`` has connected ``account_id``, which accepts payments (by default)."""
    stripe_account = fake.account(account_id, **account)
    return ConnectedAccount.objects.create(
        tenant=tenant, account_id=account_id, charges_enabled=stripe_account["charges_enabled"],
        details_submitted=stripe_account["details_submitted"],
        capabilities={k: v for k, v in stripe_account["capabilities"].items()
                      if k.endswith("_payments")})
