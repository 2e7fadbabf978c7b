"""Every read of inquiries and quotations that pages and the API need, scoped to the
actor: staff with ``manage_quotes`` see the inquiries of the customers they work with;
a dealer login sees its own company's. Constant query counts (lists ≤ 10, details ≤
15, asserted in tests)."""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.text import whole_number
from ordering.catalog import specs
from ordering.customers.services.guards import login_of
from ordering.quotes import tiers as tier_rules
from ordering.quotes import workflow
from ordering.quotes.enums import DealerStatus, InquiryStatus
from ordering.quotes.exceptions import QuoteError, QuoteNotFoundError
from ordering.quotes.messages import THREAD
from ordering.quotes.models import (Counter, Inquiry, InquiryAttachment, InquiryEvent,
                                    InquiryLine, Quotation, QuotationLine)
from roles.permissions import has_perm, reached, scope


def _read_in_scope(actor, inquiry):
    """Staff read ``inquiry`` through their scope (``_visible``): later reach checks on
    it in the same request cost no query."""
    if workflow.actor_kind(actor) == workflow.STAFF:
        reached(actor, inquiry)
    return inquiry


def _visible(actor):
    """Inquiries ``actor`` may see (none for anyone else)."""
    if workflow.actor_kind(actor) == workflow.DEALER:
        login = login_of(actor)
        if login is None or not actor.is_active:
            return Inquiry.objects.none()
        return Inquiry.objects.filter(customer_id=login.customer_id)
    if actor is None or not has_perm(actor, "manage_quotes"):
        return Inquiry.objects.none()
    return scope(actor, Inquiry.objects.all())


def inquiry_list(*, actor, filters=None, with_unread=False):
    """The inquiries ``actor`` may see, newest first, each with its customer, assignee,
    number of lines, latest version and its validity. ``filters``: ``status`` (a working
    status for staff; a dealer status for dealers), ``customer`` (id, staff),
    ``assigned_to`` (a user id, ``"me"`` or ``"none"``; staff). ``with_unread``: each
    also with ``unread_messages``, the other side's messages ``actor`` has not read."""
    filters = filters or {}
    latest = Quotation.objects.filter(inquiry=OuterRef("pk")).order_by("-version")
    queryset = _visible(actor).select_related("customer", "assigned_to").annotate(
        line_count=Count("lines", distinct=True),
        latest_version=Subquery(latest.values("version")[:1]),
        latest_valid_until=Subquery(latest.values("valid_until")[:1]))
    status = filters.get("status")
    dealer = workflow.actor_kind(actor) == workflow.DEALER
    if status:
        if dealer:
            statuses = _statuses_of(status) if status in DealerStatus.values else []
            queryset = queryset.filter(status__in=statuses)
        else:
            queryset = queryset.filter(status=status if status in InquiryStatus.values
                                       else "-")
    if not dealer:
        customer = filters.get("customer")
        if customer not in (None, ""):
            queryset = queryset.filter(customer_id=_int(customer))
        assigned = filters.get("assigned_to")
        if assigned == "me":
            queryset = queryset.filter(assigned_to=actor)
        elif assigned == "none":
            queryset = queryset.filter(assigned_to__isnull=True)
        elif assigned not in (None, ""):
            queryset = queryset.filter(assigned_to_id=_int(assigned))
    if with_unread:
        queryset = THREAD.with_unread(queryset, actor, dealer=dealer)
    return queryset.order_by("-created_at", "-id")


def _statuses_of(dealer_status):
    """The working statuses a dealer sees as ``dealer_status``."""
    return [s for s in InquiryStatus.values if workflow.dealer_status(s) == dealer_status]


def inquiry_status_counts(*, actor):
    """How many of the inquiries ``actor`` may see are in each status (one query): by
    dealer status for a dealer, by working status for staff."""
    rows = _visible(actor).order_by().values_list("status").annotate(n=Count("pk"))
    dealer = workflow.actor_kind(actor) == workflow.DEALER
    counts = {}
    for status, n in rows:
        key = workflow.dealer_status(status) if dealer else status
        counts[key] = counts.get(key, 0) + n
    return counts


