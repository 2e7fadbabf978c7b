"""How a variant's specifications read: one order and one label everywhere (the
product page, the order grid, the cart, orders and their documents, the staff pages
and the exports).

The order is the order of the specification attributes (``SpecAttribute.position``,
then the attribute's id: the one created first comes first), never the order of the
values' ids or their text: 藏青 / L on every surface, not L / 藏青 on some. The values
must come with their attribute (``select_related("attribute")`` or
``SPEC_VALUES``), so ordering them costs no query.
"""

from ordering.catalog.models import SpecValue

SEPARATOR = " / "

# the prefetch every page and service uses for a variant's values (already in order)
SPEC_VALUES = SpecValue.objects.select_related("attribute").order_by(
    "attribute__position", "attribute_id", "position", "id")


def attribute_key(attribute):
    """The sort key of a specification attribute."""
    return (attribute.position, attribute.pk)


def ordered(values):
    """``values`` (SpecValues with their attribute) in attribute order."""
    return sorted(values, key=lambda value: (*attribute_key(value.attribute),
                                             value.position, value.pk))


def spec_label(values, *, with_names=False):
    """"藏青 / L", or with ``with_names`` "颜色: 藏青 / 尺码: L"; "" without values."""
    if with_names:
        return SEPARATOR.join(f"{value.attribute.name}: {value.value}"
                              for value in ordered(values))
    return SEPARATOR.join(value.value for value in ordered(values))


def variant_spec_label(variant, *, with_names=False):
    """The label of a variant whose ``spec_values`` are prefetched with their attribute."""
    return spec_label(variant.spec_values.all(), with_names=with_names)
