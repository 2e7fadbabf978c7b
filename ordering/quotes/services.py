"""Inquiries and quotations: every write, each in one transaction.

A dealer asks (``inquiry_create``); staff with ``manage_quotes`` on the customer assign
it (``inquiry_assign``) and answer with a quotation version (``quotation_send``); the
dealer counters (``quotation_counter``), declines (``quotation_decline``), withdraws
(``inquiry_withdraw``) or accepts (``quotation_accept``, also staff on the dealer's
behalf), which places the order through ``order_place`` at exactly the quoted prices.
``quotations_expire`` (a periodic task per tenant) closes quotations past their date.

Status changes go through ``ordering.quotes.workflow.transition``; a version once
sent is never changed.
"""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.sequences import next_day_number
from core.text import whole_number
from ordering.catalog import pricing
from ordering.catalog.storefront import MAX_QUANTITY, products_visible_to, quantity_problem
from ordering.customers.enums import CustomerStatus
from ordering.customers.services.guards import login_of
from ordering.orders.models import MAX_AMOUNT
from ordering.orders.services import lines as line_service
from ordering.orders.services.checkout import Quoted, normal_key, order_place
from ordering.quotes import attachments as attachment_rules
from ordering.quotes import notify
from ordering.quotes import tiers as tier_rules
from ordering.quotes import selectors, totals, workflow
from ordering.quotes.enums import InquiryStatus
from ordering.quotes.exceptions import (QuoteConflictError, QuoteError, QuoteErrorCode,
                                        QuotePermissionError)
from ordering.quotes.models import (Counter, Inquiry, InquiryDayCounter, InquiryLine,
                                    Quotation, QuotationLine)
from roles.permissions import can_reach, has_perm
from roles.services.audit import audit_record

MAX_LINES = 200
MAX_NOTE = 2000
MAX_PRICE = Decimal("100000000000")


# --- parsing helpers -------------------------------------------------------------------


def _quantity(value):
    """A whole quantity 1..MAX_QUANTITY, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_QUANTITY else None


def _price(value, *, required):
    """``(Decimal or None, error)`` for a money amount ≥ 0."""
    if value in (None, ""):
        return None, (_("Enter a price.") if required else "")
    try:  # full-width digits and point too (NFKC), as a Chinese keyboard types them
        amount = Decimal(unicodedata.normalize("NFKC", str(value)).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None, _("“%(value)s” is not a price.") % {"value": value}
    if not amount.is_finite() or amount < 0 or amount >= MAX_PRICE:
        return None, _("Enter a price of zero or more.")
    if amount != pricing.money(amount):  # never rounded behind the person's back
        return None, _("Enter a price with at most 2 decimals.")
    return pricing.money(amount), ""


def _refuse(problems, message=None, code=QuoteErrorCode.INVALID_LINES):
    first = message or next(iter(problems.values()))[0]
    raise QuoteError(first, code=code, fields={"lines": problems})


def _field_error(field, message):
    return QuoteError(message, fields={field: [message]})


def _next_number():
    """Q-YYYYMMDD-NNNN, the day's next number (gap-free)."""
    return next_day_number(InquiryDayCounter, "Q")


def _variants(customer, ids):
    """The variants among ``ids`` this customer may buy (active, product visible)."""
    variants = {v.pk: v for v in line_service.load_variants(set(ids))}
    visible = set(products_visible_to(customer.level_id).filter(
        pk__in={v.product_id for v in variants.values()}).values_list("pk", flat=True))
    return {pk: v for pk, v in variants.items() if v.is_active and v.product_id in visible}


def _unit_of(variant, unit_id):
    """``(VariantUnit or None, ok)`` for a unit id given for ``variant``."""
    if unit_id in (None, ""):
        return None, True
    unit = next((u for u in variant.units.all() if str(u.pk) == str(unit_id).strip()), None)
    return unit, unit is not None


def _check_text(field, value, limit):
    if len(value or "") > limit:
        raise _field_error(field, _("Keep it under %(n)d characters.") % {"n": limit})
    return (value or "").strip()


# --- the dealer asks --------------------------------------------------------------------


