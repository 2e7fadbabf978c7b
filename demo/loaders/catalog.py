"""Catalog: acme sells ~150 beverages (single bottles and cases of 24, quantity breaks,
level prices, stock); globex ~80 garments in colour × size with pictures drawn here
(nothing is downloaded) and stock. Skipped when the tenant has products; needs the
customer levels (the ``customers`` loader)."""

import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from ordering.catalog.enums import MovementKind
from ordering.catalog.models import Product
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move

BEVERAGES = {
    "Juice": ["Orange", "Apple", "Mango", "Grape", "Pineapple", "Peach", "Guava", "Lychee"],
    "Tea": ["Green Tea", "Jasmine Tea", "Oolong Tea", "Lemon Tea", "Milk Tea", "Barley Tea"],
    "Water": ["Mineral Water", "Sparkling Water", "Spring Water", "Soda Water"],
    "Soft drinks": ["Cola", "Lemon Soda", "Ginger Ale", "Root Beer", "Orange Soda"],
    "Coffee": ["Black Coffee", "Latte", "Mocha", "Cappuccino"],
}
SIZES = [("200ml", "1.80"), ("250ml", "2.20"), ("330ml", "3.00"), ("500ml", "3.80"),
         ("1L", "6.50"), ("1.5L", "8.90")]
ACME_BRANDS = ["Sunpeak", "Blue Lagoon", "Golden Leaf", "Fresh Valley"]

APPAREL = {
    "上装": ["圆领T恤", "POLO衫", "衬衫", "卫衣", "针织衫", "夹克"],
    "下装": ["牛仔裤", "休闲裤", "运动裤", "短裤", "半身裙"],
    "外套": ["风衣", "羽绒服", "西装外套", "棉服"],
}
COLOURS = [("黑色", (30, 30, 30)), ("白色", (236, 236, 236)), ("藏青", (31, 45, 90)),
           ("酒红", (128, 24, 48)), ("卡其", (190, 160, 110))]
GARMENT_SIZES = ["S", "M", "L", "XL"]
GLOBEX_BRANDS = ["云裳", "锦衣坊", "织梦"]


def _picture(rgb, seed):
    """A simple garment silhouette in ``rgb`` on a light background (PNG upload)."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 600), (245, 246, 248))
    draw = ImageDraw.Draw(picture)
    shift = seed % 40
    body = [(180, 150), (250, 110 + shift // 4), (350, 110 + shift // 4), (420, 150),
            (500, 240), (440, 290), (400, 250), (400, 500), (200, 500), (200, 250),
            (160, 290), (100, 240)]
    draw.polygon(body, fill=rgb, outline=(90, 90, 90))
    draw.ellipse((265, 100 + shift // 4, 335, 150 + shift // 4), fill=(245, 246, 248))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return SimpleUploadedFile("garment.png", out.getvalue(), content_type="image/png")


def load(supplier):
    """Create the supplier's categories, brands, units, products, variants, prices and
    opening stock."""
    from ordering.customers.models import CustomerLevel

    if Product.objects.exists():
        return
    levels = list(CustomerLevel.objects.order_by("position", "id"))
    if supplier["slug"] == "acme":
        _acme(levels)
    else:
        _globex(levels)


def _acme(levels):
    rng = random.Random(7)
    bottle = catalog.unit_get_or_create("bottle")
    case = catalog.unit_get_or_create("case")
    root = catalog.category_create(actor=None, name="Beverages")
    brands = [catalog.brand_get_or_create(name) for name in ACME_BRANDS]
    number = 0
    for category_name, flavours in BEVERAGES.items():
        category = catalog.category_create(actor=None, name=category_name, parent=root)
        for flavour in flavours:
            for size, price in SIZES:
                number += 1
                if number > 150:
                    return
                brand = brands[number % len(brands)]
                product = catalog.product_create(
                    actor=None, name=f"{brand.name} {flavour} {size}", code=f"BV{number:04d}",
                    category=category, brand=brand, unit=bottle,
                    tags=["new"] if number % 9 == 0 else (["bestseller"] if number % 5 == 0 else []),
                    description=f"<p>{flavour} {category_name.lower()}, {size} bottle. "
                                f"Sold by the bottle or in cases of 24.</p>",
                    levels=[levels[0]] if number % 37 == 0 else None)
                variant = catalog.variant_save(
                    actor=None, product=product, code=f"BV{number:04d}-{size.upper()}",
                    barcode=f"69{number:011d}", list_price=price, units=[(case, 24)],
                    order_multiple=1, min_quantity=6 if size == "1L" else 1)
                catalog.quantity_breaks_set(actor=None, product=product, breaks=[
                    {"min_quantity": 48, "discount_percent": "3"},
                    {"min_quantity": 240, "discount_percent": "6"}])
                if number % 4 == 0:
                    catalog.level_price_set(actor=None, variant=variant, level=levels[0],
                                            price=str((Decimal(price) * Decimal("0.78"))
                                                      .quantize(Decimal("0.01"))))
                stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT,
                           quantity=rng.choice([0, 12, 96, 240, 480, 1200]) or 1)


def _globex(levels):
    rng = random.Random(11)
    piece = catalog.unit_get_or_create("件")
    bundle = catalog.unit_get_or_create("包")
    brands = [catalog.brand_get_or_create(name) for name in GLOBEX_BRANDS]
    number = 0
    for category_name, garments in APPAREL.items():
        category = catalog.category_create(actor=None, name=category_name)
        for garment in garments:
            for series in ("经典款", "新款", "加厚款", "修身款", "宽松款", "基础款"):
                number += 1
                if number > 80:
                    return
                brand = brands[number % len(brands)]
                colours = rng.sample(COLOURS, 3)
                product = catalog.product_create(
                    actor=None, name=f"{brand.name}{series}{garment}", code=f"FZ{number:04d}",
                    category=category, brand=brand, unit=piece,
                    tags=["新品"] if number % 6 == 0 else [],
                    description=f"<p>{series}{garment}，面料舒适，颜色尺码齐全。</p>")
                for index, (_name, rgb) in enumerate(colours):
                    catalog.image_add(actor=None, product=product,
                                      upload=_picture(rgb, number * 3 + index))
                price = Decimal(rng.choice(["39", "59", "79", "99", "129", "199"]))
                made = catalog.variants_generate(
                    actor=None, product=product, list_price=str(price), units=[(bundle, 10)],
                    specs=[("颜色", [name for name, _rgb in colours]), ("尺码", GARMENT_SIZES)])
                for variant in made:
                    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT,
                               quantity=rng.choice([5, 20, 60, 150]))
