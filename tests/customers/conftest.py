"""Shared helpers for the customer tests (no autouse fixtures here)."""

import pytest


@pytest.fixture
def customer_factory():
    """``customer_factory(name="…", **values)``: a customer created by the platform
    (``actor=None``) through the service, in the schema the connection is on (use it
    inside ``in_acme`` or ``tenant_context``). ``contact={"name": …}`` adds a primary
    contact; ``status=`` creates it pending, for instance."""
    from ordering.customers.services.customers import customer_create

    counter = iter(range(1, 10_000))

    def make(name=None, **values):
        return customer_create(actor=None, name=name or f"Customer {next(counter)}", **values)

    return make