def inquiry_create(*, actor, lines, delivery_date=None, note="", attachments=()):
    """A dealer's inquiry for its own company. ``lines``: catalog lines ``{"variant",
    "unit", "quantity"}`` and/or free-text lines ``{"description", "quantity",
    "unit_text", "target_price"}``; ``attachments``: uploaded files (all checked before
    anything is saved). Refusals carry ``fields["lines"][index]``."""
    login = login_of(actor)
    if login is None or not actor.is_active:
        raise QuotePermissionError(_("Sign in with your company's ordering login."))
    if not login.can_order:
        raise QuotePermissionError(_("Your login can only view."))
    customer = login.customer
    if customer.status != CustomerStatus.ACTIVE:
        raise QuoteConflictError(_("This customer account is not active."))
    if not lines:
        raise QuoteError(_("Add at least one line."), code=QuoteErrorCode.EMPTY)
    if len(lines) > MAX_LINES:
        raise QuoteError(_("An inquiry has at most %(n)d lines.") % {"n": MAX_LINES})
    note = _check_text("note", note, MAX_NOTE)
    if delivery_date is not None and delivery_date < timezone.localdate():
        raise _field_error("delivery_date", _("The delivery date cannot be in the past."))
    variants = _variants(customer, [whole_number(raw.get("variant")) or 0
                                    for raw in lines if raw.get("variant") not in (None, "")])
    problems, made = {}, []
    for index, raw in enumerate(lines):
        quantity = _quantity(raw.get("quantity"))
        if quantity is None:
            problems[str(index)] = [_("Enter a whole quantity from 1 to %(n)s.") % {
                "n": f"{MAX_QUANTITY:,}"}]
            continue
        if raw.get("variant") not in (None, ""):
            variant = variants.get(whole_number(raw.get("variant")))
            if variant is None:
                problems[str(index)] = [_("This product is not available.")]
                continue
            unit, ok = _unit_of(variant, raw.get("unit"))
            if not ok:
                problems[str(index)] = [_("%(code)s is not sold in that unit.") % {
                    "code": variant.code}]
                continue
            made.append(InquiryLine(variant=variant, unit=unit, quantity=quantity,
                                    position=index))
            continue
        description = (raw.get("description") or "").strip()
        if not description:
            problems[str(index)] = [_("Choose a product or describe what you need.")]
            continue
        if len(description) > 200 or len(raw.get("unit_text") or "") > 20:
            problems[str(index)] = [_("The description or the unit is too long.")]
            continue
        target, error = _price(raw.get("target_price"), required=False)
        if error:
            problems[str(index)] = [error]
            continue
        made.append(InquiryLine(description=description, quantity=quantity,
                                unit_text=(raw.get("unit_text") or "").strip(),
                                target_price=target, position=index))
    if problems:
        _refuse(problems, _("Some lines cannot be asked for: %(problem)s") % {
            "problem": next(iter(problems.values()))[0]})
    files = attachment_rules.attachments_check(attachments)
    with transaction.atomic():
        inquiry = Inquiry.objects.create(number=_next_number(), customer=customer, login=login,
                                         created_by=actor, delivery_date=delivery_date,
                                         note=note)
        for line in made:
            line.inquiry = inquiry
        InquiryLine.objects.bulk_create(made)
        attachment_rules.attachments_save(inquiry, files, actor=actor, from_dealer=True)
        audit_record(actor=actor, action="inquiry.create", obj=inquiry,
                     after={"lines": len(made), "attachments": len(files)})
        notify.notify_inquiry_notice(inquiry, notify.CREATED, actor=actor)
    return inquiry


def cart_inquire(*, actor, delivery_date=None, note="", attachments=()):
    """An inquiry for what is in the dealer's cart (the cart is kept: the dealer may
    still order it at the usual prices)."""
    from ordering.orders.models import CartLine

    login = login_of(actor)
    if login is None:
        raise QuotePermissionError(_("Sign in with your company's ordering login."))
    if not login.can_order:  # before the cart: a view-only login is refused, not "empty"
        raise QuotePermissionError(_("Your login can only view."))
    lines = [{"variant": r.variant_id, "unit": r.unit_id, "quantity": r.quantity}
             for r in CartLine.objects.filter(login=login).order_by("added_at", "id")]
    if not lines:
        raise QuoteError(_("Your cart is empty."), code=QuoteErrorCode.EMPTY)
    return inquiry_create(actor=actor, lines=lines, delivery_date=delivery_date, note=note,
                          attachments=attachments)


