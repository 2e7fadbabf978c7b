"""Statements of account and two-sided reconciliation (对账).

Finance issues a statement for a customer and a period (or for many customers at once,
in the background): the receivable account's opening balance, the period's entries and
the closing balance, as they stand when issued. The dealer confirms it, or disputes
lines (or the statement as a whole) with a comment. Finance answers each dispute: with a
correcting entry (a reversal of the disputed entry, or an adjustment of what is owed),
posted on the ledger and linked to the statement, or with an explanation. When every
dispute is answered the statement is *answered* (resolved) with its revised closing
balance; the dealer then confirms it (or disputes again). Every step is kept with who,
when and from which address. Confirming moves no money.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import enqueue_on_commit
from ordering.customers.services.guards import login_of
from ordering.finance.enums import (AccountKind, DisputeResolution, ReconciliationEventKind,
                                    ReconciliationStatus)
from ordering.finance.exceptions import (FinanceConflictError, FinanceError,
                                         FinanceErrorCode, FinanceNotFoundError)
from ordering.finance.models import Dispute, Entry, Reconciliation, ReconciliationEvent
from ordering.finance.services.ledger import adjustment_post, customer_reach, entry_reverse
from roles.permissions import require_perm, scope
from roles.services.audit import audit_record

PERMISSION = "manage_statements"
MAX_DAYS = 3 * 366  # the longest period one statement covers
MAX_DISPUTES = 50
S = ReconciliationStatus


def period_check(start, end):
    """A period of whole days, ending today at the latest, at most three years long."""
    if start is None or end is None:
        message = _("Give the first and the last day.")
        raise FinanceError(message, fields={"start": [message]})
    if end < start:
        message = _("The last day comes before the first.")
        raise FinanceError(message, fields={"end": [message]})
    if end > timezone.localdate():
        message = _("The period cannot end in the future.")
        raise FinanceError(message, fields={"end": [message]})
    if (end - start).days > MAX_DAYS:
        message = _("A statement covers at most three years.")
        raise FinanceError(message, fields={"start": [message]})


def _event(reconciliation, kind, actor, ip=None, note=""):
    return ReconciliationEvent.objects.create(
        reconciliation=reconciliation, kind=kind, ip=ip, note=(note or "")[:500],
        actor=actor if getattr(actor, "pk", None) else None)


def reconciliation_lines(reconciliation):
    """The statement's lines: the receivable entries of its period, then the
    corrections posted in answer to its disputes (one query)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(reconciliation.start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(reconciliation.end + datetime.timedelta(days=1),
                                      datetime.time.min, tzinfo=tz)
    return (Entry.objects.filter(account__customer_id=reconciliation.customer_id,
                                 account__kind=AccountKind.RECEIVABLE)
            .filter(Q(created_at__gte=since, created_at__lt=until)
                    | Q(reconciliation=reconciliation))
            .select_related("order", "payment", "reverses", "return_request")
            .order_by("created_at", "id"))


def _issue_one(actor, customer, start, end, note, ip):
    from ordering.finance.selectors import statement

    period = statement(customer, kind=AccountKind.RECEIVABLE, start=start, end=end)
    reconciliation = Reconciliation.objects.create(
        customer=customer, start=start, end=end, opening=period.opening,
        closing=period.closing, entry_count=len(period.entries), note=(note or "").strip()[:300],
        issued_by=actor if getattr(actor, "pk", None) else None)
    reconciliation.number = f"ST-{timezone.localdate():%Y%m%d}-{reconciliation.pk:05d}"
    reconciliation.save(update_fields=["number"])
    _event(reconciliation, ReconciliationEventKind.ISSUED, actor, ip, note)
    audit_record(actor=actor, action="finance.statement_issue", obj=reconciliation, after={
        "customer": customer.pk, "start": str(start), "end": str(end),
        "closing": str(reconciliation.closing)}, ip=ip)
    _notify(reconciliation, "issued")
    return reconciliation


@transaction.atomic
def reconciliation_issue(*, actor, customer, start, end, note="", ip=None):
    """Issue a statement of what ``customer`` owes for ``start``…``end`` (days)."""
    require_perm(actor, PERMISSION)
    customer_reach(actor, customer)
    period_check(start, end)
    return _issue_one(actor, customer, start, end, note, ip)


@transaction.atomic
def reconciliations_issue_many(*, actor, customers, start, end, note="", ip=None):
    """Issue statements to many customers (a queryset or ids, narrowed to those the
    actor may see; None: every customer the actor sees that owes or holds credit) as a
    background job; returns how many were queued."""
    from ordering.customers.models import Customer
    from ordering.finance.selectors import receivables

    require_perm(actor, PERMISSION)
    period_check(start, end)
    if customers is None:
        ids = list(receivables(actor=actor).values_list("customer_id", flat=True))
        if not ids:
            message = _("No customer has a balance.")
            raise FinanceError(message, fields={"customers": [message]})
    else:
        ids = list(scope(actor, Customer.objects.all()).filter(
            pk__in=[getattr(c, "pk", c) for c in customers]).values_list("pk", flat=True))
    if not ids:
        message = _("Choose at least one customer.")
        raise FinanceError(message, fields={"customers": [message]})
    from ordering.finance.tasks import statements_issue_task

    enqueue_on_commit(statements_issue_task, actor_id=getattr(actor, "pk", None),
                      customer_ids=ids, start=start.isoformat(), end=end.isoformat(),
                      note=note or "", ip=ip)
    audit_record(actor=actor, action="finance.statement_issue_many", after={
        "customers": len(ids), "start": str(start), "end": str(end)}, ip=ip)
    return len(ids)


def statements_issue(*, actor, customer_ids, start, end, note="", ip=None):
    """The background job: one statement per customer, each in its own transaction; a
    customer that already has a statement for exactly this period is skipped (so a
    job that runs twice issues each statement once)."""
    from ordering.customers.models import Customer

    issued = 0
    for customer in Customer.objects.filter(pk__in=customer_ids).order_by("pk"):
        with transaction.atomic():
            if Reconciliation.objects.select_for_update().filter(
                    customer=customer, start=start, end=end).exists():
                continue
            _issue_one(actor, customer, start, end, note, ip)
            issued += 1
    return issued


def _for_dealer(actor, reconciliation):
    """The dealer's own company's statement, locked; a login that may only look cannot
    answer it."""
    login = login_of(actor)
    if login is None or login.customer_id != reconciliation.customer_id:
        raise FinanceNotFoundError(_("No such statement."))
    if not login.can_order:
        raise FinanceError(_("Your login may only look: ask your company's main login."))
    locked = Reconciliation.objects.select_for_update().filter(pk=reconciliation.pk).first()
    if locked is None:
        raise FinanceNotFoundError(_("No such statement."))
    return locked


def _move(reconciliation, status, **fields):
    """The one place a statement's status changes (with the fields that go with it)."""
    reconciliation.status = status
    for name, value in fields.items():
        setattr(reconciliation, name, value)
    reconciliation.save(update_fields=["status", *fields])


def _answerable(reconciliation, *, more_questions=False):
    """Confirm or question an issued or answered statement; while finance looks into
    the dealer's questions, the dealer may add more (a long statement is read page by
    page)."""
    allowed = (S.ISSUED, S.RESOLVED, S.DISPUTED) if more_questions else (S.ISSUED, S.RESOLVED)
    if reconciliation.status not in allowed:
        raise FinanceConflictError(
            _("This statement is %(status)s: there is nothing to answer.") % {
                "status": reconciliation.get_status_display().lower()},
            code=FinanceErrorCode.STATEMENT_STATE)


@transaction.atomic
def reconciliation_confirm(*, actor, reconciliation, ip=None):
    """The dealer agrees with the statement (as issued, or as answered)."""
    reconciliation = _for_dealer(actor, reconciliation)
    _answerable(reconciliation)
    _move(reconciliation, S.CONFIRMED, confirmed_at=timezone.now())
    _event(reconciliation, ReconciliationEventKind.CONFIRMED, actor, ip)
    audit_record(actor=actor, action="finance.statement_confirm", obj=reconciliation, ip=ip,
                 after={"closing": str(reconciliation.closing)})
    return reconciliation


@transaction.atomic
def reconciliation_dispute(*, actor, reconciliation, lines, ip=None):
    """The dealer disputes lines: ``lines`` is ``[(entry id or None, comment)]`` (None:
    the statement as a whole). Each comment is required; each entry must be a line of
    the statement."""
    reconciliation = _for_dealer(actor, reconciliation)
    _answerable(reconciliation, more_questions=True)
    wanted = [(entry_id, (comment or "").strip()) for entry_id, comment in lines or ()]
    wanted = [(entry_id, comment) for entry_id, comment in wanted if entry_id or comment]
    if not wanted:
        message = _("Say which line you disagree with, and why.")
        raise FinanceError(message, fields={"lines": [message]})
    if len(wanted) > MAX_DISPUTES:
        raise FinanceError(_("Dispute at most %(n)d lines at once.") % {"n": MAX_DISPUTES})
    ids = {int(entry_id) for entry_id, _c in wanted if entry_id}
    known = set(reconciliation_lines(reconciliation).filter(pk__in=ids)
                .values_list("pk", flat=True))
    problems = {}
    for entry_id, comment in wanted:
        if entry_id and int(entry_id) not in known:
            problems[str(entry_id)] = [_("This is not a line of the statement.")]
        elif not comment:
            problems[str(entry_id or "statement")] = [_("Say why.")]
    if problems:
        raise FinanceError(next(iter(problems.values()))[0], fields={"lines": problems})
    disputes = Dispute.objects.bulk_create([Dispute(
        reconciliation=reconciliation, entry_id=int(entry_id) if entry_id else None,
        comment=comment[:500], raised_by=actor) for entry_id, comment in wanted])
    _move(reconciliation, S.DISPUTED)
    _event(reconciliation, ReconciliationEventKind.DISPUTED, actor, ip,
           "; ".join(comment for _e, comment in wanted))
    audit_record(actor=actor, action="finance.statement_dispute", obj=reconciliation, ip=ip,
                 after={"lines": [[d.entry_id, d.comment] for d in disputes]})
    _notify(reconciliation, "disputed")
    return disputes


@transaction.atomic
def dispute_answer(*, actor, dispute, answer, correction=None, amount=None, ip=None):
    """Finance answers one dispute: ``correction`` None (an explanation), ``"reverse"``
    (the disputed entry is reversed) or ``"adjust"`` (``amount`` is added to what the
    customer owes, negative to lower it). A correction is a ledger entry linked to the
    statement and needs ``adjust_balances`` too. The last answer makes the statement
    answered, with its revised closing balance."""
    require_perm(actor, PERMISSION)
    reconciliation = (Reconciliation.objects.select_for_update()
                      .filter(pk=dispute.reconciliation_id).select_related("customer").first())
    if reconciliation is None:
        raise FinanceNotFoundError(_("No such statement."))
    customer_reach(actor, reconciliation.customer)
    dispute = Dispute.objects.select_for_update().filter(
        pk=dispute.pk, reconciliation=reconciliation).first()
    if dispute is None:
        raise FinanceNotFoundError(_("No such dispute."))
    if dispute.answered_at is not None or reconciliation.status != S.DISPUTED:
        raise FinanceConflictError(_("This dispute was answered already."),
                                   code=FinanceErrorCode.STATEMENT_STATE)
    answer = (answer or "").strip()
    if not answer:
        message = _("Write your answer to the dealer.")
        raise FinanceError(message, fields={"answer": [message]})
    entry = None
    if correction == "reverse":
        if dispute.entry is None:
            message = _("The dispute is about the whole statement: correct it with an "
                        "adjustment.")
            raise FinanceError(message, fields={"correction": [message]})
        entry = entry_reverse(actor=actor, entry=dispute.entry, reason=answer, ip=ip,
                              reconciliation=reconciliation)
    elif correction == "adjust":
        entry = adjustment_post(actor=actor, customer=reconciliation.customer,
                                account_kind=AccountKind.RECEIVABLE, amount=amount,
                                reason=answer, ip=ip, reconciliation=reconciliation)
    elif correction:
        raise FinanceError(_("Choose from the list."), fields={"correction": [
            _("Choose from the list.")]})
    dispute.answer, dispute.correction = answer[:500], entry
    dispute.resolution = DisputeResolution.CORRECTED if entry else DisputeResolution.EXPLAINED
    dispute.answered_by = actor if getattr(actor, "pk", None) else None
    dispute.answered_at = timezone.now()
    dispute.save(update_fields=["answer", "correction", "resolution", "answered_by",
                                "answered_at"])
    _event(reconciliation, ReconciliationEventKind.ANSWERED, actor, ip, answer)
    if not reconciliation.disputes.filter(answered_at__isnull=True).exists():
        from ordering.finance.selectors import reconciliation_closing

        _move(reconciliation, S.RESOLVED, closing=reconciliation_closing(reconciliation))
        _notify(reconciliation, "resolved")
    audit_record(actor=actor, action="finance.dispute_answer", obj=reconciliation, ip=ip,
                 after={"dispute": dispute.pk, "answer": answer,
                        "correction": getattr(entry, "pk", None),
                        "amount": str(entry.amount) if entry else None})
    return dispute


def reconciliation_viewed(*, actor, reconciliation, ip=None):
    """The dealer opened the statement (kept once per statement and login)."""
    if not ReconciliationEvent.objects.filter(reconciliation=reconciliation, actor=actor,
                                              kind=ReconciliationEventKind.VIEWED).exists():
        _event(reconciliation, ReconciliationEventKind.VIEWED, actor, ip)


def _notify(reconciliation, what):
    """Tell the other side (the dealer's message centre, or staff who issue
    statements)."""
    from ordering.finance.notifications import statement_notify

    statement_notify(reconciliation, what)
