"""What every HTML form shares: a service's error shown on the form; the quotation
version an acceptance form accepts."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _

from frontend.common.views.base import raise_for


def _messages(found):
    if isinstance(found, dict):  # nested, e.g. {"lines": {row: [message]}}
        return [m for nested in found.values() for m in _messages(nested)]
    if isinstance(found, (list, tuple)):
        return list(found)
    return [found]


def error_summary(error):
    """An error's message, with a link to where it can be put right when the error
    carries one (a plan limit's upgrade link, for those who may upgrade)."""
    url = getattr(error, "upgrade_url", "")
    if not url:
        return error.message
    return format_html('{} <a href="{}" data-testid="upgrade-link">{}</a>', error.message, url,
                       _("Upgrade the plan"))


def form_add_application_error(form, error):
    """Show a service's ``ApplicationError`` on ``form``; a not-found or permission error
    becomes the 404 / 403 page instead (``raise_for``).

    Each message goes on the field the error names; a form with lines declares
    ``service_line_field`` (e.g. ``"qty_{}"``), and an error keyed by a line's id lands
    on that line's input, also when nested (``{"lines": {id: [message]}}``);
    ``service_error_aliases`` maps other keys to fields; anything else shows above the
    form. The error's summary shows above the form when it named
    no field, and, for forms that set ``service_error_summary_with_lines``, also when
    its messages landed only on lines."""
    raise_for(error)
    line_field = getattr(form, "service_line_field", None)
    aliases = getattr(form, "service_error_aliases", {})
    on_named_field = False
    for key, found in error.fields.items():
        if line_field and isinstance(found, dict):  # {"lines": {line id: [message]}}
            for line, nested in found.items():
                field = line_field.format(line)
                for message in _messages(nested):
                    form.add_error(field if field in form.fields else None, message)
            continue
        field = line_field.format(key) if line_field else None
        if field not in form.fields:
            field = aliases.get(key, key)
            field = field if field in form.fields else None
            on_named_field = on_named_field or field is not None
        for message in _messages(found):
            form.add_error(field, message)
    summary_with_lines = getattr(form, "service_error_summary_with_lines", False)
    if not error.fields or (summary_with_lines and not on_named_field):
        form.add_error(None, error_summary(error))


class AcceptedVersionForm(forms.Form):
    """An acceptance of a quotation (both desks): the version the page shows goes with the
    form (hidden), and the service refuses the acceptance when another version is current
    by then (a re-quote the person has not seen)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def show_version(self, number):
        """The page shows version ``number``: the next submit accepts that one."""
        self.initial["version"] = number
        if self.is_bound and str(self.data.get("version", "")) != str(number):
            self.data = self.data.copy()
            self.data["version"] = str(number)