# --- staff answer -----------------------------------------------------------------------


def inquiry_assign(*, actor, inquiry, assignee):
    """Assign the inquiry to a staff member (None: nobody) who may quote for its
    customer; a new inquiry is then in progress."""
    with transaction.atomic():
        inquiry = workflow.lock(inquiry)
        workflow.staff_check(actor, inquiry)
        if not workflow.is_open(inquiry):
            raise QuoteConflictError(_("This inquiry is closed."),
                                     code=QuoteErrorCode.INVALID_TRANSITION)
        if assignee is not None and (workflow.actor_kind(assignee) != workflow.STAFF
                                     or not has_perm(assignee, "manage_quotes")
                                     or not can_reach(assignee, inquiry)):
            raise _field_error("assigned_to", _("Choose a staff member who quotes for this "
                                                "customer."))
        before = inquiry.assigned_to_id
        inquiry.assigned_to = assignee
        inquiry.save(update_fields=["assigned_to", "updated_at"])
        if inquiry.status == InquiryStatus.NEW and assignee is not None:
            inquiry = workflow.transition(inquiry=inquiry, action=workflow.START, actor=actor,
                                          checked=True)
        audit_record(actor=actor, action="inquiry.assign", obj=inquiry,
                     before={"assigned_to": before},
                     after={"assigned_to": getattr(assignee, "pk", None)})
        if assignee is not None and assignee.pk != before:
            notify.notify_inquiry_notice(inquiry, notify.ASSIGNED, actor=actor, user=assignee)
    return inquiry


def _quote_lines(inquiry, raw_lines):
    """QuotationLine rows (unsaved) for ``raw_lines``, one per inquiry line, with the price
    engine's reference price; or a QuoteError with ``fields["lines"]``."""
    inquiry_lines = {line.pk: line for line in inquiry.lines.all()}
    by_line, problems = {}, {}
    for index, raw in enumerate(raw_lines):
        pk = whole_number(raw.get("inquiry_line"))
        if pk not in inquiry_lines or pk in by_line:
            problems[str(index)] = [_("Answer each line of the inquiry once.")]
            continue
        by_line[pk] = raw
    missing = [pk for pk in inquiry_lines if pk not in by_line]
    if missing and not problems:
        problems["missing"] = [_("Answer every line of the inquiry (price it or decline it).")]
    if problems:
        _refuse(problems)
    ids = [whole_number(raw.get("variant")) or 0 for raw in by_line.values()
           if raw.get("variant") not in (None, "")]
    ids += [line.variant_id for line in inquiry_lines.values() if line.variant_id]
    variants = _variants(inquiry.customer, ids)
    made, slots = [], {}
    for position, (pk, raw) in enumerate(sorted(
            by_line.items(), key=lambda item: inquiry_lines[item[0]].position)):
        asked, key = inquiry_lines[pk], str(pk)
        quantity = _quantity(raw.get("quantity", asked.quantity))
        if quantity is None:
            problems[key] = [_("Enter a whole quantity from 1 to %(n)s.") % {
                "n": f"{MAX_QUANTITY:,}"}]
            continue
        if raw.get("declined"):
            made.append(QuotationLine(inquiry_line=asked, position=position, declined=True,
                                      quantity=quantity))
            continue
        variant_id = raw.get("variant", asked.variant_id)
        if variant_id in (None, "") and not asked.is_free_text:  # only free text is unmatched
            problems[key] = [_("Choose a product.")]
            continue
        variant, unit = None, None
        if variant_id not in (None, ""):
            variant = variants.get(whole_number(variant_id))
            if variant is None:
                problems[key] = [_("This product is not available.")]
                continue
            unit_id = raw["unit"] if "unit" in raw else (
                asked.unit_id if variant.pk == asked.variant_id else None)
            unit, ok = _unit_of(variant, unit_id)
            if not ok:
                problems[key] = [_("%(code)s is not sold in that unit.") % {
                    "code": variant.code}]
                continue
            problem = quantity_problem(variant, quantity * (unit.factor if unit else 1),
                                       stock=False)
            if problem:  # the order at acceptance would refuse it
                problems[key] = [f"{variant.code}: {problem}"]
                continue
            slot = (variant.pk, unit.pk if unit else None)
            if slot in slots:
                problems[key] = [_("Two lines are the same product in the same unit.")]
                continue
            slots[slot] = True
        unit_price, error = _price(raw.get("unit_price"), required=True)
        tiers, tier_error = tier_rules.validate(raw.get("tiers"))
        if error or tier_error:
            problems[key] = [error or tier_error]
            continue
        quoted = QuotationLine(inquiry_line=asked, position=position, variant=variant,
                               unit=unit, quantity=quantity, unit_price=unit_price, tiers=tiers)
        if totals.line_amount(quoted) >= MAX_AMOUNT:  # no order could hold it
            problems[key] = [_("This line's amount is too large.")]
            continue
        made.append(quoted)
    if problems:
        _refuse(problems)
    for line, price in zip(made, selectors.reference_prices(inquiry.customer, made)):
        line.reference_price = price
    return made


