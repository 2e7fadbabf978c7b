"""Forms of the staff review of dealer applications and of the customer settings.
They parse input only; ordering.customers.services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from frontend.common.forms.fields import RegionChoiceField


class ApproveForm(forms.Form):
    def __init__(self, *args, **kwargs):
        from ordering.customers.selectors import level_choices
        from ordering.customers.services.customers import sales_rep_choices

        super().__init__(*args, **kwargs)
        self.fields["level"] = forms.ModelChoiceField(
            label=_("Customer level"), required=False, empty_label="—",
            queryset=level_choices(),
            help_text=_("Sets the dealer's prices."))
        self.fields["sales_rep"] = _StaffChoiceField(
            label=_("Sales rep"), required=False, empty_label="—",
            queryset=sales_rep_choices())
        self.fields["region"] = RegionChoiceField(label=_("Region"))
        self.fields["region"].choices = [("", "—")] + self.fields["region"].choices[1:]


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.email


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("rejection", "Reason"), max_length=2000,
        help_text=_("The applicant reads this in the e-mail."),
        error_messages={"required": _("Tell the applicant why the application is rejected.")},
        widget=forms.Textarea(attrs={"rows": 3}))


class CustomerSettingsForm(forms.Form):
    self_registration = forms.BooleanField(
        label=_("Dealers may apply for an ordering account online"), required=False,
        help_text=_("Shows an application form on your site. You review every application "
                    "before the dealer can order."))
