"""The storefront's catalog filters (search, category, brand, tag, price range, stock,
sorting, page size). They parse the query only; ordering.catalog.storefront decides."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from ordering.catalog import storefront

SORT_CHOICES = [
    ("", gettext_lazy("Recommended")),
    ("new", gettext_lazy("Newest")),
    ("name", pgettext_lazy("of a thing", "Name")),
    ("price", gettext_lazy("Price: low to high")),
    ("-price", gettext_lazy("Price: high to low")),
]
PER_PAGE_CHOICES = (24, 48, 100)


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)
    category = forms.IntegerField(label=gettext_lazy("Category"), min_value=1, required=False)
    brand = forms.IntegerField(label=gettext_lazy("Brand"), min_value=1, required=False)
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=30, required=False)
    price_min = forms.DecimalField(label=gettext_lazy("Lowest price"), min_value=0,
                                   max_digits=14, decimal_places=2, required=False)
    price_max = forms.DecimalField(label=gettext_lazy("Highest price"), min_value=0,
                                   max_digits=14, decimal_places=2, required=False)
    in_stock = forms.BooleanField(label=gettext_lazy("In stock only"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), choices=SORT_CHOICES,
                             required=False)
    per_page = forms.IntegerField(label=gettext_lazy("Per page"), min_value=1,
                                  max_value=storefront.MAX_PAGE_SIZE, required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price is below the lowest price."))
        return data
