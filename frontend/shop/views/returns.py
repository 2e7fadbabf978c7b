"""The dealer's returns (退货单) under /shop/ (mobile-first): ask to return shipped goods
of an order (quantities per shipped line, a reason, up to six photos), the company's
returns and one return's lines, photos and timeline.

Thin: ``ordering.orders.services.returns`` checks and writes every request (what may
still be returned, the photos by their content, who may ask); reads go through
``ordering.orders.selectors`` (another company's order or return is None → 404). A
view-only login sees the returns but gets no button and a 403 on the request form;
staff get 403 (the shop is for dealers). Photos live under the tenant's ``private/``
folder and are served only through :class:`ReturnPhotoView`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.common.views.media import RETURN_PHOTOS, serve_private_image
from frontend.shop.forms.returns import ReturnForm
from frontend.shop.views.orders import OrderMixin, ShopOrdersMixin
from ordering.orders import selectors
from ordering.orders.enums import ReturnStatus
from ordering.orders.services import returns as return_services

R = ReturnStatus
RETURNS_PER_PAGE = 20
EVENT_TEXTS = {R.REQUESTED: gettext_lazy("Return requested"),
               R.APPROVED: gettext_lazy("Approved: please send the goods"),
               R.REJECTED: gettext_lazy("Return rejected"),
               R.RECEIVED: gettext_lazy("The supplier received the goods"),
               R.COMPLETED: gettext_lazy("Refunded")}


def _shipped_rows(order, left):
    return [{"line": line, "returnable": left.get(line.pk, 0)}
            for line in order.lines.all() if line.shipped_quantity]


class ReturnCreateView(OrderMixin, View):
    """GET the form for an order with shipped lines, POST → ``return_request``."""

    template_name = "shop/returns/create.html"

    def _prepare(self, pk):
        if not self.login.can_order:  # view-only: the form is only for changing
            raise PermissionDenied
        order = self.order_or_404(pk)
        left = return_services.returnable(order)
        return order, _shipped_rows(order, left)

    def _render(self, order, form, *, status=200):
        return render(self.request, self.template_name, self.context(
            order=order, form=form, rows=form.line_rows(),
            max_photos=return_services.MAX_PHOTOS), status=status)

    def get(self, request, pk):
        order, rows = self._prepare(pk)
        if not any(row["returnable"] for row in rows):
            messages.info(request, _("Nothing of this order can be returned now: only "
                                     "shipped goods that are not in a return yet can."))
            return redirect("shop:order-detail", pk=order.pk)
        return self._render(order, ReturnForm(rows=rows))

    def post(self, request, pk):
        order, rows = self._prepare(pk)
        form = ReturnForm(request.POST, request.FILES, rows=rows)
        if form.is_valid():
            try:
                item = return_services.return_request(
                    actor=request.user, order=order, quantities=form.quantities(),
                    reason=form.cleaned_data["reason"], photos=form.cleaned_data["photos"])
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Return %(number)s has been requested. The "
                                            "supplier will review it.") % {
                    "number": item.number})
                return redirect("shop:return-detail", pk=item.pk)
        return self._render(order, form, status=400)


# --- the company's returns -------------------------------------------------------------------


class ReturnListView(ShopOrdersMixin, View):
    template_name = "shop/returns/list.html"

    def get(self, request):
        returns = selectors.dealer_return_list(login=self.login).prefetch_related(None)
        page = Paginator(returns, RETURNS_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, self.template_name, self.context(
            page=page, returns=list(page.object_list)))


class ReturnMixin(ShopOrdersMixin):
    def return_or_404(self, pk):
        item = selectors.dealer_return_get(login=self.login, pk=pk)
        if item is None:
            raise Http404
        return item


class ReturnDetailView(ReturnMixin, View):
    template_name = "shop/returns/detail.html"

    def get(self, request, pk):
        item = self.return_or_404(pk)
        lines = list(item.lines.all())
        timeline = [{"event": event, "text": EVENT_TEXTS.get(event.status,
                                                              event.get_status_display()),
                     "actor": _actor_label(event)}
                    for event in reversed(list(item.events.all()))]
        received = item.status in (R.RECEIVED, R.COMPLETED)
        return render(request, self.template_name, self.context(
            item=item, lines=lines, photos=list(item.photos.all()), timeline=timeline,
            received=received, refunded=item.status == R.COMPLETED,
            requested_total=sum((line.quantity * line.unit_price for line in lines), 0)))


def _actor_label(event):
    actor = event.actor
    if actor is None:
        return _("Automatic")
    return actor.name or actor.email


class ReturnPhotoView(ReturnMixin, View):
    """A photo of one of the company's returns (never through /media/: it is private).
    The content decides the type, never the file's name."""

    def get(self, request, pk, photo):
        item = self.return_or_404(pk)
        found = next((p for p in item.photos.all() if p.pk == photo), None)
        name = found.image.name if found is not None and found.image else ""
        return serve_private_image(name, folder=RETURN_PHOTOS,
                                   filename=f"{item.number}-{photo}")
