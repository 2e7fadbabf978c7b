"""What finance tells people, and whom: a statement issued or answered tells the
dealer's logins; a dispute tells the staff who answer statements for that customer.
Written by a background task (idempotent: one notification per recipient and step)."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.notifications.services import deliver, is_muted
from roles.enums import UserKind
from roles.permissions import can_reach

DEALER_LINK, STAFF_LINK = "shop:statement-detail", "dashboard:finance-statement"


def statement_notify(reconciliation, what):
    if is_muted():
        return
    from ordering.finance.tasks import statement_notify_task

    enqueue_on_commit(statement_notify_task, reconciliation.pk, what)


def _link(name, pk):
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def statement_deliver(*, reconciliation_id, what):
    from ordering.finance.models import Reconciliation

    reconciliation = (Reconciliation.objects.filter(pk=reconciliation_id)
                      .select_related("customer").first())
    if reconciliation is None:
        return 0
    names = {"number": reconciliation.number, "customer": reconciliation.customer.name,
             "supplier": getattr(connection.tenant, "name", "")}
    key = f"statement:{reconciliation.pk}:{what}:{reconciliation.events.count()}"
    subject = f"statement:{reconciliation.pk}"
    if what == "disputed":
        users = [user for user in get_user_model().objects.filter(
            kind=UserKind.STAFF, is_active=True, groups__permissions__codename="manage_statements",
            groups__permissions__content_type__app_label="roles").distinct()
            if can_reach(user, reconciliation.customer)]
        return deliver(users, key=key, kind="statement.disputed", subject=subject,
                       title=lambda: _("%(customer)s disputes statement %(number)s") % names,
                       link=_link(STAFF_LINK, reconciliation.pk))
    titles = {
        "issued": lambda: _("%(supplier)s sent you statement of account %(number)s: please "
                            "check and confirm it") % names,
        "resolved": lambda: _("%(supplier)s answered your questions on statement %(number)s")
        % names,
    }
    if what not in titles:
        return 0
    users = [login.user for login in reconciliation.customer.logins.select_related("user")
             if login.user.is_active and login.can_order]
    return deliver(users, key=key, kind=f"statement.{what}", title=titles[what],
                   subject=subject, link=_link(DEALER_LINK, reconciliation.pk))
