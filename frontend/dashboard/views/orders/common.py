"""What every staff order page shares: the order lookup (out of the user's scope is 404),
service errors as error pages, the review steps a user may approve."""

from django.http import Http404

from ordering.orders import selectors, workflow
from roles.permissions import has_perm


PAGE_SIZE = 50
FILTERS = ("status", "q", "customer", "sales_rep", "since", "until", "min_total", "max_total",
           "sort")


def _order_or_404(request, pk):
    order = selectors.order_get(actor=request.user, pk=pk)
    if order is None:
        raise Http404
    return order


def approvable_statuses(user):
    """The review steps whose approval the user's roles grant."""
    return {step.status for step in workflow.STEPS
            if step.review and step.perm and has_perm(user, step.perm)}
