"""Forms of the staff finance pages. They parse input only; ordering.finance's services
decide (permissions, scope, amounts, states)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from frontend.common.forms.finance import PaymentDetailsForm
from frontend.common.forms.widgets import DateInput
from ordering.customers.enums import PaymentTerms
from ordering.finance.enums import AccountKind, PaymentMethodKind, PaymentPurpose
from ordering.settings.enums import FinanceRule, OverLimit

REASON_MAX = 300


def _required_text(form, name, message):
    value = (form.cleaned_data.get(name) or "").strip()
    if not value:
        raise forms.ValidationError(message)
    return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX, required=False)

    def clean_reason(self):
        return _required_text(self, "reason", _("Give a reason."))


class AdjustmentForm(forms.Form):
    account = forms.ChoiceField(label=gettext_lazy("Account"), choices=AccountKind.choices)
    direction = forms.ChoiceField(label=gettext_lazy("Change"), choices=(
        ("add", pgettext_lazy("balance change", "Increase")),
        ("subtract", pgettext_lazy("balance change", "Decrease"))))
    amount = forms.DecimalField(label=gettext_lazy("Amount"), min_value=Decimal("0.01"),
                                max_digits=14, decimal_places=2)
    rebate = forms.BooleanField(label=gettext_lazy("It is a rebate granted (返利)"),
                                required=False)
    reason = forms.CharField(label=gettext_lazy("Reason (kept in the ledger and the audit log)"),
                             max_length=REASON_MAX, required=False)

    def clean_reason(self):
        return _required_text(self, "reason", _("Give a reason."))

    def signed_amount(self):
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "add" else -amount


class CreditTermsForm(forms.Form):
    credit_limit = forms.DecimalField(label=gettext_lazy("Credit limit"), min_value=0,
                                      max_digits=14, decimal_places=2)
    temporary_credit = forms.DecimalField(label=gettext_lazy("Temporary extra credit"),
                                          min_value=0, max_digits=14, decimal_places=2)
    temporary_until = forms.DateField(label=gettext_lazy("Temporary credit until"),
                                      required=False, widget=DateInput())
    terms = forms.ChoiceField(label=gettext_lazy("Payment terms"), choices=PaymentTerms.choices)
    terms_days = forms.IntegerField(label=gettext_lazy("Credit days / day of the month"),
                                    min_value=0, max_value=365)
    on_hold = forms.BooleanField(label=gettext_lazy("On credit hold"), required=False)
    hold_reason = forms.CharField(label=gettext_lazy("Reason for the hold"), max_length=REASON_MAX,
                                  required=False)

    def clean(self):
        data = super().clean()
        if data.get("on_hold") and not (data.get("hold_reason") or "").strip():
            self.add_error("hold_reason", _("Give a reason."))
        if data.get("temporary_credit") and not data.get("temporary_until"):
            self.add_error("temporary_until", _("Give the last day of the temporary credit."))
        return data


class StaffPaymentForm(PaymentDetailsForm):
    customer = forms.TypedChoiceField(label=gettext_lazy("Customer"), coerce=int, choices=())
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=[
        (value, label) for value, label in PaymentMethodKind.choices
        if value != PaymentMethodKind.ONLINE])
    purpose = forms.ChoiceField(label=gettext_lazy("For"), choices=PaymentPurpose.choices)

    field_order = ["customer", "method", "purpose", "amount", "paid_on", "reference", "note",
                   "proof"]

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "—")] + [
            (c.pk, f"{c.name} ({c.code})") for c in customers]


class PaymentRejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is it rejected? The dealer sees this."),
                             max_length=REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        return _required_text(self, "reason", _("Tell the dealer why."))


class StatementIssueForm(forms.Form):
    customers = forms.TypedMultipleChoiceField(label=gettext_lazy("Customers"), coerce=int,
                                               choices=(), required=False)
    everyone = forms.BooleanField(label=gettext_lazy("Every customer with a balance"),
                                  required=False)
    start = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput())
    note = forms.CharField(label=pgettext_lazy("statement", "Note for the dealer (optional)"),
                           max_length=300, required=False)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].choices = [(c.pk, f"{c.name} ({c.code})") for c in customers]
        self.fields["customers"].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        if not data.get("customers") and not data.get("everyone"):
            self.add_error("customers", _("Choose at least one customer."))
        return data


class DisputeAnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer to the dealer"), max_length=500,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction = forms.ChoiceField(label=gettext_lazy("Correction"), required=False, choices=(
        ("", gettext_lazy("None: explain only")),
        ("reverse", gettext_lazy("Reverse the disputed line")),
        ("adjust", gettext_lazy("Adjust what the customer owes"))))
    amount = forms.DecimalField(label=gettext_lazy("Adjustment (negative lowers what is owed)"),
                                max_digits=14, decimal_places=2, required=False)

    def clean_answer(self):
        return _required_text(self, "answer", _("Write your answer to the dealer."))

    def clean(self):
        data = super().clean()
        if data.get("correction") == "adjust" and not data.get("amount"):
            self.add_error("amount", _("Enter the amount of the adjustment."))
        return data


class FinanceSettingsForm(forms.Form):
    credit_over_limit = forms.ChoiceField(label=gettext_lazy("An order beyond what the customer "
                                                             "may spend"),
                                          choices=OverLimit.choices, widget=forms.RadioSelect)
    finance_rule = forms.ChoiceField(label=gettext_lazy("Finance review passes an order"),
                                     choices=FinanceRule.choices, widget=forms.RadioSelect)
    bank_details = forms.CharField(
        label=gettext_lazy("Bank account for transfers (shown to dealers)"), required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy(
            "Account name, bank, branch and account number")}))
    rebate_share = forms.IntegerField(
        label=gettext_lazy("The rebate balance may pay up to this share of an order's goods (%)"),
        min_value=0, max_value=100)
    overdue_hold = forms.BooleanField(
        label=gettext_lazy("Put customers with overdue receivables on credit hold "
                           "automatically"), required=False)
