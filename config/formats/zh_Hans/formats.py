"""Simplified Chinese formats: Django's, except amounts, which Chinese business software
groups by thousands with a comma (¥1,584.00), not by ten thousands without a separator.
Grouping applies only where it is asked for (``money``, ``floatformat:"2g"``):
``USE_THOUSAND_SEPARATOR`` stays off, so form inputs and plain numbers are unchanged."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