def dealer_badges(*, login):
    """The shop header's two counts for a dealer login, in one query: the lines in its
    cart and its company's inquiries waiting for its answer. ``(cart, waiting)``."""
    from ordering.customers.models import CustomerLogin
    from ordering.orders.models import CartLine

    if login is None:
        return 0, 0

    def count(queryset, by):
        return Coalesce(Subquery(queryset.order_by().values(by).annotate(n=Count("pk"))
                                 .values("n")[:1]), 0)

    row = CustomerLogin.objects.filter(pk=login.pk).values_list(
        count(CartLine.objects.filter(login_id=login.pk), "login_id"),
        count(Inquiry.objects.filter(customer_id=login.customer_id,
                                     status__in=_statuses_of(DealerStatus.NEEDS_ANSWER)),
              "customer_id")).first()
    return row or (0, 0)


def _int(value):
    return whole_number(value) or 0  # 0 matches no row (None would mean "unset")


def _line_queryset(model):
    return model.objects.select_related("variant__product__unit", "unit__unit")


def _with_spec_values(inquiry):
    """The spec values of every variant on the inquiry's lines and versions, in one query
    (not one per kind of line)."""
    variants = [line.variant for line in inquiry.lines.all() if line.variant_id]
    variants += [line.variant for quotation in inquiry.quotations.all()
                 for line in quotation.lines.all() if line.variant_id]
    prefetch_related_objects(variants, Prefetch("spec_values", queryset=specs.SPEC_VALUES))


def inquiry_detail(*, actor, pk, with_history=True):
    """One inquiry with its lines, every quotation version (lines and counter-offers),
    its files (``attachments``, with ``uploaded_by``), its timeline and the order it
    became (``accepted_order_id`` / ``accepted_order_number``, see ``accepted_order_ref``);
    not found when ``actor`` may not see it. ``with_history=False`` (the accept pages)
    leaves out the files and the timeline."""
    from ordering.orders.models import Order

    placed = Order.objects.filter(quotation__inquiry=OuterRef("pk")).order_by("id")
    inquiry = _visible(actor).select_related("customer", "assigned_to", "created_by") \
        .annotate(accepted_order_id=Subquery(placed.values("pk")[:1]),
                  accepted_order_number=Subquery(placed.values("number")[:1])) \
        .prefetch_related(
            Prefetch("lines", queryset=_line_queryset(InquiryLine)),
            Prefetch("quotations", queryset=Quotation.objects.select_related("created_by")
                     .order_by("version")),
            Prefetch("quotations__lines", queryset=_line_queryset(QuotationLine)),
            Prefetch("quotations__counters", queryset=Counter.objects.all()),
            *((Prefetch("attachments", queryset=InquiryAttachment.objects.select_related(
                "uploaded_by")),
               Prefetch("events", queryset=InquiryEvent.objects.select_related("actor")))
              if with_history else ()),
        ).filter(pk=_int(pk)).first()
    if inquiry is None:
        raise QuoteNotFoundError(_("No such inquiry."))
    _with_spec_values(inquiry)
    return _read_in_scope(actor, inquiry)


def inquiry_attachment(*, actor, inquiry_pk, pk):
    """One file of an inquiry ``actor`` may see (for its download view; both sides see
    every file of the inquiry), else not found."""
    found = InquiryAttachment.objects.select_related("inquiry").filter(
        pk=_int(pk), inquiry_id=_int(inquiry_pk), inquiry__in=_visible(actor)).first()
    if found is None:
        raise QuoteNotFoundError(_("No such file."))
    return found


def current_version(inquiry):
    """The current (latest) quotation of an inquiry read by ``inquiry_detail`` (no
    query), or None before the first."""
    versions = list(inquiry.quotations.all())
    return versions[-1] if versions else None


def version(inquiry, number):
    """Version ``number`` of a prefetched inquiry (not found when it has none)."""
    found = next((q for q in inquiry.quotations.all() if q.version == int(number)), None)
    if found is None:
        raise QuoteNotFoundError(_("No such quotation version."))
    return found


