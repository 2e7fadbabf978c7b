"""Serve the current tenant's uploaded files to its signed-in users.

The folder comes from the host (the tenant's schema), never from the URL, so
another tenant's files cannot be named. Only regular files inside that folder
are served; raster images inline, everything else as a download, with nosniff.
Nothing under ``private/`` (e.g. dealers' business licences) is ever served here:
those files have their own views that check permission and scope.
"""

import mimetypes
import os

from django.core.files.storage import default_storage
from django.http import HttpResponse, FileResponse, Http404

from frontend.common.views.base import require
from roles.permissions import SIGNED_IN

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
PRIVATE_FOLDER = "private"


@require(SIGNED_IN)
def tenant_media(request, path):
    root = os.path.realpath(default_storage.location)
    full = os.path.realpath(os.path.join(root, path))
    if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
        raise Http404
    if os.path.relpath(full, root).split(os.sep)[0].lower() == PRIVATE_FOLDER:
        raise Http404
    content_type, _encoding = mimetypes.guess_type(full)
    inline = content_type in INLINE_TYPES
    response = FileResponse(open(full, "rb"), as_attachment=not inline,
                            content_type=content_type if inline else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


ORDER_ATTACHMENTS = "private/orders/"
INQUIRY_ATTACHMENTS = "private/inquiries/"
RETURN_PHOTOS = "private/returns/"
PRIVATE_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                       "WEBP": ("image/webp", "webp")}


def _private_response(handle, *, content_type, filename, download):
    response = FileResponse(handle, as_attachment=download, filename=filename,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _private_open(name, folder):
    """A file under the tenant's private ``folder``, or 404 (never a path elsewhere)."""
    if not name or not name.startswith(folder) or ".." in name:
        raise Http404
    try:
        return default_storage.open(name, "rb")
    except OSError:
        raise Http404 from None


def serve_private_image(name, *, folder, filename):
    """An image the caller has checked the user may see (licence, return photo): inline,
    its type read from the content (JPEG, PNG or WebP), else 404."""
    from PIL import Image, UnidentifiedImageError

    handle = _private_open(name, folder)
    try:
        with Image.open(handle) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError):
        kind = None
    if kind not in PRIVATE_IMAGE_TYPES:
        handle.close()
        raise Http404
    handle.seek(0)
    content_type, extension = PRIVATE_IMAGE_TYPES[kind]
    return _private_response(handle, content_type=content_type,
                             filename=f"{filename}.{extension}", download=False)


def serve_private_download(name, *, folder, filename=None):
    """A file the caller has checked the user may see (an order's or an inquiry's
    attachment), always as a download (named ``filename``, else as stored)."""
    handle = _private_open(name, folder)
    return _private_response(handle, content_type="application/octet-stream",
                             filename=filename or name.rsplit("/", 1)[-1], download=True)


def serve_inquiry_file(user, *, inquiry_pk, pk):
    """A file of an inquiry ``user`` may see (either desk), under its original name."""
    from ordering.quotes import selectors
    from ordering.quotes.exceptions import QuoteNotFoundError

    try:
        found = selectors.inquiry_attachment(actor=user, inquiry_pk=inquiry_pk, pk=pk)
    except QuoteNotFoundError:
        raise Http404 from None
    return serve_private_download(found.file.name, folder=INQUIRY_ATTACHMENTS,
                                  filename=found.original_name)


def download(data, filename, extension):
    """A generated file (xlsx, csv, pdf) as a download that no browser renders inline
    or caches."""
    from ordering.spreadsheets import CONTENT_TYPES

    content_type = "application/pdf" if extension == "pdf" else CONTENT_TYPES[extension]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


PAYMENT_PROOFS = "private/payments/"


def serve_private_proof(name, *, filename):
    """A payment's proof the caller has checked the user may see: an image inline, a
    PDF as a download, anything else 404."""
    handle = _private_open(name, PAYMENT_PROOFS)
    head = handle.read(5)
    handle.seek(0)
    if head.startswith(b"%PDF"):
        return _private_response(handle, content_type="application/pdf",
                                 filename=f"{filename}.pdf", download=True)
    handle.close()
    return serve_private_image(name, folder=PAYMENT_PROOFS, filename=filename)
