"""What every staff order page shares: the order lookup (out of the user's scope is 404),
service errors as error pages, the review steps a user may approve."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ordering.orders import selectors, workflow
from roles.permissions import has_perm


PAGE_SIZE = 50
FILTERS = ("status", "q", "customer", "sales_rep", "since", "until", "min_total", "max_total",
           "sort")


def _raise_for(exc):
    """A service's not-found / permission error becomes the matching error page."""
    if exc.status == 404:
        raise Http404(exc.message) from exc
    if exc.status == 403:
        raise PermissionDenied(exc.message) from exc


def _order_or_404(request, pk):
    order = selectors.order_get(actor=request.user, pk=pk)
    if order is None:
        raise Http404
    return order


def approvable_statuses(user):
    """The review steps whose approval the user's roles grant."""
    return {step.status for step in workflow.STEPS
            if step.review and step.perm and has_perm(user, step.perm)}
