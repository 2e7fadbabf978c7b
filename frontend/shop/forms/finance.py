"""Forms of the dealer's finance pages: paying orders or topping up (a transfer with its
proof), and answering a statement of account. They parse input only."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from frontend.common.forms.finance import PaymentDetailsForm


class TransferForm(PaymentDetailsForm):
    """A bank transfer the dealer made: for the orders ticked (none: the oldest unpaid
    first), or to top up the prepaid balance."""

    orders = forms.TypedMultipleChoiceField(label=gettext_lazy("Orders it pays"), coerce=int,
                                            required=False, choices=(),
                                            widget=forms.CheckboxSelectMultiple)

    field_order = ["orders", "amount", "paid_on", "reference", "note", "proof"]

    def __init__(self, *args, open_orders=(), topup=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_orders = list(open_orders)
        if topup:
            del self.fields["orders"]
        else:
            self.fields["orders"].choices = [(o.pk, o.number) for o in self.open_orders]
        self.fields["proof"].help_text = _("A photo or scan of the bank slip helps finance "
                                           "find your money faster.")


class DisputeForm(forms.Form):
    """The lines the dealer questions (none: the statement as a whole) and why."""

    entry = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    comment = forms.CharField(label=gettext_lazy("What is wrong?"), max_length=500,
                              required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [(e.pk, e.pk) for e in entries]

    def clean_comment(self):
        comment = (self.cleaned_data.get("comment") or "").strip()
        if not comment:
            raise forms.ValidationError(_("Say what you disagree with."))
        return comment

    def lines(self):
        data = self.cleaned_data
        return [(entry, data["comment"]) for entry in data["entry"]] or [(None, data["comment"])]
