"""Staff quotation documents: version N of an inquiry for the browser's print and as a
PDF (``frontend.common.views.quote_documents``), for staff with ``manage_quotes``
within their scope (another customer's inquiry: 404)."""

from frontend.common.views.base import PermissionRequiredMixin
from frontend.common.views.quote_documents import QuotationPdfBase, QuotationPrintBase


class QuotationPrintView(PermissionRequiredMixin, QuotationPrintBase):
    permission = "manage_quotes"
    namespace = "dashboard"
    base_template = "dashboard/base.html"
    back_name = "inquiry-detail"


class QuotationPdfView(PermissionRequiredMixin, QuotationPdfBase):
    permission = "manage_quotes"
    namespace = "dashboard"
