"""A payment's proof (a scan or photo of the transfer slip, a cheque): a PDF, JPEG or PNG
file of at most 5 MB. The content decides the type, never the name or the browser's
type; the file is stored under the extension its content shows."""

import hashlib
import os

from django.utils.translation import gettext as _

from ordering.finance.exceptions import FinanceError

MAX_PROOF_BYTES = 5 * 1024 * 1024
# what a file starts with → the extension it is stored under
SIGNATURES = ((b"%PDF-", ".pdf"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"))


def _refuse(message):
    return FinanceError(message, fields={"proof": [message]})


def proof_validate(upload):
    """``upload`` checked and renamed to the extension of its content (or a
    ``FinanceError`` on the ``proof`` field)."""
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > MAX_PROOF_BYTES:
        raise _refuse(_("The proof of payment is larger than 5 MB."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = next((ext for magic, ext in SIGNATURES if head.startswith(magic)), None)
    if extension is None:
        raise _refuse(_("Attach a PDF, JPEG or PNG file."))
    stem = os.path.splitext(os.path.basename(upload.name or ""))[0][:60] or "proof"
    upload.name = stem + extension
    return upload


def proof_digest(upload):
    """The SHA-256 of the file's content (a repeated request sends the same file)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