DIFF_FIELDS = ("declined", "variant_id", "unit_id", "quantity", "unit_price", "tiers")


def quotation_diff(older, newer):
    """Line by line, what changed from ``older`` to ``newer`` (two versions of one
    inquiry, lines prefetched): ``[{"inquiry_line", "old", "new", "changes"}]`` in the
    newer version's order, ``changes`` mapping each changed field of ``DIFF_FIELDS`` to
    ``(old, new)``; a line present in one version only has the other side None and
    ``changes`` ``{"added": True}`` / ``{"removed": True}``."""
    before = {line.inquiry_line_id: line for line in older.lines.all()}
    after = {line.inquiry_line_id: line for line in newer.lines.all()}
    rows = []
    for line_id, new in after.items():
        old = before.get(line_id)
        if old is None:
            rows.append({"inquiry_line": line_id, "old": None, "new": new,
                         "changes": {"added": True}})
            continue
        changes = {name: (getattr(old, name), getattr(new, name)) for name in DIFF_FIELDS
                   if getattr(old, name) != getattr(new, name)}
        rows.append({"inquiry_line": line_id, "old": old, "new": new, "changes": changes})
    for line_id, old in before.items():
        if line_id not in after:
            rows.append({"inquiry_line": line_id, "old": old, "new": None,
                         "changes": {"removed": True}})
    return rows


def quote_staff(inquiry):
    """Active staff who may quote for the inquiry's customer (``manage_quotes`` and the
    customer in their scope): whom it may be assigned to."""
    from django.contrib.auth import get_user_model

    from roles.enums import UserKind
    from roles.permissions import can_reach

    candidates = get_user_model().objects.filter(
        kind=UserKind.STAFF, is_active=True, groups__permissions__codename="manage_quotes",
        groups__permissions__content_type__app_label="roles").distinct().order_by("name",
                                                                                  "email")
    return [user for user in candidates if can_reach(user, inquiry)]


def reference_prices(customer, lines):
    """The price engine's price today for each of ``lines`` (objects with ``variant``,
    ``unit`` and ``quantity``): per unit of the line's unit, at its quantity; None where
    the line has no variant. Three queries, however many lines."""
    from ordering.catalog import pricing

    priced = [line for line in lines if getattr(line, "variant", None) is not None]
    book = pricing.load_book(customer, [line.variant for line in priced]) if priced else None
    prices = []
    for line in lines:
        if getattr(line, "variant", None) is None:
            prices.append(None)
            continue
        factor = line.unit.factor if line.unit else 1
        prices.append(pricing.compute(
            line.variant, book, base_quantity=line.quantity * factor, factor=factor,
            unit_name=line.unit.unit.name if line.unit else "").price)
    return prices


class OrderRef(NamedTuple):
    pk: int
    number: str


def accepted_order_ref(inquiry):
    """The order an inquiry read by ``inquiry_detail`` became, as ``(pk, number)`` for a
    link (no query), or None."""
    pk = getattr(inquiry, "accepted_order_id", None)
    return OrderRef(pk, inquiry.accepted_order_number) if pk else None


class _Priced(NamedTuple):
    """What a line is priced as today: the latest version's mapping, else what was asked."""
    variant: object
    unit: object
    quantity: int


