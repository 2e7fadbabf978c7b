"""The catalog's all-or-nothing services (ordering.catalog.services.editing): a product
with its variants, a table of variants, a product's level prices, a customer's price on
several variants, several images. A refused part names itself and nothing is saved."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.catalog.models import CustomerPrice, LevelPrice, Product, ProductImage, Variant
from ordering.catalog.services import editing
from ordering.customers.services import customers as customer_services
from tests.factories.roles import staff_with_roles


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(buffer, format="PNG")
    return SimpleUploadedFile("good.png", buffer.getvalue(), content_type="image/png")


def _row(code, price="3.50", **extra):
    return {"code": code, "list_price": price, **extra}


def test_a_product_with_variants_is_one_write_and_names_the_refused_row(in_acme):
    made = editing.product_create_with_variants(
        actor=None, name="Tea", code="TEA", unit="tin", brand="Hill",
        variants=[_row("TEA-1", spec_values=[("Weight", "100 g")],
                       units=[("case", 12)]), _row("TEA-2")])
    assert made.brand.name == "Hill" and made.unit.name == "tin"  # made by name
    first = made.variants.get(code="TEA-1")
    assert [str(v) for v in first.spec_values.all()] and first.units.get().factor == 12

    with pytest.raises(editing.VariantRowError) as refused:
        editing.product_create_with_variants(
            actor=None, name="Coffee", code="COF", unit="tin",
            variants=[_row("COF-1"), _row("COF-2", price="-1")])
    assert refused.value.index == 1
    assert "list_price" in refused.value.error.fields
    assert list(refused.value.fields) == ["variants"]
    assert "1" in refused.value.fields["variants"]  # the API's shape
    assert not Product.objects.filter(code="COF").exists()
    assert not Variant.objects.filter(code="COF-1").exists()


def test_a_table_of_variants_is_saved_whole_or_not_at_all(in_acme):
    product = editing.product_create_with_variants(
        actor=None, name="Soap", code="SOAP", unit="bar",
        variants=[_row("SOAP-1"), _row("SOAP-2")])
    one, two = product.variants.order_by("code")
    saved = editing.variants_save(actor=None, product=product, rows=[
        _row("SOAP-1", price="4.00", variant=one.pk), _row("SOAP-3")])
    assert [v.code for v in saved] == ["SOAP-1", "SOAP-3"]
    one.refresh_from_db()
    assert one.list_price == Decimal("4.00")

    with pytest.raises(editing.VariantRowError) as refused:
        editing.variants_save(actor=None, product=product, rows=[
            _row("SOAP-1", price="5.00", variant=one.pk),
            _row("SOAP-2", variant=two.pk, units=[("bar", 6)])])  # the base unit again
    assert refused.value.index == 1 and "units" in refused.value.error.fields
    one.refresh_from_db()
    assert one.list_price == Decimal("4.00")  # the first row was undone

    other = editing.product_create_with_variants(actor=None, name="Oil", code="OIL",
                                                 unit="can", variants=[_row("OIL-1")])
    with pytest.raises(editing.VariantRowError) as foreign:  # another product's variant
        editing.variants_save(actor=None, product=product, rows=[
            _row("OIL-1", variant=other.variants.get().pk)])
    assert "no longer exists" in foreign.value.message
    image = ProductImage.objects.create(product=other, image="catalog/x.png")
    with pytest.raises(editing.VariantRowError) as foreign_image:
        editing.variants_save(actor=None, product=product, rows=[
            _row("SOAP-1", variant=one.pk, image=image.pk)])
    assert foreign_image.value.error.fields == {"image": ["Choose one of this product's images."]}


def test_variants_need_the_catalog_permission(in_acme):
    product = editing.product_create_with_variants(actor=None, name="Salt", code="SALT",
                                                   unit="bag")
    clerk = staff_with_roles("shipping_clerk", email="clerk-editing@acme.example")
    with pytest.raises(PermissionDeniedError):
        editing.variants_save(actor=clerk, product=product, rows=[_row("SALT-1")])


def test_level_prices_change_only_what_changed_and_a_refused_cell_undoes_the_rest(in_acme):
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=90)
    silver = customer_services.level_create(actor=None, name="Silver", price_percent=95)
    product = editing.product_create_with_variants(actor=None, name="Rice", code="RICE",
                                                   unit="bag", variants=[_row("RICE-1")])
    variant = product.variants.get()
    cells = {"a": (variant, gold, Decimal("3.00"), None), "b": (variant, silver, None, None)}
    assert editing.level_prices_set(actor=None, product=product, cells=cells) == 1
    assert editing.level_prices_set(actor=None, product=product, cells=cells) == 0  # same
    with pytest.raises(ApplicationError) as refused:
        editing.level_prices_set(actor=None, product=product, cells={
            "a": (variant, gold, Decimal("2.50"), None),
            "b": (variant, silver, Decimal("1.00"), Decimal("90"))})  # both: refused
    assert list(refused.value.fields) == ["b"]
    assert LevelPrice.objects.get(variant=variant, level=gold).price == Decimal("3.00")
    assert not LevelPrice.objects.filter(variant=variant, level=silver).exists()


def test_a_customer_price_on_several_variants(in_acme):
    customer = customer_services.customer_create(actor=None, name="Pearl River")
    product = editing.product_create_with_variants(
        actor=None, name="Ink", code="INK", unit="pot",
        variants=[_row("INK-1"), _row("INK-2")])
    editing.customer_prices_set(actor=None, variants=list(product.variants.all()),
                                customer=customer, price=Decimal("2.00"))
    assert CustomerPrice.objects.filter(customer=customer).count() == 2


def test_images_are_added_all_or_none_and_the_refused_file_is_named(in_acme):
    product = editing.product_create_with_variants(actor=None, name="Cup", code="CUP",
                                                   unit="piece")
    bad = SimpleUploadedFile("notes.png", b"text", content_type="image/png")
    with pytest.raises(ApplicationError) as refused:
        editing.images_add(actor=None, product=product, uploads=[_png(), bad])
    assert refused.value.message.startswith("notes.png: ")
    assert refused.value.fields == {"image": ["Upload a JPEG, PNG or WebP image."]}
    assert not ProductImage.objects.filter(product=product).exists()
    assert len(editing.images_add(actor=None, product=product, uploads=[_png()])) == 1
