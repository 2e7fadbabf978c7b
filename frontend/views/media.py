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
from django.http import FileResponse, Http404

from frontend.mixins import require
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
