"""The order's documents: the order sheet as a PDF (the printable sheet and delivery
note are HTML templates). reportlab is optional: without it the PDF links are hidden."""

import importlib.util

from django.utils import timezone
from django.utils.translation import gettext as _, pgettext

from core.money import format_money
from core.pdf import a4_pdf, paragraph


def pdf_available():
    return importlib.util.find_spec("reportlab") is not None


def order_pdf(order, *, tenant):
    """The order sheet as a PDF (reportlab; CJK text in the built-in STSong-Light font)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    para = paragraph

    currency = order.currency
    lines = list(order.lines.all())
    story = [para(tenant.name, 14, bold=True), Spacer(1, 2 * mm),
             para(pgettext("document title", "Order %(number)s") % {
                 "number": order.number or order.pk}, 12, bold=True),
             Spacer(1, 4 * mm)]
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
    table = Table([[para(label, bold=True), para(value)] for label, value in facts],
                  colWidths=[45 * mm, 130 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 5 * mm)]
    rows = [[para(h, bold=True) for h in (
        _("SKU code"), _("Product"), _("Quantity"), _("Unit price"), _("Amount"))]]
    for line in lines:
        name = f"{line.product_name} {line.spec_label}".strip()
        rows.append([para(line.sku_code), para(name), para(f"{line.quantity} {line.unit_name}"),
                     para(format_money(line.unit_price, currency), align=2),
                     para(format_money(line.line_total, currency), align=2)])
    rows.append(["", "", "", para(_("Goods"), bold=True), para(format_money(order.subtotal, currency), align=2)])
    rows.append(["", "", "", para(_("Shipping fee"), bold=True),
                 para(format_money(order.shipping_fee, currency), align=2)])
    rows.append(["", "", "", para(_("Total"), bold=True),
                 para(format_money(order.total, currency), bold=True, align=2)])
    body = Table(rows, colWidths=[28 * mm, 70 * mm, 25 * mm, 25 * mm, 27 * mm], repeatRows=1)
    body.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, len(lines)), (-1, len(lines)), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(body)
    return a4_pdf(story, title=order.number or order.pk, author=tenant.name)
