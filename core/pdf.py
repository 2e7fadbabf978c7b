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
