"""Tenant-wide objects (regions, customer levels, shipping methods, carriers, categories,
the order, catalog and dealer sign-up settings) are changed only with a tenant-wide
permission. The services check it themselves, whatever a page or the API checked: a
scoped role (regional manager, sales rep) is refused and nothing changes. The page and
API rows are in test_permission_matrix.py."""

import pytest

from core.exceptions import PermissionDeniedError
from ordering.catalog.models import Category
from ordering.catalog.services.products import category_create
from ordering.catalog.services.settings import catalog_settings_update
from ordering.customers.models import CustomerLevel
from ordering.customers.services.applications import registration_settings_update
from ordering.customers.services.customers import level_create
from ordering.orders.models import Carrier, ShippingMethod
from ordering.orders.services.settings import (carrier_save, order_settings_update,
                                               shipping_method_save)
from ordering.settings.models import TenantSettings
from roles.models import Region
from roles.services.regions import region_create
from tenants.models import Tenant
from tests.factories.roles import staff_with_roles


def _writes(tenant):
    return {
        "region": lambda actor: region_create(actor=actor, name="Scoped Province"),
        "customer level": lambda actor: level_create(actor=actor, name="Scoped level",
                                                     price_percent="1"),
        "shipping method": lambda actor: shipping_method_save(actor=actor,
                                                              name="Scoped method", fee=0),
        "carrier": lambda actor: carrier_save(actor=actor, name="Scoped carrier"),
        "category": lambda actor: category_create(actor=actor, name="Scoped category"),
        "order settings": lambda actor: order_settings_update(
            actor=actor, workflow_off=[], reserve_stock_at="outbound",
            auto_receipt_days=1, min_order_amount=1),
        "catalog settings": lambda actor: catalog_settings_update(
            actor=actor, stock_display="hidden", allow_oversell=True),
        "dealer sign-up": lambda actor: registration_settings_update(
            actor=actor, self_registration=True),
    }


def _state():
    return (Region.objects.filter(name="Scoped Province").count(),
            CustomerLevel.objects.filter(name="Scoped level").count(),
            ShippingMethod.objects.filter(name="Scoped method").count(),
            Carrier.objects.filter(name="Scoped carrier").count(),
            Category.objects.filter(name="Scoped category").count(),
            list(TenantSettings.objects.values_list(
                "reserve_stock_at", "auto_receipt_days", "min_order_amount", "stock_display",
                "allow_oversell", "self_registration")))


@pytest.mark.parametrize("what", ["region", "customer level", "shipping method", "carrier",
                                  "category", "order settings", "catalog settings",
                                  "dealer sign-up"])
@pytest.mark.parametrize("role", ["regional_manager", "sales_rep"])
def test_scoped_roles_cannot_change_tenant_wide_objects(in_acme, role, what):
    actor = staff_with_roles(role)
    before = _state()
    with pytest.raises(PermissionDeniedError):
        _writes(Tenant.objects.get(slug="acme"))[what](actor)
    assert _state() == before


@pytest.mark.parametrize("what", ["region", "customer level", "shipping method", "carrier",
                                  "category", "order settings", "catalog settings",
                                  "dealer sign-up"])
def test_the_business_lead_can(in_acme, what):
    before = _state()
    _writes(Tenant.objects.get(slug="acme"))[what](staff_with_roles("business_lead"))
    assert _state() != before
