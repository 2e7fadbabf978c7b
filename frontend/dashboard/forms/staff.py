"""Forms of the staff administration pages: company profile, staff, roles, regions,
API keys. They parse input only; roles.services and tenants.services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from tenants.enums import Currency


class CompanyProfileForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)


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
