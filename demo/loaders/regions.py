"""Sales regions: three provinces with their cities (English names for acme, Chinese for
globex). Idempotent."""

from roles.models import Region
from roles.services.regions import region_create

REGIONS = {
    "acme": {"Guangdong": ["Guangzhou", "Shenzhen", "Foshan"],
             "Zhejiang": ["Hangzhou", "Ningbo"], "Jiangsu": ["Nanjing", "Suzhou"]},
    "globex": {"浙江省": ["杭州市", "宁波市"], "江苏省": ["南京市", "苏州市"],
               "广东省": ["广州市", "深圳市"]},
}


def load(supplier):
    """Create the supplier's provinces and cities; returns them by name."""
    made = {}
    for province, cities in REGIONS[supplier["slug"]].items():
        parent = (Region.objects.filter(name=province, parent=None).first()
                  or region_create(actor=None, name=province))
        made[province] = parent
        for city in cities:
            made[city] = (Region.objects.filter(name=city, parent=parent).first()
                          or region_create(actor=None, name=city, parent=parent))
    return made


def cities(supplier):
    """The supplier's demo cities, in the order of ``REGIONS``."""
    return [Region.objects.get(name=city, parent__name=province, parent__parent=None)
            for province, names in REGIONS[supplier["slug"]].items() for city in names]
