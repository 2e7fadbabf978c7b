"""What the product editor and the catalog API save in one go, each all or nothing in
one transaction: a product with its variants, a table of variants, a product's level
prices, a customer's special price on several variants, a batch of images. The pages
and the API only parse input and call these; a refused part names itself in the error.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from ordering.catalog.exceptions import CatalogError, VariantRowError
from ordering.catalog.models import LevelPrice
from ordering.catalog.services import products as catalog
from ordering.customers.services.guards import require_perm


def variant_row_save(*, actor, product, row, variants=None, images=None, ip=None):
    """Save one variant row of ``product``: ``variant_save``'s fields, with ``variant``
    the id of one of the product's variants (absent or None: a new one), ``image`` the
    id of one of its images, ``spec_values`` as (specification, value) names and
    ``units`` as (unit name, factor). ``variants`` / ``images``: the product's, by id,
    when the caller has them."""
    row = dict(row)
    variant_id, image_id = row.pop("variant", None), row.pop("image", None)
    variant = image = None
    if variant_id:
        if variants is None:
            variants = {v.pk: v for v in product.variants.filter(pk=variant_id)}
        variant = variants.get(int(variant_id))
        if variant is None:
            raise CatalogError(_("This variant no longer exists: reload the page."))
    if image_id:
        if images is None:
            images = {i.pk: i for i in product.images.filter(pk=image_id)}
        image = images.get(int(image_id))
        if image is None:
            message = _("Choose one of this product's images.")
            raise CatalogError(message, fields={"image": [message]})
    return catalog.variant_save(actor=actor, product=product, variant=variant, image=image,
                                ip=ip, **row)


@transaction.atomic
def variants_save(*, actor, product, rows, ip=None):
    """Save a table of variant rows (``variant_row_save``) of ``product``: all or none.
    A refused row raises ``VariantRowError``. Returns the saved variants in order."""
    require_perm(actor, "manage_catalog")
    variants = {v.pk: v for v in product.variants.all()}
    images = {i.pk: i for i in product.images.all()}
    saved = []
    for index, row in enumerate(rows):
        try:
            saved.append(variant_row_save(actor=actor, product=product, row=row,
                                          variants=variants, images=images, ip=ip))
        except ApplicationError as exc:
            raise VariantRowError(index, exc) from exc
    return saved


@transaction.atomic
def product_create_with_variants(*, actor, variants=(), levels=None, ip=None, **values):
    """A product and its variant rows (``variants_save``) in one transaction; brand and
    unit may be given by name."""
    product = catalog.product_create(actor=actor, levels=levels, ip=ip, **values)
    if variants:
        variants_save(actor=actor, product=product, rows=variants, ip=ip)
    return product


@transaction.atomic
def level_prices_set(*, actor, product, cells, ip=None):
    """Set a product's level prices at once: ``cells`` maps a key (the page's field
    name) to ``(variant, level, price, percent)``. Cells whose value did not change are
    left alone. A refused cell raises an error on its key and nothing is saved.
    Returns how many cells changed."""
    require_perm(actor, "manage_prices")
    current = {(lp.variant_id, lp.level_id): (lp.price, lp.percent)
               for lp in LevelPrice.objects.filter(variant__product=product)}
    changed = 0
    for key, (variant, level, price, percent) in cells.items():
        if variant.product_id != product.pk:
            raise CatalogError(_("No such variant."), fields={key: [_("No such variant.")]})
        if current.get((variant.pk, level.pk), (None, None)) == (price, percent):
            continue
        try:
            catalog.level_price_set(actor=actor, variant=variant, level=level, price=price,
                                    percent=percent, ip=ip)
        except ApplicationError as exc:
            raise CatalogError(exc.message, code=exc.code,
                                   fields={key: [exc.message]}) from exc
        changed += 1
    return changed


@transaction.atomic
def customer_prices_set(*, actor, variants, customer, price, ip=None):
    """One customer's special price (None removes it) on each of ``variants``."""
    for variant in variants:
        catalog.customer_price_set(actor=actor, variant=variant, customer=customer,
                                   price=price, ip=ip)


@transaction.atomic
def images_add(*, actor, product, uploads, ip=None):
    """Add several images to ``product``: all or none; the message names a refused file
    (its fields are the file's own error)."""
    made = []
    for upload in uploads:
        name = upload.name
        try:
            made.append(catalog.image_add(actor=actor, product=product, upload=upload, ip=ip))
        except ApplicationError as exc:
            raise CatalogError(f"{name}: {exc.message}", code=exc.code,
                                   fields=exc.fields) from exc
    return made
