from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class InquiryStatus(models.TextChoices):
    """Where an inquiry (询价单) is, as staff see it. It changes only in
    ``ordering.quotes.workflow.transition``; the dealer sees ``DealerStatus``."""

    NEW = "new", pgettext_lazy("inquiry", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("inquiry", "In progress")
    QUOTED = "quoted", pgettext_lazy("inquiry", "Quoted")
    COUNTERED = "countered", pgettext_lazy("inquiry", "Countered")
    ACCEPTED = "accepted", pgettext_lazy("inquiry", "Accepted")
    DECLINED = "declined", pgettext_lazy("inquiry", "Declined")
    EXPIRED = "expired", pgettext_lazy("inquiry", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("inquiry", "Withdrawn")


class DealerStatus(models.TextChoices):
    """The dealer's simple view of an inquiry (``workflow.dealer_status``)."""

    SUBMITTED = "submitted", pgettext_lazy("inquiry for the dealer", "Submitted")
    QUOTED = "quoted", pgettext_lazy("inquiry for the dealer", "Quoted")
    NEEDS_ANSWER = "needs_answer", _("Needs your answer")
    ACCEPTED = "accepted", pgettext_lazy("inquiry for the dealer", "Accepted")
    CLOSED = "closed", pgettext_lazy("inquiry for the dealer", "Closed")


class RoundStatus(models.TextChoices):
    """What became of one quotation version (a round)."""

    SENT = "sent", pgettext_lazy("quotation round", "Sent")
    COUNTERED = "countered", pgettext_lazy("quotation round", "Countered")
    SUPERSEDED = "superseded", pgettext_lazy("quotation round", "Superseded")
    ACCEPTED = "accepted", pgettext_lazy("quotation round", "Accepted")
    DECLINED = "declined", pgettext_lazy("quotation round", "Declined")
    EXPIRED = "expired", pgettext_lazy("quotation round", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("quotation round", "Withdrawn")
