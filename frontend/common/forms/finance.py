"""Finance forms both surfaces use: a statement's period and a payment's details. They
parse input only; ordering.finance's services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from frontend.common.forms.widgets import DateInput
from ordering.finance.enums import AccountKind

PROOF_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
PROOF_MAX_BYTES = 5 * 1024 * 1024


class PeriodForm(forms.Form):
    """An account and a period (default: this month so far)."""

    account = forms.ChoiceField(label=gettext_lazy("Account"), choices=AccountKind.choices,
                                required=False)
    start = forms.DateField(label=pgettext_lazy("period", "From"), required=False,
                            widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=DateInput())

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data and any(data.get(k) for k in self.fields_keys()) else None,
                         **kwargs)
        today = timezone.localdate()
        self.defaults = {"account": AccountKind.RECEIVABLE, "start": today.replace(day=1),
                         "end": today}

    @staticmethod
    def fields_keys():
        return ("account", "start", "end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The last day comes before the first."))
        if start and end and (end - start).days > 3 * 366:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        return data

    def period(self):
        """``(account, start, end)``: what was asked, else the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        values = {key: data.get(key) or self.defaults[key] for key in self.fields_keys()}
        if values["start"] > values["end"]:
            values["start"] = values["end"]
        return values["account"], values["start"], values["end"]


class PaymentDetailsForm(forms.Form):
    """What a payment is: the amount, the day it was paid, a reference, a note and the
    proof (an image or a PDF up to 5 MB)."""

    amount = forms.DecimalField(label=gettext_lazy("Amount"), min_value=Decimal("0.01"),
                                max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=DateInput())
    reference = forms.CharField(label=gettext_lazy("Bank reference (optional)"), max_length=80,
                                required=False)
    note = forms.CharField(label=pgettext_lazy("payment", "Note (optional)"), max_length=300,
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))
    proof = forms.FileField(label=gettext_lazy("Proof of payment (image or PDF)"),
                            required=False,
                            widget=forms.ClearableFileInput(attrs={
                                "accept": "image/jpeg,image/png,image/webp,application/pdf"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if not proof:
            return None
        if proof.size > PROOF_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = proof.read(8)
        proof.seek(0)
        is_pdf = head.startswith(b"%PDF")
        is_image = head.startswith((b"\xff\xd8\xff", b"\x89PNG")) or (
            head[:4] == b"RIFF")
        if not (is_pdf or is_image):
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP image or a PDF."))
        return proof
