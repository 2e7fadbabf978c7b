"""What the PDF documents share (reportlab): a paragraph in Helvetica, or in the
built-in CJK font STSong-Light when the text needs it, and an A4 document."""

import io


def paragraph(text, size=9, bold=False, align=0):
    """``text`` as a reportlab Paragraph (escaped; line breaks kept); ``align`` 0 left,
    1 centre, 2 right."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph

    cjk = "STSong-Light"
    text = str(text if text is not None else "")
    try:
        text.encode("cp1252")
        font = "Helvetica-Bold" if bold else "Helvetica"
    except UnicodeEncodeError:
        if cjk not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(cjk))
        font = cjk
    style = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size * 1.3,
                           alignment=align)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def a4_pdf(story, *, title, author):
    """The ``story`` (reportlab flowables) as A4 PDF bytes with 18 mm margins."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=str(title),
                            author=str(author))
    doc.build(story)
    return buffer.getvalue()


def heading(name, title, details=()):
    """The top of a document: the supplier's ``name``, a few smaller ``details`` lines
    under it (address, bank account …) and the document's ``title``."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    return [paragraph(name, 14, bold=True), *[paragraph(line, 8) for line in details if line],
            Spacer(1, 2 * mm), paragraph(title, 12, bold=True), Spacer(1, 4 * mm)]


def facts_table(facts, *, widths=(45, 130)):
    """``[(label, value)]`` as a two-column table (widths in mm), labels in bold."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    table = Table([[paragraph(label, bold=True), paragraph(value)] for label, value in facts],
                  colWidths=[width * mm for width in widths])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def lines_table(header, rows, totals, *, widths):
    """A document's lines: a bold ``header``, the ``rows`` (lists of cells, plain text
    or flowables) and under them the ``totals`` (``[(label, amount text)]``, the last in
    bold) right-aligned in the last two columns; widths in mm."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    blank = [""] * (len(header) - 2)
    body = [[paragraph(text, bold=True) for text in header], *rows]
    for index, (label, amount) in enumerate(totals):
        last = index == len(totals) - 1
        body.append([*blank, paragraph(label, bold=True),
                     paragraph(amount, bold=last, align=2)])
    table = Table(body, colWidths=[width * mm for width in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, len(rows)), (-1, len(rows)), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table
