from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select

register = template.Library()


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap classes (and is-invalid on errors)."""
    widget = field.field.widget
    if isinstance(widget, (CheckboxInput, CheckboxSelectMultiple)):
        css = "form-check-input"
    elif isinstance(widget, Select) and not isinstance(widget, RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
