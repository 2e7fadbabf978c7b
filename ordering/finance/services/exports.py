"""Staff downloads of finance data: the receivables aging and a customer's ledger as a
statement. Both need ``export_data`` (besides ``view_finance``, which the page checks)
and are written to the audit log, like every other export."""

from django.utils import timezone

from ordering.finance import documents
from ordering.finance.selectors import aging
from ordering.finance.services.ledger import customer_reach
from roles.permissions import require_perm
from roles.services.audit import audit_record


def aging_file(*, actor, ip=None):
    """``(bytes, filename)`` of the receivables the actor may see, by age (xlsx)."""
    require_perm(actor, "export_data")
    rows, totals = aging(actor=actor)
    audit_record(actor=actor, action="finance.export", after={"what": "receivables",
                                                              "rows": len(rows)}, ip=ip)
    return documents.aging_xlsx(rows, totals), \
        f"receivables-{timezone.localdate():%Y%m%d}.xlsx"


def ledger_file(*, actor, customer, kind, start, end, extension, tenant, ip=None):
    """``(bytes, filename)``: the customer's account of ``kind`` for the period as a
    statement (xlsx or pdf)."""
    require_perm(actor, "export_data")
    customer_reach(actor, customer)
    content = documents.statement_file(customer, kind=kind, start=start, end=end,
                                       extension=extension, tenant=tenant)
    audit_record(actor=actor, action="finance.export", obj=customer, after={
        "what": "ledger", "account": kind, "start": str(start), "end": str(end),
        "format": extension}, ip=ip)
    return content
