"""The storefront's fixtures (two levels, their dealers, products) for every catalog
test module."""

from tests.catalog.test_storefront import client_for, store  # noqa: F401
