"""Forms of the operators page: invite, change the role, disable / enable, reset 2FA."""

from django import forms
from django.utils.translation import gettext_lazy

from frontend.ops.forms.tenants import ReasonForm
from shared.models import OperatorRole


class OperatorInviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=OperatorRole.choices,
                             initial=OperatorRole.SUPPORT)


class OperatorRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=OperatorRole.choices)


class OperatorReasonForm(ReasonForm):
    """Disable, enable or reset the second factor: a reason for the audit log."""


class OperatorLinkForm(forms.Form):
    """Send the operator a link to choose a new password (nothing to fill in)."""
