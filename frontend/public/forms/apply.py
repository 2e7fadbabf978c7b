"""The public dealer application form (/apply/). It parses input only;
ordering.customers.services.applications decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from frontend.common.forms.fields import RegionChoiceField


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
