"""Finance's downloads: a statement of account (往来对账单) as Excel or PDF, and the
receivables aging as Excel. The rows come from the selectors; nothing here queries."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext

from core.money import format_money
from core.pdf import a4_pdf, paragraph
from ordering.finance.enums import AccountKind
from ordering.spreadsheets.formats import XLSXFormat


def entry_reference(entry):
    """What an entry is about, as a dealer reads it: its order, payment or return."""
    if entry.order_id and entry.order is not None:
        return entry.order.number or f"#{entry.order_id}"
    if entry.payment_id and entry.payment is not None:
        return entry.payment.number or f"#{entry.payment_id}"
    return ""


def _rows(statement):
    """(date, type, reference, note, increase, decrease, balance) per entry, with the
    opening and closing rows."""
    running = statement.opening
    yield ("", _("Opening balance"), "", "", "", "", statement.opening)
    for entry in statement.entries:
        running += entry.amount
        yield (timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
               entry.get_kind_display(), entry_reference(entry), entry.memo,
               entry.amount if entry.amount > 0 else "",
               -entry.amount if entry.amount < 0 else "", running)
    yield ("", _("Closing balance"), "", "", "", "", statement.closing)


def _headers(account):
    if account == AccountKind.RECEIVABLE:
        plus, minus = _("Charged"), _("Paid or credited")
    else:
        plus, minus = _("Added"), _("Used")
    return [_("Date"), _("Type"), _("Reference"), pgettext("ledger", "Note"), plus, minus,
            _("Balance")]


def statement_filename(customer, statement, extension):
    return (f"statement-{customer.code or customer.pk}-{statement.account}-"
            f"{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.{extension}")


def statement_file(customer, *, kind, start, end, extension, tenant):
    """The statement of account of ``kind`` for the period as ``(bytes, filename)``:
    ``extension`` is "xlsx" or "pdf"."""
    from ordering.finance.selectors import statement

    period = statement(customer, kind=kind, start=start, end=end)
    content = (statement_xlsx(period, customer=customer) if extension == "xlsx"
               else statement_pdf(period, customer=customer, tenant=tenant))
    return content, statement_filename(customer, period, extension)


def statement_xlsx(statement, *, customer):
    dataset = tablib.Dataset(headers=_headers(statement.account))
    dataset.title = str(_("Statement of account"))
    for row in _rows(statement):
        dataset.append(list(row))
    return XLSXFormat(text_columns=[2]).export_data(dataset)


def statement_pdf(statement, *, customer, tenant):
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    currency = getattr(tenant, "currency", "CNY")
    account = AccountKind(statement.account).label
    story = [paragraph(tenant.name, 14, bold=True), Spacer(1, 2 * mm),
             paragraph(_("Statement of account"), 12, bold=True), Spacer(1, 2 * mm),
             paragraph(f"{customer.name} ({customer.code})"),
             paragraph(_("%(account)s, %(start)s to %(end)s") % {
                 "account": account, "start": statement.start.isoformat(),
                 "end": statement.end.isoformat()}),
             Spacer(1, 4 * mm)]
    rows = [[paragraph(h, 8, bold=True) for h in _headers(statement.account)]]
    for date, kind, reference, note, plus, minus, balance in _rows(statement):
        rows.append([paragraph(date, 8), paragraph(kind, 8), paragraph(reference, 8),
                     paragraph(note, 8),
                     paragraph(format_money(plus, currency) if plus != "" else "", 8, align=2),
                     paragraph(format_money(minus, currency) if minus != "" else "", 8, align=2),
                     paragraph(format_money(balance, currency), 8, align=2)])
    table = Table(rows, colWidths=[24 * mm, 26 * mm, 26 * mm, 38 * mm, 20 * mm, 20 * mm,
                                   20 * mm], repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 6 * mm),
              paragraph(_("Printed %(when)s") % {
                  "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, 7)]
    return a4_pdf(story, title=_("Statement of account"), author=tenant.name)


def aging_xlsx(rows, totals):
    dataset = tablib.Dataset(headers=[
        _("Customer code"), _("Customer"), _("Current"), _("1–30 days"), _("31–60 days"),
        _("61–90 days"), _("Over 90 days"), _("Other"), _("Outstanding")])
    dataset.title = str(_("Receivables"))
    keys = ("current", "d1_30", "d31_60", "d61_90", "over_90", "other", "balance")
    for row in rows:
        dataset.append([row["customer"].code, row["customer"].name,
                        *[row[key] for key in keys]])
    dataset.append(["", _("Total"), *[totals[key] for key in keys]])
    return XLSXFormat(text_columns=[0]).export_data(dataset)
