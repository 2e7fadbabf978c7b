"""What the staff and dealer quotation documents share: version N of an inquiry the
user may see (``selectors.inquiry_detail`` scopes it: not found → 404), laid out for
printing with ``quotes/print.html`` (one template for both desks, inside the desk's
own ``base_template``) or as a PDF download (``ordering.quotes.documents``). Each desk
adds its access check (its own view classes)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from frontend.common.views.media import download
from ordering.quotes import documents, selectors


class QuotationDocumentBase(View):
    namespace = ""  # the desk's URL namespace
    base_template = ""
    back_name = ""  # the desk's page of the inquiry (URL name), else the browser goes back

    def quotation(self, pk, version):
        inquiry = selectors.inquiry_detail(actor=self.request.user, pk=pk)
        return inquiry, selectors.version(inquiry, version)

    def page_context(self, **values):
        """The desk's own page context around ``values``."""
        return values


class QuotationPrintBase(QuotationDocumentBase):
    """A quotation version, laid out for printing."""

    def get(self, request, pk, version):
        inquiry, quotation = self.quotation(pk, version)
        sheet = documents.quotation_sheet(inquiry, quotation, tenant=request.tenant)
        pdf_url = reverse(f"{self.namespace}:quotation-pdf", args=[pk, version]) \
            if documents.pdf_available() else ""
        back_url = reverse(f"{self.namespace}:{self.back_name}", args=[pk]) \
            if self.back_name else ""
        return render(request, "quotes/print.html", self.page_context(
            **sheet, base_template=self.base_template, pdf_url=pdf_url, back_url=back_url))


class QuotationPdfBase(QuotationDocumentBase):
    """A quotation version as a PDF download."""

    def get(self, request, pk, version):
        inquiry, quotation = self.quotation(pk, version)
        if not documents.pdf_available():
            raise Http404(_("PDF downloads are not available."))
        content, filename = documents.quotation_file(inquiry, quotation, tenant=request.tenant)
        return download(content, filename, "pdf")
