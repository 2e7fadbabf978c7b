"""Forms of the operator console's tenant actions and plans. They parse input only;
``shared.services`` decides (the role, the lifecycle, the billing rule)."""

from django import forms
from django.utils.translation import get_language, gettext as _, gettext_lazy

from billing.enums import Interval
from frontend.common.forms.widgets import DateInput


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (kept in the platform audit log)"),
                             max_length=300, required=False)

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class TrialExtendForm(ReasonForm):
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=1, max_value=90, initial=14)


class PlanChangeForm(ReasonForm):
    plan = forms.ChoiceField(label=gettext_lazy("Plan"), choices=())
    interval = forms.ChoiceField(label=gettext_lazy("Interval"), choices=Interval.choices)
    period_end = forms.DateField(label=gettext_lazy("Paid until"), widget=DateInput())

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        from billing.selectors import plan_name

        language = get_language()
        self.fields["plan"].choices = [(p.code, plan_name(p, language)) for p in plans]


class PlanForm(forms.Form):
    """A plan's limits (empty: unlimited), whether it is on the pricing page, and a price
    field per currency and interval (added by the view's price keys)."""

    max_staff = forms.IntegerField(label=gettext_lazy("Staff seats"), min_value=0, required=False)
    max_customers = forms.IntegerField(label=gettext_lazy("Customers"), min_value=0,
                                       required=False)
    max_skus = forms.IntegerField(label=gettext_lazy("Active SKUs"), min_value=0, required=False)
    max_orders = forms.IntegerField(label=gettext_lazy("Orders per month"), min_value=0,
                                    required=False)
    max_storage = forms.IntegerField(label=gettext_lazy("Storage (MB)"), min_value=0,
                                     required=False)
    is_public = forms.BooleanField(label=gettext_lazy("On the pricing page"), required=False)

    def __init__(self, *args, price_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.price_keys = list(price_keys)
        for currency, interval in self.price_keys:
            self.fields[f"price_{currency}_{interval}"] = forms.DecimalField(
                label=f"{currency} / {Interval(interval).label}", min_value=0, max_digits=12,
                decimal_places=2, required=False)

    def prices(self):
        """The prices given (an empty one is left as it is)."""
        return {(c, i): self.cleaned_data[f"price_{c}_{i}"] for c, i in self.price_keys
                if self.cleaned_data.get(f"price_{c}_{i}") is not None}

    def limits(self):
        return {name: self.cleaned_data.get(name) for name in (
            "max_staff", "max_customers", "max_skus", "max_orders", "max_storage")}


class ExportForm(forms.Form):
    """Start an export of the tenant's complete data (nothing to fill in)."""


class RestoreForm(forms.Form):
    export = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    slug = forms.CharField(label=gettext_lazy("New subdomain"), max_length=30,
                           help_text=gettext_lazy("The copy gets its own site on this "
                                                  "subdomain and starts suspended."))
    name = forms.CharField(label=gettext_lazy("Company name of the copy"), max_length=120,
                           required=False)


class DeleteForm(forms.Form):
    confirm = forms.CharField(label=gettext_lazy("Type the subdomain to confirm"),
                              max_length=30)
    reason = forms.CharField(label=gettext_lazy("Reason (kept in the platform audit log)"),
                             max_length=300, required=False)


class ImpersonateForm(ReasonForm):
    """Open the tenant's dashboard as one of its staff (a support session)."""

    user = forms.TypedChoiceField(label=gettext_lazy("As staff member"), coerce=int,
                                  choices=())
    field_order = ["user", "reason"]

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(staff)


class DomainAddForm(forms.Form):
    domain = forms.CharField(label=gettext_lazy("Custom domain"), max_length=253,
                             help_text=gettext_lazy("Such as shop.example.com; the supplier "
                                                    "points it (CNAME) at the platform."))


class DomainRemoveForm(forms.Form):
    domain = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OwnerInviteForm(forms.Form):
    """Send the owner a new link to choose a password (nothing to fill in)."""
