"""A payment's proof (a scan or photo of the transfer slip, a cheque): a PDF, JPEG or PNG
file of at most 5 MB, checked like every uploaded document (``core.uploads``)."""

import hashlib

from django.utils.translation import gettext as _

from core.uploads import document_check
from ordering.finance.exceptions import FinanceError


def proof_validate(upload):
    """``upload`` checked and renamed to the extension of its content (or a
    ``FinanceError`` on the ``proof`` field)."""
    error = document_check(upload, stem="proof",
                           too_large=_("The proof of payment is larger than 5 MB."))
    if error:
        raise FinanceError(error, fields={"proof": [error]})
    return upload


def proof_digest(upload):
    """The SHA-256 of the file's content (a repeated request sends the same file)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
