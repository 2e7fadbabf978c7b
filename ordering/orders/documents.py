"""The order's documents: the order sheet as a PDF (the printable sheet and delivery
note are HTML templates). reportlab is optional: without it the PDF links are hidden."""

import importlib.util

from django.utils import timezone
from django.utils.translation import gettext as _, pgettext

from core.money import format_money
from core.pdf import a4_pdf, facts_table, heading, lines_table, paragraph


def pdf_available():
    return importlib.util.find_spec("reportlab") is not None


def order_pdf(order, *, tenant):
    """The order sheet as a PDF (reportlab; CJK text in the built-in STSong-Light font)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    para = paragraph

    currency = order.currency
    story = heading(tenant.name, pgettext("document title", "Order %(number)s") % {
        "number": order.number or order.pk})
    facts = [
        (_("Customer"), order.customer.name),
        (pgettext("date", "Ordered"), timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Status"), order.get_status_display()),
        (_("Ship to"), f"{order.recipient} {order.phone}\n{order.region_name} {order.address} "
                       f"{order.postal_code}".strip()),
        (_("Requested delivery date"),
         order.delivery_date.strftime("%Y-%m-%d") if order.delivery_date else "—"),
        (_("Shipping method"), order.shipping_method_name or "—"),
        (_("Payment method"), order.get_payment_method_display()),
    ]
    if order.remark:
        facts.append((_("Remark"), order.remark))
    story += [facts_table(facts), Spacer(1, 5 * mm)]
    rows = []
    for line in order.lines.all():
        name = f"{line.product_name} {line.spec_label}".strip()
        rows.append([para(line.sku_code), para(name), para(f"{line.quantity} {line.unit_name}"),
                     para(format_money(line.unit_price, currency), align=2),
                     para(format_money(line.line_total, currency), align=2)])
    story.append(lines_table(
        (_("SKU code"), _("Product"), _("Quantity"), _("Unit price"), _("Amount")), rows,
        [(_("Goods"), format_money(order.subtotal, currency)),
         (_("Shipping fee"), format_money(order.shipping_fee, currency)),
         (_("Total"), format_money(order.total, currency))],
        widths=(28, 70, 25, 25, 27)))
    return a4_pdf(story, title=order.number or order.pk, author=tenant.name)