def quotation_draft(inquiry, *, fresh_prices):
    """One row per line of an inquiry read by ``inquiry_detail``, for the quotation
    editor: prefilled from the current version (its prices, or today's prices from the
    price engine when ``fresh_prices``: a copy after expiry, without the old tiers, which
    were priced against the old prices) or, for a first quotation, from the price engine.
    A free-text line not yet matched starts without a price: the dealer's target price
    is shown beside it, never proposed. Each row carries the dealer's counter-offer on
    the line and today's reference price. Three queries (the price book)."""
    latest = current_version(inquiry)
    previous = {line.inquiry_line_id: line for line in latest.lines.all()} if latest else {}
    counters = {c.line_id: c for c in latest.counters.all()} if latest else {}
    asked = list(inquiry.lines.all())
    priced = []
    for line in asked:
        last = previous.get(line.pk)
        source = last if last is not None and last.variant_id else line
        priced.append(_Priced(source.variant, source.unit, (last or line).quantity))
    rows = []
    for line, today, reference in zip(asked, priced,
                                      reference_prices(inquiry.customer, priced)):
        last = previous.get(line.pk)
        price = last.unit_price if last is not None else None
        if reference is not None and (price is None or fresh_prices):
            price = reference
        rows.append({
            "line": line, "last": last, "counter": counters.get(last.pk) if last else None,
            "reference": reference, "variant": today.variant, "unit": today.unit,
            "initial": {
                "price": price, "quantity": today.quantity,
                "tiers": tier_rules.as_text(last.tiers) if last and not fresh_prices else "",
                "sku": today.variant.code if today.variant else "",
                "unit": today.unit.unit.name if today.unit else "",
                "declined": bool(last and last.declined)}})
    return rows


def accepted_order(inquiry):
    """The order an accepted inquiry became (None before acceptance)."""
    from ordering.orders.models import Order

    return Order.objects.filter(quotation__inquiry=inquiry).order_by("id").first()


# --- for the API: one inquiry to act on, what the caller may do, two versions compared ----


def inquiry_get(*, actor, pk):
    """The bare inquiry ``actor`` may see (to act on), or not found."""
    inquiry = _visible(actor).filter(pk=_int(pk)).first()
    if inquiry is None:
        raise QuoteNotFoundError(_("No such inquiry."))
    return _read_in_scope(actor, inquiry)


ASSIGN = "assign"
# the actions a person takes (START comes with an assignment, EXPIRE is the platform's)
ACTIONS = (workflow.QUOTE, workflow.COUNTER, workflow.ACCEPT, workflow.DECLINE,
           workflow.WITHDRAW)


def allowed_actions(inquiry, actor):
    """What ``actor`` may do to ``inquiry`` now: ``"assign"`` (staff who may edit an open
    inquiry) and the workflow's actions in table order. ``workflow.may`` decides each;
    only the actions the table starts from the current status for the actor's kind are
    asked, so a detail costs no query per impossible action. (Whether the quotation has
    expired is checked when the dealer acts.)"""
    kind = workflow.actor_kind(actor)
    candidates = [action for action in ACTIONS
                  if kind in workflow.TRANSITIONS[action].actors
                  and inquiry.status in workflow.TRANSITIONS[action].sources]
    allowed = [action for action in candidates if workflow.may(inquiry, action, actor)]
    if kind == workflow.STAFF and workflow.is_open(inquiry):
        # ``check`` runs ``staff_check`` (edit) for staff: an allowed staff action proves
        # that the caller may edit, and so assign; without a candidate it is asked alone
        if allowed or (not candidates and _may_edit(inquiry, actor)):
            allowed.insert(0, ASSIGN)
    return allowed


def _may_edit(inquiry, actor):
    try:
        workflow.staff_check(actor, inquiry)
    except ApplicationError:
        return False
    return True


def assignee_get(*, pk):
    """The person ``pk`` an inquiry is to be assigned to (the service checks that they
    quote for its customer); None for nobody."""
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=_int(pk)).first()
    if user is None:
        message = _("Choose a staff member who quotes for this customer.")
        raise QuoteError(message, fields={"assigned_to": [message]})
    return user


def inquiry_diff(*, actor, pk, older=None, newer=None):
    """``(older, newer, rows)``: two versions of an inquiry ``actor`` may see and
    ``quotation_diff`` between them. ``newer`` defaults to the latest version, ``older``
    to the one before ``newer``; not found when the inquiry has no such version."""
    inquiry = inquiry_detail(actor=actor, pk=pk)
    versions = list(inquiry.quotations.all())
    if newer is None and versions:
        newer = versions[-1].version
    if newer is None:
        raise QuoteNotFoundError(_("No such quotation version."))
    newer_version = version(inquiry, newer)
    older_version = version(inquiry, newer_version.version - 1 if older is None else older)
    return older_version, newer_version, quotation_diff(older_version, newer_version)
