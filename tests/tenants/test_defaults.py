"""A new supplier's site starts with the common carriers of its currency and one default
shipping method, in its language, whichever way its schema was made; all editable."""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from ordering.orders.models import Carrier, ShippingMethod
from ordering.orders.services.defaults import CARRIERS
from ordering.orders.services.settings import carrier_save, shipping_method_save
from tenants import schemas
from tenants.enums import ProvisionPath
from tenants.services import tenant_provision

CNY_CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "EMS", "京东物流"]


def _provision(slug, **extra):
    return tenant_provision(name=f"Company {slug}", slug=slug, owner_email=f"o@{slug}.example",
                            owner_password="Owner-pass-2026", **extra)


@pytest.mark.parametrize("path", ProvisionPath.values)
def test_every_provisioning_path_starts_with_the_defaults(db, path):
    if path == ProvisionPath.POOL:
        schemas.pool_fill(1)
    result = _provision(f"defaults-{path}", path=path)
    assert result.path == path
    with tenant_context(result.tenant):
        carriers = list(Carrier.objects.values_list("name", "tracking_url", "is_active"))
        assert [name for name, _url, _on in carriers] == CNY_CARRIERS
        assert all(url.startswith("https://") and "{number}" in url and active
                   for _name, url, active in carriers)
        assert list(ShippingMethod.objects.values_list("name", "fee", "is_active")) == [
            ("标准配送", 0, True)]


def test_the_defaults_follow_the_currency_and_language(db):
    result = _provision("defaults-usd", currency="USD", language="en")
    with tenant_context(result.tenant):
        names = list(Carrier.objects.values_list("name", flat=True))
        assert names[:2] == ["UPS", "FedEx"] and any("DHL" in n for n in names)
        assert "顺丰速运" not in names
        assert list(ShippingMethod.objects.values_list("name", flat=True)) == [
            "Standard delivery"]
    for currency, carriers in CARRIERS.items():
        assert carriers and all("{number}" in url for _name, url in carriers), currency


def test_each_tenant_gets_its_own_editable_defaults(db):
    first, second = _provision("defaults-one"), _provision("defaults-two")
    with tenant_context(first.tenant):
        owner = get_user_model().objects.get()
        sf = Carrier.objects.get(name="顺丰速运")
        carrier_save(actor=owner, carrier=sf, name="顺丰速运",
                     tracking_url="https://x.example/{number}", is_active=False)
        method = ShippingMethod.objects.get()
        shipping_method_save(actor=owner, method=method, name="同城配送", fee="12.50")
        Carrier.objects.get(name="EMS").delete()
    with tenant_context(second.tenant):
        assert Carrier.objects.get(name="顺丰速运").is_active
        assert Carrier.objects.filter(name="EMS").exists()
        assert ShippingMethod.objects.get().name == "标准配送"
    with tenant_context(first.tenant):
        assert not Carrier.objects.get(name="顺丰速运").is_active
        assert ShippingMethod.objects.get().fee == 12.5


def test_the_defaults_leave_a_schema_that_has_carriers_alone(in_acme):
    from ordering.orders.services.defaults import order_defaults_create

    Carrier.objects.create(name="Own carrier")
    ShippingMethod.objects.create(name="Own method")
    order_defaults_create(currency="CNY", language="zh-hans")
    assert list(Carrier.objects.values_list("name", flat=True)) == ["Own carrier"]
    assert list(ShippingMethod.objects.values_list("name", flat=True)) == ["Own method"]
