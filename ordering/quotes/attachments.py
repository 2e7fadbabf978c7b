"""Files on an inquiry: the dealer's (sent with the inquiry, or added while it is open)
and the supplier's (added by staff who may edit the inquiry, optionally with a quotation
version). Each is a PDF, JPEG or PNG of at most 5 MB, checked like every uploaded
document (``core.uploads``); an inquiry holds at most ``MAX_ATTACHMENTS`` files.
A file is served only through a view that reads it with
``selectors.inquiry_attachment`` (the actor may see the inquiry)."""

import os
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.uploads import document_check
from ordering.quotes import workflow
from ordering.quotes.enums import InquiryStatus
from ordering.quotes.exceptions import (QuoteConflictError, QuoteError, QuoteErrorCode,
                                        QuoteNotFoundError)
from ordering.quotes.models import InquiryAttachment
from roles.services.audit import audit_record

MAX_ATTACHMENTS = 10  # both sides together


@dataclass(frozen=True)
class Checked:
    upload: object
    original_name: str
    size: int


def _refuse(message):
    return QuoteError(message, fields={"attachments": [message]})


def attachments_check(files, *, already=0):
    """Every file of ``files`` checked (nothing is saved), or a ``QuoteError`` on the
    ``attachments`` field naming the first bad file; ``already``: how many the inquiry
    holds. Each upload is renamed to the type its content shows."""
    files = [f for f in (files or ()) if f]
    if already + len(files) > MAX_ATTACHMENTS:
        raise _refuse(_("An inquiry takes at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    checked = []
    for upload in files:
        original = os.path.basename(upload.name or "")[:200] or "attachment"
        error = document_check(upload)
        if error:
            raise _refuse(_("“%(name)s”: %(problem)s") % {"name": original, "problem": error})
        checked.append(Checked(upload, original, upload.size))
    return checked


def attachments_save(inquiry, checked, *, actor, from_dealer, quotation=None):
    """Store checked files on ``inquiry`` (inside the caller's transaction)."""
    made = []
    for item in checked:
        row = InquiryAttachment(inquiry=inquiry, quotation=quotation,
                                original_name=item.original_name, size=item.size,
                                uploaded_by=actor if getattr(actor, "pk", None) else None,
                                from_dealer=from_dealer)
        row.file.save(item.upload.name, item.upload, save=False)
        row.save()
        made.append(row)
    return made


def attachment_add(*, actor, inquiry, file, quotation=None):
    """Attach ``file`` to ``inquiry``: the dealer (a login of its company that may order)
    while the inquiry is open; staff who may edit the inquiry while it is open or
    expired (to re-quote), optionally with one of its quotation versions."""
    dealer = workflow.actor_kind(actor) == workflow.DEALER
    with transaction.atomic():
        inquiry = workflow.lock(inquiry)
        if dealer:
            workflow.dealer_login(actor, inquiry)
            if quotation is not None:
                raise QuoteNotFoundError(_("No such quotation version."))
        else:
            workflow.staff_check(actor, inquiry)
            if quotation is not None and quotation.inquiry_id != inquiry.pk:
                raise QuoteNotFoundError(_("No such quotation version."))
        reopens = not dealer and inquiry.status == InquiryStatus.EXPIRED
        if not (workflow.is_open(inquiry) or reopens):
            raise QuoteConflictError(_("This inquiry is closed."),
                                     code=QuoteErrorCode.INVALID_TRANSITION)
        checked = attachments_check([file], already=inquiry.attachments.count())
        if not checked:
            raise _refuse(_("Choose a file."))
        row, = attachments_save(inquiry, checked, actor=actor, from_dealer=dealer,
                                quotation=quotation)
        audit_record(actor=actor, action="inquiry.attach", obj=inquiry,
                     after={"file": row.original_name, "size": row.size,
                            "version": getattr(quotation, "version", None)})
    return row
