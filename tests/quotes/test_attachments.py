"""Files on an inquiry: sent with it (all checked before anything is saved) or added
later by the dealer, and by staff with a quotation; checked by content like an order's
attachment; at most five; fetched for download only by those who may see the
inquiry, never across companies or tenants."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ordering.quotes import selectors, services
from ordering.quotes.attachments import MAX_ATTACHMENTS, attachment_add
from ordering.quotes.models import Inquiry, InquiryAttachment, Quotation
from tests.factories.roles import staff_with_roles
from tests.quotes.conftest import answer, ask

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def pdf(name="drawing.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _refused(caught, text):
    assert caught.value.fields["attachments"] and text in caught.value.message


def test_a_dealer_sends_files_with_the_inquiry(shop):
    inquiry = ask(shop, attachments=[pdf("Drawing v2.PDF"),
                                     SimpleUploadedFile("crate photo.jpeg", PNG)])
    drawing, photo = inquiry.attachments.all()
    today = timezone.localdate()
    assert (drawing.original_name, drawing.size, drawing.from_dealer, drawing.uploaded_by) == (
        "Drawing v2.PDF", len(PDF), True, shop.dana.user)
    assert drawing.file.name.startswith(f"private/inquiries/{today:%Y}/{today:%m}/")
    assert drawing.file.name.endswith(".pdf") and photo.file.name.endswith(".png")  # content
    assert photo.original_name == "crate photo.jpeg" and drawing.quotation is None
    with drawing.file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize("files, text", [
    ([pdf(), SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")],
     "Attach a PDF, JPEG or PNG file."),
    ([SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024))],
     "The attachment is larger than 5 MB."),
    ([SimpleUploadedFile("empty.pdf", b"")], "The file is empty."),
    ([pdf(f"{n}.pdf") for n in range(MAX_ATTACHMENTS + 1)], "at most 10 files"),
])
def test_a_bad_file_refuses_the_whole_inquiry_and_nothing_is_saved(shop, files, text):
    before = _stored()
    with pytest.raises(ApplicationError) as caught:
        ask(shop, attachments=files)
    _refused(caught, text)
    assert not Inquiry.objects.exists() and not InquiryAttachment.objects.exists()
    assert _stored() == before


def _stored():
    try:
        return sorted(_walk("private/inquiries"))
    except FileNotFoundError:
        return []


def _walk(folder):
    folders, files = default_storage.listdir(folder)
    yield from (f"{folder}/{name}" for name in files)
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def test_the_dealer_and_staff_add_files_up_to_the_limit(shop):
    inquiry = ask(shop, attachments=[pdf("1.pdf"), pdf("2.pdf")])
    added = attachment_add(actor=shop.dana.user, inquiry=inquiry, file=pdf("3.pdf"))
    assert added.from_dealer and added.uploaded_by == shop.dana.user
    quotation = answer(shop, inquiry)
    mine = attachment_add(actor=shop.staff.sales, inquiry=inquiry,
                          file=SimpleUploadedFile("offer.png", PNG), quotation=quotation)
    assert (mine.from_dealer, mine.quotation, mine.uploaded_by) == (
        False, quotation, shop.staff.sales)
    assert list(quotation.attachments.all()) == [mine]
    with pytest.raises(ApplicationError) as caught:
        attachment_add(actor=shop.dana.user, inquiry=inquiry,
                       file=SimpleUploadedFile("notes.txt", b"hello"))
    assert caught.value.message == "“notes.txt”: Attach a PDF, JPEG or PNG file."
    for n in range(inquiry.attachments.count(), MAX_ATTACHMENTS):
        attachment_add(actor=shop.staff.admin, inquiry=inquiry, file=pdf(f"{n}.pdf"))
    with pytest.raises(ApplicationError) as caught:
        attachment_add(actor=shop.dana.user, inquiry=inquiry, file=pdf("11.pdf"))
    _refused(caught, "at most 10 files")
    assert inquiry.attachments.count() == MAX_ATTACHMENTS


def test_who_may_not_add_a_file(shop):
    inquiry = ask(shop)
    other = ask(shop, actor=shop.olga.user)
    other_rep = staff_with_roles("sales_rep", email="rep2@acme.example")
    for actor, error in ((shop.viewer.user, PermissionDeniedError),  # view-only login
                         (shop.olga.user, NotFoundError),            # another company
                         (other_rep, NotFoundError),                 # not their customer
                         (shop.staff.warehouse, PermissionDeniedError)):  # no quotes
        with pytest.raises(error):
            attachment_add(actor=actor, inquiry=inquiry, file=pdf())
    with pytest.raises(NotFoundError):  # a dealer does not attach to a quotation
        attachment_add(actor=shop.dana.user, inquiry=inquiry, file=pdf(),
                       quotation=answer(shop, inquiry))
    with pytest.raises(NotFoundError):  # another inquiry's version
        attachment_add(actor=shop.staff.admin, inquiry=other, file=pdf(),
                       quotation=inquiry.quotations.get())
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.admin)
    with pytest.raises(PermissionDeniedError):  # assigned to someone else
        attachment_add(actor=shop.staff.sales, inquiry=inquiry, file=pdf())
    assert not InquiryAttachment.objects.exists()


def test_a_closed_inquiry_takes_no_files_but_staff_may_add_to_an_expired_one(shop):
    withdrawn, expired = ask(shop), ask(shop)
    services.inquiry_withdraw(actor=shop.dana.user, inquiry=withdrawn)
    for actor in (shop.dana.user, shop.staff.admin):
        with pytest.raises(ConflictError):
            attachment_add(actor=actor, inquiry=withdrawn, file=pdf())
    quotation = answer(shop, expired)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    services.quotations_expire()
    with pytest.raises(ConflictError):
        attachment_add(actor=shop.dana.user, inquiry=expired, file=pdf())
    assert attachment_add(actor=shop.staff.admin, inquiry=expired, file=pdf()).pk


def test_a_file_is_fetched_only_by_those_who_may_see_the_inquiry(shop, globex):
    inquiry = ask(shop, attachments=[pdf()])
    other = ask(shop, actor=shop.olga.user, attachments=[pdf()])
    file, theirs = inquiry.attachments.get(), other.attachments.get()
    for actor in (shop.dana.user, shop.viewer.user, shop.staff.sales, shop.staff.admin):
        assert selectors.inquiry_attachment(actor=actor, inquiry_pk=inquiry.pk,
                                            pk=file.pk) == file
    other_rep = staff_with_roles("sales_rep", email="rep2@acme.example")
    for actor in (shop.olga.user, other_rep, shop.staff.warehouse, None):
        with pytest.raises(NotFoundError):
            selectors.inquiry_attachment(actor=actor, inquiry_pk=inquiry.pk, pk=file.pk)
    with pytest.raises(NotFoundError):  # a file of another inquiry under this one's id
        selectors.inquiry_attachment(actor=shop.staff.admin, inquiry_pk=inquiry.pk,
                                     pk=theirs.pk)
    with pytest.raises(NotFoundError):
        selectors.inquiry_attachment(actor=shop.dana.user, inquiry_pk=other.pk, pk=theirs.pk)
    with tenant_context(globex):
        admin = staff_with_roles("system_administrator", email="admin@globex.example")
        with pytest.raises(NotFoundError):
            selectors.inquiry_attachment(actor=admin, inquiry_pk=inquiry.pk, pk=file.pk)


def test_the_detail_lists_the_files_without_more_queries(shop, django_assert_num_queries):
    inquiry = ask(shop, attachments=[pdf("a.pdf"), pdf("b.pdf")])
    attachment_add(actor=shop.staff.admin, inquiry=inquiry, file=pdf("c.pdf"))
    detail = selectors.inquiry_detail(actor=shop.staff.admin, pk=inquiry.pk)
    with django_assert_num_queries(0):
        assert [(a.original_name, a.from_dealer, a.uploaded_by.email)
                for a in detail.attachments.all()] == [
            ("a.pdf", True, "dana@gold.example"), ("b.pdf", True, "dana@gold.example"),
            ("c.pdf", False, "admin@acme.example")]
