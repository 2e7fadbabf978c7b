"""A document a user uploads (an order's attachment, a payment's proof, an inquiry's
file): a PDF, JPEG or PNG file of at most 5 MB. The content decides the type, never the
name or the browser's type; the file is stored under the extension its content shows."""

import os

from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# what a file starts with → the extension it is stored under
SIGNATURES = ((b"%PDF-", ".pdf"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"))


def document_check(upload, *, stem="attachment", too_large=None):
    """What is wrong with ``upload`` ("" when nothing: it is then renamed to its name's
    stem, at most 60 characters, and the extension of its content). ``too_large``: the
    message for a file over 5 MB (default: about an attachment)."""
    if not upload.size:
        return _("The file is empty.")
    if upload.size > MAX_DOCUMENT_BYTES:
        return too_large or _("The attachment is larger than 5 MB.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = next((ext for magic, ext in SIGNATURES if head.startswith(magic)), None)
    if extension is None:
        return _("Attach a PDF, JPEG or PNG file.")
    name = os.path.splitext(os.path.basename(upload.name or ""))[0][:60] or stem
    upload.name = name + extension
    return ""
