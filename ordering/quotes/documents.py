"""The quotation's documents: what a printed quotation version says (``quotation_sheet``,
one description for the printable HTML page of both desks and for the PDF) and the PDF
(``quotation_pdf``). reportlab is optional: without it the PDF links are hidden
(``pdf_available``). No reference prices, counter-offers or internal notes: this is the
document the customer gets. Reads only what ``selectors.inquiry_detail`` prefetched,
plus the supplier's site address and settings (cached)."""

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _, pgettext

from core.money import format_money
from core.pdf import a4_pdf, facts_table, heading, lines_table, paragraph
from ordering.catalog import specs
from ordering.orders.documents import pdf_available
from ordering.quotes.models import Inquiry, Quotation, QuotationLine
from ordering.quotes.totals import line_amount, line_price, quotation_totals

__all__ = ["pdf_available", "quotation_file", "quotation_pdf", "quotation_sheet",
           "supplier_details"]


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


def quotation_number(inquiry, quotation):
    """"Q-20261101-0001 v2"."""
    return pgettext("quotation number", "%(number)s v%(version)s") % {
        "number": inquiry.number, "version": quotation.version}


def supplier_details(tenant):
    """The supplier as the quotation names it: the company profile's name, the ordering
    site's address and, when set, the bank account for transfers (``{"name",
    "details": [(label, value)]}``)."""
    from ordering.settings.models import TenantSettings
    from ordering.settings.selectors import tenant_settings

    details = []
    # the host the request came in on (set by the tenant middleware), else the primary one
    site = getattr(tenant, "domain_url", "") or getattr(tenant.get_primary_domain(), "domain", "")
    if site:
        details.append((_("Ordering site"), site))
    bank = tenant_settings().bank_details.strip()
    if bank:
        details.append((_label(TenantSettings, "bank_details"), bank))
    return {"name": tenant.name, "details": details}


def tiers_text(tiers, currency):
    """["100+ at ¥9.50", "500+ at ¥9.20"] in the active language."""
    return [_("%(qty)s+ at %(price)s") % {"qty": tier["min_qty"],
                                          "price": format_money(tier["price"], currency)}
            for tier in tiers or ()]


def _unit_name(line, asked):
    if line.unit_id:
        return line.unit.unit.name
    if line.variant_id:
        return line.variant.product.unit.name
    return asked.unit_text


def _product_name(variant):
    return f"{variant.product.name} {specs.variant_spec_label(variant)}".strip()


def quotation_rows(inquiry, quotation, currency):
    """The version's lines as the customer reads them, in order: ``{"position", "code",
    "product", "free_text", "description", "mapped", "quantity", "unit", "unit_price",
    "tiers", "amount", "declined"}``. A free-text line shows what was asked for
    (``description``) and, once mapped, the product it became."""
    asked = {line.pk: line for line in inquiry.lines.all()}
    rows = []
    for position, line in enumerate(quotation.lines.all(), start=1):
        question = asked.get(line.inquiry_line_id)
        free_text = question is not None and question.is_free_text
        rows.append({
            "position": position,
            "code": line.variant.code if line.variant_id else "",
            "product": _product_name(line.variant) if line.variant_id else "",
            "free_text": free_text,
            "description": question.description if free_text else "",
            "mapped": free_text and line.variant_id is not None,
            "quantity": line.quantity,
            "unit": _unit_name(line, question) if question is not None else "",
            "unit_price": line_price(line),
            "tiers": [] if line.declined else tiers_text(line.tiers, currency),
            "amount": None if line.declined else line_amount(line),
            "declined": line.declined,
        })
    return rows


def quotation_sheet(inquiry, quotation, *, tenant):
    """Everything a printed quotation version says: ``supplier``, ``title``, ``number``,
    ``facts`` ([(label, value)]), ``rows`` (``quotation_rows``), ``totals``
    (``quotation_totals``: declined lines count for nothing), ``note``, ``currency``
    and the labels ``note_label``, ``declined_label``."""
    currency = tenant.currency
    sent = timezone.localtime(quotation.created_at)
    customer = inquiry.customer
    facts = [(_label(Inquiry, "customer"),
              f"{customer.name} ({customer.code})" if customer.code else customer.name),
             (_label(Quotation, "created_at"), sent.strftime("%Y-%m-%d")),
             (_label(Quotation, "valid_until"), quotation.valid_until.strftime("%Y-%m-%d")),
             (_label(Inquiry, "delivery_date"),
              inquiry.delivery_date.strftime("%Y-%m-%d") if inquiry.delivery_date else "—"),
             (_label(Quotation, "payment_terms"), quotation.payment_terms or "—"),
             (_label(Quotation, "status"), quotation.get_status_display())]
    author = quotation.created_by
    if author is not None:
        facts.append((pgettext("quotation", "Quoted by"), author.get_full_name()))
    return {"supplier": supplier_details(tenant), "title": capfirst(Quotation._meta.verbose_name),
            "number": quotation_number(inquiry, quotation), "facts": facts,
            "rows": quotation_rows(inquiry, quotation, currency),
            "totals": quotation_totals(quotation), "note": quotation.note,
            "note_label": _label(Quotation, "note"),
            "declined_label": _label(QuotationLine, "declined"),
            "currency": currency, "inquiry": inquiry, "quotation": quotation}


def _product_cell(row):
    if not row["free_text"]:
        return row["product"]
    text = f"{row['description']} ({_('free text')})"
    if row["mapped"]:
        text += "\n" + _("Supplied as: %(product)s") % {"product": row["product"]}
    return text


def quotation_pdf(inquiry, quotation, *, tenant):
    """A quotation version as a PDF (reportlab; CJK text in the built-in STSong-Light
    font): the supplier, the facts, the lines with their tiers, declined lines marked,
    goods, shipping fee and total."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    sheet = quotation_sheet(inquiry, quotation, tenant=tenant)
    currency = sheet["currency"]
    supplier = sheet["supplier"]
    story = heading(supplier["name"], f"{sheet['title']} {sheet['number']}",
                    [f"{label}: {value}" for label, value in supplier["details"]])
    story += [facts_table(sheet["facts"]), Spacer(1, 5 * mm)]
    declined = sheet["declined_label"]
    rows = []
    for row in sheet["rows"]:
        product = _product_cell(row)
        if row["tiers"]:
            product += "\n" + ", ".join(row["tiers"])
        rows.append([
            paragraph(row["code"] or "—"), paragraph(product),
            paragraph(f"{row['quantity']} {row['unit']}".strip()),
            paragraph(declined if row["declined"] else format_money(row["unit_price"], currency),
                      align=2),
            paragraph("—" if row["declined"] else format_money(row["amount"], currency),
                      align=2)])
    totals = sheet["totals"]
    story.append(lines_table(
        (_("SKU code"), _("Product"), _("Quantity"), _("Unit price"), _("Amount")), rows,
        [(_("Goods"), format_money(totals["goods"], currency)),
         (_("Shipping fee"), format_money(totals["shipping"], currency)),
         (_("Total"), format_money(totals["total"], currency))],
        widths=(28, 70, 25, 25, 27)))
    if sheet["note"]:
        story += [Spacer(1, 5 * mm), facts_table([(sheet["note_label"], sheet["note"])])]
    return a4_pdf(story, title=sheet["number"], author=supplier["name"])


def quotation_file(inquiry, quotation, *, tenant):
    """The PDF as ``(bytes, filename)``: ``Q-20261101-0001-v2.pdf``."""
    return (quotation_pdf(inquiry, quotation, tenant=tenant),
            f"{inquiry.number}-v{quotation.version}.pdf")
