"""A stripe HTTP client answering with recorded responses shaped like Stripe's objects."""

import json
import time

import stripe


def subscription(sub_id="sub_1", customer="cus_1", status="active", price="price_pro_m",
                 trial_end=None, period_end=None):
    now = int(time.time())
    return {"id": sub_id, "object": "subscription", "customer": customer, "status": status,
            "cancel_at_period_end": False, "trial_end": trial_end, "created": now,
            "items": {"object": "list", "data": [{
                "id": "si_1", "object": "subscription_item",
                "current_period_end": period_end or now + 30 * 86400,
                "price": {"id": price, "object": "price", "recurring": {"interval": "month"}}}]}}


class FakeStripe(stripe.HTTPClient):
    name = "fake"

    def __init__(self):
        super().__init__()
        self.subscriptions = {}
        self.requests = []
        self.fail_next = 0
        self.failed_events = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append((method, url, post_data))
        if self.fail_next:
            self.fail_next -= 1
            return json.dumps({"error": {"type": "api_error", "message": "boom"}}), 500, {}
        path = url.split("api.stripe.com", 1)[-1].split("?")[0]
        if path.startswith("/v1/subscriptions/"):
            sub = self.subscriptions.get(path.rsplit("/", 1)[-1])
            if sub is None:
                return json.dumps({"error": {"type": "invalid_request_error",
                                             "message": "No such subscription"}}), 404, {}
            return json.dumps(sub), 200, {}
        if path == "/v1/subscriptions":
            data = [s for s in self.subscriptions.values()]
            return json.dumps({"object": "list", "data": data[-1:], "has_more": False}), 200, {}
        if path == "/v1/checkout/sessions":
            return json.dumps({"id": "cs_1", "object": "checkout.session",
                               "url": "https://checkout.stripe.com/c/pay/cs_1"}), 200, {}
        if path == "/v1/billing_portal/sessions":
            return json.dumps({"id": "bps_1", "object": "billing_portal.session",
                               "url": "https://billing.stripe.com/p/session/bps_1"}), 200, {}
        if path == "/v1/invoices":
            return json.dumps({"object": "list", "has_more": False, "data": [{
                "id": "in_1", "object": "invoice", "number": "ORD-0001", "created": 1764979200,
                "total": 89900, "currency": "cny", "status": "paid",
                "invoice_pdf": "https://pay.stripe.com/invoice/in_1/pdf"}]}), 200, {}
        if path == "/v1/events":
            return json.dumps({"object": "list", "has_more": False,
                               "data": self.failed_events}), 200, {}
        return json.dumps({"error": {"type": "invalid_request_error"}}), 404, {}

    def close(self):
        """Nothing to close: no connection is ever opened."""
