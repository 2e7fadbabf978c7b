"""Nothing of acme's catalog is reachable from globex: product images by URL (the media
view serves the host's tenant folder only), products by id on pages and the API."""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from ordering.catalog.services import products as catalog
from ordering.catalog.services.images import thumbnail_make


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("x.png", out.getvalue(), content_type="image/png")


def test_acme_product_images_are_not_served_on_globex(acme, globex, acme_client, globex_client,
                                                      login_as, django_capture_on_commit_callbacks):
    User = get_user_model()
    with tenant_context(acme):
        product = catalog.product_create(actor=None, name="Secret Cola", code="SECRET-1",
                                         unit=catalog.unit_get_or_create("bottle"))
        with django_capture_on_commit_callbacks(execute=True):
            image = catalog.image_add(actor=None, product=product, upload=_png())
        thumbnail_make(image_id=image.pk)
        image.refresh_from_db()
        url, thumb = image.image.url, image.thumbnail.url
        login_as(acme_client, acme, User.objects.get(email="owner@acme.example"))
    with tenant_context(globex):
        login_as(globex_client, globex, User.objects.get(email="owner@globex.example"))
    assert acme_client.get(url).status_code == 200
    assert acme_client.get(thumb).status_code == 200
    assert globex_client.get(url).status_code == 404
    assert globex_client.get(thumb).status_code == 404
    assert globex_client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert b"Secret Cola" not in globex_client.get("/api/v1/products/").content
