"""Dealer storefront shell. The catalog and ordering issues fill it."""

from django.views.generic import TemplateView

from frontend.common.views.base import DealerRequiredMixin
from ordering.customers.selectors import login_for_dealer


class ShopHomeView(DealerRequiredMixin, TemplateView):
    template_name = "shop/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # the company and buyer role the welcome card shows (one query)
        context["dealer_login"] = login_for_dealer(self.request.user)
        return context
