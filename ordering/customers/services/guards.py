"""The checks customer services make themselves, whatever a view or the API checked.

``actor=None`` is the platform itself (the demo, data migrations, imports run by a
task on behalf of a checked user).
"""

from django.utils.translation import gettext as _

from ordering.customers.exceptions import CustomerNotFoundError, CustomerPermissionError
from roles.enums import UserKind
from roles.permissions import can_reach, require_perm  # noqa: F401  (re-exported)


def require_customer(actor, perm, customer):
    """``perm`` on this customer: out of the actor's scope reads as not found."""
    if actor is None:
        return
    require_perm(actor, perm)
    if not can_reach(actor, customer):
        raise CustomerNotFoundError(_("No such customer."))


def login_of(actor):
    """The dealer's own ordering login, or None."""
    if actor is None or getattr(actor, "kind", None) != UserKind.DEALER:
        return None
    from ordering.customers.models import CustomerLogin

    try:
        return actor.customer_login
    except CustomerLogin.DoesNotExist:
        return None


def require_staff_or_dealer(actor, customer, *, perm="manage_customers", primary=False):
    """Staff with ``perm`` reaching the customer, or a dealer login of that customer
    (its primary login when ``primary``). Returns the dealer's login, if a dealer."""
    if actor is None:
        return None
    if getattr(actor, "kind", None) == UserKind.DEALER:
        login = login_of(actor)
        if login is None or login.customer_id != customer.pk or not actor.is_active:
            raise CustomerNotFoundError(_("No such customer."))
        if primary and not login.is_primary:
            raise CustomerPermissionError(
                _("Only your company's primary login can manage logins."))
        return login
    require_customer(actor, perm, customer)
    return None


def lock_customer(customer):
    """Serialise writes that keep "one primary / one default" per customer (two first
    logins at once, a double click on "make default") on the customer's row."""
    from ordering.customers.models import Customer

    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()
