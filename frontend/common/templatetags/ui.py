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


@register.simple_tag(takes_context=True)
def billing_notice(context):
    """The subscription banner of the dashboard (``billing.selectors.billing_notice``)."""
    from billing.selectors import billing_notice as notice_for
    from roles.permissions import has_perm

    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "is_public", True):
        return None
    return notice_for(tenant=tenant, can_pay=has_perm(request.user, "manage_billing"))


@register.filter
def ops_can(user, what):
    """Whether an operator's role allows ``what`` (``shared.operators``): the console's
    navigation shows only what the role may open."""
    from shared.operators import ops_can as allowed

    return allowed(user, what)


@register.filter
def spec_label(variant):
    """A variant's spec values ("藏青 / L"), its ``spec_values`` prefetched."""
    from ordering.catalog.specs import variant_spec_label

    return variant_spec_label(variant) if variant is not None else ""
