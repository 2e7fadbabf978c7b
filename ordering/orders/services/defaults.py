"""What a new supplier's site starts with: the common carriers of its currency (each
with its tracking link) and one default shipping method, all editable in the order
settings. Called by ``tenants.services.tenant_provision`` in the new schema, whichever
way the schema was made (warm pool, template clone, migrations)."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ordering.orders.models import Carrier, ShippingMethod

# kuaidi100 tracks every domestic carrier with one link pattern (com = the carrier).
_KUAIDI100 = "https://www.kuaidi100.com/chaxun?com={com}&nu={{number}}"
_DHL = "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={number}"
_UPS = "https://www.ups.com/track?tracknum={number}"
_FEDEX = "https://www.fedex.com/fedextrack/?trknbr={number}"

CARRIERS = {
    "CNY": [
        ("顺丰速运", _KUAIDI100.format(com="shunfeng")),
        ("中通快递", _KUAIDI100.format(com="zhongtong")),
        ("圆通速递", _KUAIDI100.format(com="yuantong")),
        ("韵达快递", _KUAIDI100.format(com="yunda")),
        ("EMS", _KUAIDI100.format(com="ems")),
        ("京东物流", _KUAIDI100.format(com="jd")),
    ],
    "USD": [
        ("UPS", _UPS),
        ("FedEx", _FEDEX),
        ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
        ("DHL Express", _DHL),
    ],
    "EUR": [
        ("DHL", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?"
                "piececode={number}"),
        ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{number}"),
        ("GLS", "https://gls-group.com/track/{number}"),
        ("UPS", _UPS),
        ("FedEx", _FEDEX),
    ],
    "HKD": [
        ("顺丰速运 SF Express", "https://htm.sf-express.com/hk/tc/dynamic_function/waybill/"
                              "#search/bill-number/{number}"),
        ("香港郵政 Hongkong Post", "https://www.hongkongpost.hk/en/mail_tracking/index.html?"
                                "trackcode={number}"),
        ("DHL Express", _DHL),
        ("UPS", _UPS),
        ("FedEx", _FEDEX),
    ],
}


@transaction.atomic
def order_defaults_create(*, tenant=None, language="zh-hans", currency="CNY"):
    """Create the default carriers and shipping method in the current schema, in the
    tenant's language and for its currency; does nothing to a schema that has any."""
    if not Carrier.objects.exists():
        Carrier.objects.bulk_create([
            Carrier(name=name, tracking_url=url, position=position)
            for position, (name, url) in enumerate(CARRIERS.get(currency, CARRIERS["USD"]))])
    if not ShippingMethod.objects.exists():
        with translation.override(language):
            name = _("Standard delivery")
        ShippingMethod.objects.create(name=name, fee=0, position=0)