def quotation_send(*, actor, inquiry, lines, valid_until, shipping_fee=0, payment_terms="",
                   note=""):
    """Send a new quotation version (the first, or a re-quote after a counter-offer or
    expiry). ``lines``: one per inquiry line, ``{"inquiry_line", "unit_price", "tiers",
    "quantity", "variant", "unit"}`` (variant/unit map a free-text line or change a
    catalog one) or ``{"inquiry_line", "declined": True}``."""
    if valid_until is None or valid_until < timezone.localdate():
        raise _field_error("valid_until", _("The quotation must be valid until today or "
                                            "later."))
    fee, error = _price(shipping_fee if shipping_fee not in (None, "") else 0, required=True)
    if error:
        raise _field_error("shipping_fee", error)
    payment_terms = _check_text("payment_terms", payment_terms, 200)
    note = _check_text("note", note, MAX_NOTE)
    with transaction.atomic():
        inquiry = workflow.lock(inquiry)
        workflow.check(inquiry, workflow.QUOTE, actor)
        made = _quote_lines(inquiry, lines)
        if sum((totals.line_amount(line) for line in made), fee) >= MAX_AMOUNT:
            raise QuoteError(_("The order's total is too large."))
        previous = workflow.latest(inquiry)
        inquiry = workflow.transition(inquiry=inquiry, action=workflow.QUOTE, actor=actor,
                                      checked=True)
        quotation = Quotation.objects.create(
            inquiry=inquiry, version=(previous.version + 1) if previous else 1,
            created_by=actor, shipping_fee=fee, valid_until=valid_until,
            payment_terms=payment_terms, note=note)
        for line in made:
            line.quotation = quotation
        QuotationLine.objects.bulk_create(made)
        audit_record(actor=actor, action="quotation.send", obj=inquiry,
                     after={"version": quotation.version, "lines": len(made),
                            "valid_until": valid_until})
    return quotation


# --- the dealer answers -----------------------------------------------------------------


def _current(inquiry):
    quotation = workflow.latest(inquiry)
    if quotation is None:
        raise QuoteConflictError(_("This inquiry has no quotation yet."),
                                 code=QuoteErrorCode.INVALID_TRANSITION)
    return quotation


def _refuse_expired(quotation):
    if quotation.valid_until < timezone.localdate():
        raise QuoteConflictError(
            _("This quotation was valid until %(date)s and has expired; ask the supplier "
              "for a new quotation.") % {"date": quotation.valid_until.isoformat()},
            code=QuoteErrorCode.QUOTATION_EXPIRED)


def _refuse_other_version(quotation, version):
    if version not in (None, "") and whole_number(version) != quotation.version:
        raise QuoteConflictError(
            _("The quotation has changed: version %(version)s is the current one now. Check "
              "its prices, then accept it.") % {"version": quotation.version},
            code=QuoteErrorCode.QUOTATION_CHANGED)


