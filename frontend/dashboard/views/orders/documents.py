"""Staff order pages: the printable order sheet and delivery note, and the PDF (made by
ordering.orders.documents)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from frontend.common.views.base import PermissionRequiredMixin
from frontend.dashboard.views.orders.common import _order_or_404
from ordering.orders.documents import order_pdf, pdf_available


class OrderPrintView(PermissionRequiredMixin, View):
    """The order sheet and its delivery note, laid out for printing."""

    permission = "view_orders"
    template_name = "dashboard/orders/print.html"

    def get(self, request, pk):
        order = _order_or_404(request, pk)
        return render(request, self.template_name, {
            "order": order, "lines": list(order.lines.all()),
            "shipments": list(order.shipments.all()), "pdf": pdf_available()})


class OrderPdfView(PermissionRequiredMixin, View):
    permission = "view_orders"

    def get(self, request, pk):
        order = _order_or_404(request, pk)
        if not pdf_available():
            raise Http404(_("PDF downloads are not available."))
        content = order_pdf(order, tenant=request.tenant)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{order.number or order.pk}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
