"""Forms of dealer self-registration: the public apply form, the staff review forms and
the customer settings. They parse input only; ordering.customers.services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.exceptions import ApplicationError


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


class ApplyForm(forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=120,
                              error_messages={"required": _("Enter your company's name.")},
                              widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    contact_name = forms.CharField(label=_("Your name"), max_length=80,
                                   error_messages={"required": _("Enter your name.")},
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=32,
                            error_messages={"required": _("Enter your mobile phone number.")},
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "inputmode": "tel", "type": "tel"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             error_messages={"required": _("Enter your e-mail address.")},
                             help_text=_("We send the approval and your sign-in link here."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("A photo or scan: JPEG, PNG or WebP, at most 5 MB."),
        error_messages={"required": _("Upload a photo or scan of your business licence."),
                        "empty": _("The file is empty."),
                        "invalid": _("Upload a JPEG, PNG or WebP image.")},
        widget=forms.FileInput(attrs={"accept": "image/*"}))
    message = forms.CharField(label=_("Message (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    FIELD_ORDER = ("company", "contact_name", "phone", "email", "region", "licence", "message")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(label=_("Region (optional)"))
        if len(self.fields["region"].choices) <= 1:
            del self.fields["region"]  # the supplier has no regions yet
        self.order_fields(self.FIELD_ORDER)

    def clean_licence(self):
        from ordering.customers.services.applications import licence_validate

        upload = self.cleaned_data.get("licence")
        try:
            licence_validate(upload)  # the service checks again; this shows every error at once
        except ApplicationError as exc:
            raise forms.ValidationError(exc.fields.get("licence", [exc.message])) from exc
        return upload


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
