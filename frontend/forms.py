from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from core.mail import email_send
from tenants.enums import Currency


def form_add_application_error(form, error):
    """Show a service's ApplicationError on the form: per field where it names one."""
    for field, messages in error.fields.items():
        if isinstance(messages, dict):  # nested, e.g. {"lines": {row: [message]}}
            messages = [m for nested in messages.values() for m in nested]
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("E-mail or mobile phone"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    slug = forms.CharField(
        label=_("Subdomain"), max_length=60,
        help_text=_("3–30 lowercase letters, digits or hyphens."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=120)
    owner_email = forms.EmailField(label=_("Work e-mail"), max_length=254)
    owner_password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    language = forms.ChoiceField(label=_("Default language of your site"),
                                 choices=settings.LANGUAGES, initial="zh-hans")
    create_another = forms.BooleanField(
        label=_("Yes, create another site for this e-mail address"), required=False)


class OwnerSitesForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class CompanyProfileForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class TenantPasswordResetForm(PasswordResetForm):
    """Sends the reset link for this subdomain by a background task, in the user's language."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        user = context["user"]
        url = "{protocol}://{domain}/password/reset/{uid}/{token}/".format(**context)
        email_send(
            to=to_email,
            template="email/password_reset",
            context={"url": url, "name": user.get_short_name(), "site": context["domain"]},
            language=user.preferred_language or settings.LANGUAGE_CODE,
        )


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class RegionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def _role_field():
    from roles.selectors import role_choices

    return RoleChoiceField(label=_("Roles"), queryset=role_choices(),
                           widget=forms.CheckboxSelectMultiple,
                           help_text=_("A member may hold several roles; the union applies."))


def _region_field():
    from roles.selectors import region_choices

    return RegionChoiceField(label=_("Regions"), required=False,
                             queryset=region_choices(),
                             widget=forms.SelectMultiple(attrs={"size": 6}),
                             help_text=_("Regional managers see only customers in these regions "
                                         "(sub-regions included)."))


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = _role_field()
        self.fields["regions"] = _region_field()


class StaffEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = _role_field()
        self.fields["regions"] = _region_field()


class RoleForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from roles.catalog import GROUPS, PERMISSIONS

        super().__init__(*args, **kwargs)
        choices = []
        for group_key, group_label in GROUPS.items():
            items = [(p.codename, p.label) for p in PERMISSIONS if p.group == group_key]
            if items:
                choices.append((group_label, items))
        self.fields["permissions"] = forms.MultipleChoiceField(
            label=_("Permissions"), choices=choices, widget=forms.CheckboxSelectMultiple)


class RegionForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=80)
    code = forms.CharField(label=_("Code"), max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        from roles.selectors import region_choices

        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            label=_("Part of"), queryset=region_choices(), required=False,
            empty_label=_("— top level (province) —"))


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a thing", "Name"), max_length=80,
                           help_text=_("The system that will use the key, e.g. “ERP sync”."))

    def __init__(self, *args, **kwargs):
        from roles.selectors import active_staff_choices

        super().__init__(*args, **kwargs)
        self.fields["user"] = forms.ModelChoiceField(
            label=_("Acts as"), queryset=active_staff_choices(),
            help_text=_("The key can do exactly what this staff member can do."))
