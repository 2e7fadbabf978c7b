"""Dealer storefront shell. The catalog and ordering issues fill it."""

from django.views.generic import TemplateView

from frontend.mixins import DealerRequiredMixin


class ShopHomeView(DealerRequiredMixin, TemplateView):
    template_name = "shop/home.html"
