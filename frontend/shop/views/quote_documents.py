"""The dealer's quotation documents: version N of its company's inquiry for the
browser's print (phone first) and as a PDF (``frontend.common.views.quote_documents``).
Another company's inquiry is not found (404); staff get 403 (the shop is for dealers)."""

from frontend.common.views.quote_documents import QuotationPdfBase, QuotationPrintBase
from frontend.shop.views.orders import ShopOrdersMixin


class QuotationPrintView(ShopOrdersMixin, QuotationPrintBase):
    namespace = "shop"
    base_template = "shop/base.html"

    def page_context(self, **values):
        return self.context(**values)


class QuotationPdfView(ShopOrdersMixin, QuotationPdfBase):
    namespace = "shop"
