"""Forms of the staff return pages: approve, reject, goods received per line, refund.
They parse input only; ordering.orders.services.returns decides."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy, pgettext

from ordering.orders.enums import RefundMethod, ReturnCondition

NOTE_MAX = 500


class ApproveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note for the dealer (optional)"),
                           max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the return rejected? The dealer sees this."),
        max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class ReceiveForm(forms.Form):
    """Per return line: how many arrived (0 to what was asked) and in what condition."""

    service_line_field = "qty_{}"  # a service error names lines by id
    service_error_summary_with_lines = True

    def __init__(self, data=None, *, lines, **kwargs):
        super().__init__(data, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=pgettext("quantity", "Received"), min_value=0, max_value=line.quantity,
                initial=line.quantity)
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Condition"), choices=ReturnCondition.choices,
                initial=ReturnCondition.GOOD)

    def rows(self):
        return [(line, self[f"qty_{line.pk}"], self[f"condition_{line.pk}"])
                for line in self.lines]

    def received(self):
        data = self.cleaned_data
        return {line.pk: (data[f"qty_{line.pk}"], data[f"condition_{line.pk}"])
                for line in self.lines}

class RefundForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Refund amount"), min_value=0,
                                max_digits=14, decimal_places=2)
    method = forms.ChoiceField(label=gettext_lazy("Refund to"), choices=RefundMethod.choices)
    reference = forms.CharField(label=gettext_lazy("Reference (optional)"), max_length=60,
                                required=False)