def quotation_counter(*, actor, inquiry, counters):
    """The dealer's counter-offer on the current version: ``counters`` ``[{"line"
    (QuotationLine id), "wanted_price", "wanted_quantity", "comment"}]``."""
    with transaction.atomic():
        inquiry = workflow.lock(inquiry)
        workflow.check(inquiry, workflow.COUNTER, actor)
        quotation = _current(inquiry)
        _refuse_expired(quotation)
        own = {line.pk for line in quotation.lines.all()}
        problems, made, seen = {}, [], set()
        for index, raw in enumerate(counters or ()):
            pk = whole_number(raw.get("line"))
            if pk not in own or pk in seen:
                problems[str(index)] = [_("Counter each line of this quotation once.")]
                continue
            seen.add(pk)
            price, error = _price(raw.get("wanted_price"), required=False)
            quantity = raw.get("wanted_quantity")
            wanted_quantity = _quantity(quantity) if quantity not in (None, "") else None
            comment = (raw.get("comment") or "").strip()
            if error or (quantity not in (None, "") and wanted_quantity is None):
                problems[str(index)] = [error or _("Enter a whole quantity above zero.")]
                continue
            if len(comment) > 500:
                problems[str(index)] = [_("Keep the comment under 500 characters.")]
                continue
            if price is None and wanted_quantity is None and not comment:
                continue
            made.append(Counter(quotation=quotation, line_id=pk, wanted_price=price,
                                wanted_quantity=wanted_quantity, comment=comment,
                                created_by=actor))
        if problems:
            _refuse(problems)
        if not made:
            raise QuoteError(_("Say what you would like changed on at least one line."),
                             code=QuoteErrorCode.EMPTY)
        Counter.objects.bulk_create(made)
        inquiry = workflow.transition(inquiry=inquiry, action=workflow.COUNTER, actor=actor,
                                      checked=True)
        audit_record(actor=actor, action="quotation.counter", obj=inquiry,
                     after={"version": quotation.version, "lines": len(made)})
    return inquiry


def quotation_decline(*, actor, inquiry, reason=""):
    """The dealer declines the quotation: the inquiry is closed."""
    return _close(actor, inquiry, workflow.DECLINE, reason, "quotation.decline")


def inquiry_withdraw(*, actor, inquiry, reason=""):
    """The dealer withdraws its inquiry while it is open."""
    return _close(actor, inquiry, workflow.WITHDRAW, reason, "inquiry.withdraw")


def _close(actor, inquiry, action, reason, audit_action):
    reason = _check_text("reason", reason, 500)
    with transaction.atomic():
        inquiry = workflow.transition(inquiry=inquiry, action=action, actor=actor,
                                      reason=reason)
        audit_record(actor=actor, action=audit_action, obj=inquiry, after={"reason": reason})
    return inquiry


