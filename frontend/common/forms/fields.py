"""Form fields more than one surface uses."""

from django import forms
from django.utils.translation import gettext_lazy as _


def region_choices():
    """Every region of the tenant in tree order, labelled with its ancestors
    (Guangdong › Guangzhou), for a plain select that works on any phone."""
    from roles.selectors import region_tree

    regions = region_tree(actor=None)
    by_pk = {region.pk: region for region in regions}
    choices = []
    for region in regions:
        names, node = [region.name], region
        while node.parent_id and node.parent_id in by_pk:
            node = by_pk[node.parent_id]
            names.append(node.name)
        choices.append((str(region.pk), " › ".join(reversed(names))))
    return choices


class RegionChoiceField(forms.ChoiceField):
    """A region select (optional) whose cleaned value is the Region or None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.choices = [("", _("— choose your region —"))] + region_choices()

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        from roles.selectors import region_get

        region = region_get(pk=int(value))
        if region is None:
            raise forms.ValidationError(_("Choose one of the regions in the list."))
        return region
