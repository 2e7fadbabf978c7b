"""Staff order pages, under /dashboard/orders/ in the "dashboard" namespace: the list
(status tabs, search, filters, sorting, bulk approval), the detail (lines, totals,
progress through the workflow, timeline, shipments; approve, reject, cancel, amend in
review, ship, confirm receipt; the message thread with the dealer, the order's returns),
the attachment, a print view and a PDF, orders on a dealer's behalf (代下单) and the
order settings (workflow, shipping methods, carriers). The list shows each order's
unread messages.

Thin: every read goes through ordering.orders.selectors (scoped to the user: an order
out of reach is 404), every change through ordering.orders.workflow.transition or
ordering.orders.services, which check permission and scope themselves.
"""

from frontend.dashboard.views.orders.desk import OrderListView, OrderBulkApproveView
from frontend.dashboard.views.orders.detail import (OrderDetailView, OrderActionView, OrderMessageView,
                                          OrderAmendView, OrderShipView, OrderAttachmentView)
from frontend.dashboard.views.orders.documents import OrderPrintView, OrderPdfView
from frontend.dashboard.views.orders.on_behalf import OrderCreateView
from frontend.dashboard.views.orders.options import (OrderSettingsView, PaymentMethodsSaveView,
                                           ShippingMethodSaveView, CarrierSaveView)

__all__ = ["OrderListView", "OrderBulkApproveView", "OrderDetailView", "OrderActionView",
           "OrderMessageView", "OrderAmendView", "OrderShipView", "OrderAttachmentView",
           "OrderPrintView", "OrderPdfView", "OrderCreateView", "OrderSettingsView",
           "PaymentMethodsSaveView", "ShippingMethodSaveView", "CarrierSaveView"]
