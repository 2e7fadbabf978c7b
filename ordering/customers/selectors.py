"""Reads for customers, levels, logins and applications. Every read takes ``actor=``
and is scoped by ``roles.permissions.scope``: regional managers and sales reps get
only theirs, everyone else in the tenant with the permission gets all. Lists are a
constant number of queries however many rows they show."""

from django.db.models import Count, Prefetch, Q

from core.text import whole_number as _int
from ordering.customers.enums import CustomerStatus
from ordering.customers.models import (Address, Contact, Customer, CustomerApplication,
                                       CustomerLevel, CustomerLogin)
from roles.permissions import has_perm, scope, scope_q, sees_all_customers

# A customer's money and invoice data (credit limit, payment terms and credit days,
# invoice title, tax number, bank and registered address/phone) are for the staff who
# hold ``view_finance``: the detail page, the edit form, the API and the exports all ask
# ``customer_hidden_fields`` which of them to leave out.
CREDIT_FIELDS = ("credit_limit", "payment_terms", "payment_days")
INVOICE_FIELDS = ("invoice_title", "tax_number", "bank_name", "bank_account",
                  "invoice_address", "invoice_phone")
FINANCE_FIELDS = CREDIT_FIELDS + INVOICE_FIELDS

SORTS = {
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "code": ("code", "id"), "-code": ("-code", "-id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
    "credit": ("credit_limit", "id"), "-credit": ("-credit_limit", "-id"),
}


def customer_hidden_fields(*, actor):
    """The customer fields ``actor`` may not read (nor write): the finance fields unless
    the actor holds ``view_finance``. ``actor=None`` is the platform itself."""
    if actor is None or has_perm(actor, "view_finance"):
        return frozenset()
    return frozenset(FINANCE_FIELDS)


def sees_finance(actor):
    return not customer_hidden_fields(actor=actor)


def customer_list(*, actor, query="", level=None, region=None, sales_rep=None, status="",
                  tag="", sort="name"):
    """Customers the actor may see, filtered and sorted. ``region`` includes its
    sub-regions; ``sales_rep="none"`` finds unassigned customers; rejected
    applications only show when asked for by status."""
    qs = scope(actor, Customer.objects.all()).select_related(
        "level", "region", "region__parent", "sales_rep").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True),
                 to_attr="primary_contacts"))
    query = (query or "").strip()
    if query:
        contacts = Contact.objects.filter(Q(name__icontains=query) | Q(phone__icontains=query))
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query)
                       | Q(phone__icontains=query) | Q(email__icontains=query)
                       | Q(pk__in=contacts.values("customer_id")))  # a semi-join: no DISTINCT
    if _int(level):
        qs = qs.filter(level_id=_int(level))
    if _int(region):
        from roles.models import Region

        node = Region.objects.filter(pk=_int(region)).first()
        qs = qs.filter(Q(region_id=node.pk) | Q(region__path__startswith=f"{node.path}{node.pk}/")
                       ) if node else qs.none()
    if sales_rep == "none":
        qs = qs.filter(sales_rep__isnull=True)
    elif _int(sales_rep):
        qs = qs.filter(sales_rep_id=_int(sales_rep))
    if status in CustomerStatus.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=CustomerStatus.REJECTED)
    tag = (tag or "").strip()
    if tag:
        qs = qs.filter(tags__contains=[tag])
    if sort in ("credit", "-credit") and "credit_limit" in customer_hidden_fields(actor=actor):
        sort = "name"  # sorting by a hidden amount would reveal it
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def customer_get(*, actor, pk):
    """One customer with everything its detail page shows, or None (also when it is
    outside the actor's scope: another customer's record by id reads as not found)."""
    pk = _int(pk)
    if pk is None:
        return None
    return (scope(actor, Customer.objects.filter(pk=pk))
            .select_related("level", "region", "region__parent", "sales_rep", "created_by")
            .prefetch_related("contacts",
                              Prefetch("addresses", queryset=Address.objects.select_related(
                                  "region")),
                              Prefetch("logins", queryset=CustomerLogin.objects.select_related(
                                  "user")))
            .first())


def customer_tags(*, actor):
    """Every tag in use on the customers the actor sees, sorted."""
    from django.db.models import Func

    tags = (scope(actor, Customer.objects.all())
            .annotate(tag=Func("tags", function="unnest")).order_by()
            .values_list("tag", flat=True).distinct())
    return sorted(tags, key=str.lower)


def level_choices():
    """Every customer level in list order (for a choice field; no counts)."""
    return CustomerLevel.objects.order_by("position", "id")


def level_get(*, pk):
    return CustomerLevel.objects.filter(pk=pk).first()


def level_list(*, actor=None):
    """The levels in display order with ``customer_count``: every customer at the level
    for staff who see all customers, only the actor's own customers for scoped staff
    (regional managers, sales reps), never the tenant-wide figure."""
    count = Count("customers")
    if actor is not None and not sees_all_customers(actor):
        count = Count("customers", filter=scope_q(
            actor, region_path="customers__region", assigned=Customer.scope_assigned,
            assigned_path="customers__pk"))
    return CustomerLevel.objects.annotate(customer_count=count).order_by("position", "id")


def application_list(*, actor, status="pending"):
    qs = scope(actor, CustomerApplication.objects.all()).select_related(
        "customer", "customer__region", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def application_get(*, actor, pk):
    pk = _int(pk)
    if pk is None:
        return None
    return application_list(actor=actor, status="").filter(pk=pk).first()


def pending_application_count(*, actor):
    return application_list(actor=actor).count()


def contact_get(*, actor, customer, pk):
    return customer.contacts.filter(pk=_int(pk)).first() if _int(pk) else None


def address_get(*, actor, customer, pk):
    return customer.addresses.filter(pk=_int(pk)).first() if _int(pk) else None


def login_get(*, actor, customer, pk):
    return (customer.logins.select_related("user", "customer").filter(pk=_int(pk)).first()
            if _int(pk) else None)


def login_for_dealer(user):
    """The dealer's ordering login with its customer (one query), or None."""
    return (CustomerLogin.objects.select_related("customer", "customer__level",
                                                 "customer__region", "user")
            .filter(user=user).first())


def dealer_logins(*, login):
    """The other logins of the dealer's company (for its primary login)."""
    return CustomerLogin.objects.filter(customer_id=login.customer_id).select_related("user")