def quotation_accept(*, actor, inquiry, address_id, payment_method, shipping_method_id=None,
                     delivery_date=None, remark="", quantities=None, idempotency_key=None,
                     version=None):
    """Accept the current quotation (the dealer, or staff on its behalf): the order is
    placed through ``order_place`` at exactly the quoted prices — per line the tier
    matching the quantity (``quantities`` maps the ids of quotation lines with tiers to a
    chosen quantity; default: the quoted one, the only one for a line without tiers) —
    with the quoted shipping fee. ``Placed(order, created)``.
    ``version``: the version the person looked at; refused (409) when another one is
    current by now (a re-quote after expiry or after another login's counter-offer).

    At most once: the inquiry's row lock serialises concurrent acceptances; a repeat
    with the same ``idempotency_key`` by the same person returns the first order, any
    other repeat is refused. Refused when the quotation has expired or a free-text line
    is neither mapped to a variant nor declined."""
    key = normal_key(idempotency_key)
    with transaction.atomic():
        inquiry = workflow.lock(inquiry)
        repeat = inquiry.status == InquiryStatus.ACCEPTED
        if repeat:
            if workflow.actor_kind(actor) == workflow.DEALER:
                workflow.dealer_login(actor, inquiry, write=False)
            else:
                workflow.staff_check(actor, inquiry, edit=False)
            first = selectors.accepted_order(inquiry)
            if not (key and first is not None and first.idempotency_key == key
                    and first.placed_by_id == getattr(actor, "pk", None)):
                raise QuoteConflictError(
                    _("This quotation has already been accepted (order %(number)s).") % {
                        "number": getattr(first, "number", "")},
                    code=QuoteErrorCode.ALREADY_ACCEPTED)
            # the same key again: order_place returns the first order, or refuses (422)
            # the key with a different request
        else:
            workflow.check(inquiry, workflow.ACCEPT, actor)
        quotation = _current(inquiry)
        if not repeat:
            _refuse_other_version(quotation, version)
            _refuse_expired(quotation)
        lines = list(quotation.lines.select_related("inquiry_line"))
        unresolved = {str(line.pk): [_("“%(text)s” is neither matched to a product nor "
                                       "declined.") % {"text": line.inquiry_line.description}]
                      for line in lines if not line.declined and line.variant_id is None}
        if unresolved:  # the quotation's state: 409, whatever the request
            raise QuoteConflictError(_("Every free-text line must be matched to a product or "
                                       "declined before the quotation can be accepted."),
                                     code=QuoteErrorCode.UNRESOLVED_LINES,
                                     fields={"lines": unresolved})
        chosen = {str(k): v for k, v in (quantities or {}).items()}
        raw, prices, problems = [], {}, {}
        for line in lines:
            if line.declined:
                continue
            quantity = _quantity(chosen.get(str(line.pk), line.quantity))
            if quantity is None:
                problems[str(line.pk)] = [_("Enter a whole quantity above zero.")]
                continue
            if quantity != line.quantity and not line.tiers:  # its price is for that quantity
                problems[str(line.pk)] = [_("This line has no quantity tiers: it is ordered at "
                                            "the quoted quantity, %(n)s.") % {"n": line.quantity}]
                continue
            raw.append({"variant": line.variant_id, "unit": line.unit_id,
                        "quantity": quantity, "key": line.pk})
            prices[(line.variant_id, line.unit_id)] = tier_rules.price_for(
                line.unit_price, line.tiers, quantity)
        if problems:
            _refuse(problems)
        if not raw:
            raise QuoteError(_("Every line of this quotation was declined: there is nothing "
                               "to order."), code=QuoteErrorCode.EMPTY)
        placed = order_place(
            actor=actor, customer=inquiry.customer, lines=raw, address_id=address_id,
            payment_method=payment_method, shipping_method_id=shipping_method_id,
            delivery_date=delivery_date, remark=remark, idempotency_key=key,
            quoted=Quoted(prices=prices, shipping_fee=quotation.shipping_fee,
                          quotation=quotation,
                          note=_("Quoted price, %(number)s") % {"number": inquiry.number}))
        if repeat:
            return placed
        workflow.transition(inquiry=inquiry, action=workflow.ACCEPT, actor=actor,
                            checked=True)
        audit_record(actor=actor, action="quotation.accept", obj=inquiry,
                     after={"version": quotation.version, "order": placed.order.number})
    return placed


# --- expiry ------------------------------------------------------------------------------


def quotations_expire(*, today=None):
    """Close every open quotation whose validity date has passed (valid through
    ``valid_until``). Returns how many expired; idempotent."""
    today = today or timezone.localdate()
    last_valid = Quotation.objects.filter(inquiry=OuterRef("pk")).order_by("-version") \
        .values("valid_until")[:1]
    due = Inquiry.objects.filter(status__in=workflow.TRANSITIONS[workflow.EXPIRE].sources) \
        .annotate(last_valid=Subquery(last_valid)).filter(last_valid__lt=today) \
        .values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            inquiry = workflow.lock(pk)
            current = workflow.latest(inquiry)
            if inquiry.status not in workflow.TRANSITIONS[workflow.EXPIRE].sources \
                    or current is None or current.valid_until >= today:
                continue  # answered or re-quoted meanwhile
            workflow.transition(inquiry=inquiry, action=workflow.EXPIRE, actor=None,
                                checked=True)
            expired += 1
    return expired
