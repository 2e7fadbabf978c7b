"""Thumbnails of product images (made in the background, in the image's tenant)."""

import io

from django.core.files.base import ContentFile

THUMBNAIL_SIZE = (480, 480)


def thumbnail_make(*, image_id):
    """A ≤ 480 px WebP thumbnail next to the image; False if the image is gone."""
    from PIL import Image, ImageOps

    from ordering.catalog.models import ProductImage

    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None:
        return False
    if image.thumbnail and image.thumbnail.storage.exists(image.thumbnail.name):
        return True  # made by an earlier delivery of the same task: no second file
    with image.image.open("rb") as source, Image.open(source) as picture:
        picture = ImageOps.exif_transpose(picture)
        picture.thumbnail(THUMBNAIL_SIZE)
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGB")
        out = io.BytesIO()
        picture.save(out, "WEBP", quality=82)
    image.thumbnail.save("thumb.webp", ContentFile(out.getvalue()), save=False)
    type(image).objects.filter(pk=image.pk).update(thumbnail=image.thumbnail.name)
    return True
