"""Control characters in text: what every input refuses or drops and every export drops.

A control character (BEL ``\\x07``, ESC, a form feed …) has no business in a name, an
address or a note; one of them in a recipient's name made every Excel export fail
(openpyxl refuses to write it). Tab and line breaks are allowed where text is
multi-line (notes, descriptions, messages) and nowhere else.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, LF and CR; DEL; C1 controls; the non-characters U+FFFE/U+FFFF
# (not allowed in XML, so not in a workbook either).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# What a single line refuses on top: tab and line breaks.
LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")


def strip_control(text, *, multiline=True):
    """``text`` without control characters; line breaks become ``\\n`` (multi-line) or
    a space (single line, tabs too)."""
    if not isinstance(text, str):
        return text
    text = CONTROL.sub("", text)
    if multiline:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return LINE_BREAK.sub(" ", text.replace("\r\n", " "))


def has_control(text, *, multiline=True):
    if not isinstance(text, str):
        return False
    return bool(CONTROL.search(text) or (not multiline and LINE_BREAK.search(text)))


@deconstructible
class NoControlCharacters:
    """Refuses control characters (and, on a single line, tabs and line breaks)."""

    code = "control_characters"

    def __init__(self, *, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        if has_control(value, multiline=self.multiline):
            if self.multiline:
                message = _("Remove the control characters (invisible characters such as "
                            "a bell or an escape) from this text.")
            else:
                message = _("Remove the control characters (invisible characters such as "
                            "a bell, an escape, a tab or a line break) from this text.")
            raise ValidationError(message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


def whole_number(value):
    """A non-negative whole number from user input (an id or a count in a query string,
    a form or metadata), or None: digits only, at most 17 of them (a PostgreSQL bigint
    holds every such number, so no query fails on it)."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 18 else None
