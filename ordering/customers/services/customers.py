"""Customers: create, edit, enable/disable (with their logins), bulk assignment, levels.

Scoped staff (regional managers, sales reps) may only create or move customers
within their own reach: a write that would take a customer out of the actor's
scope is refused and nothing is saved.
"""

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from billing.limits import limit_check
from ordering.customers.exceptions import CustomerError, CustomerErrorCode, CustomerNotFoundError
from core.sequences import next_id
from ordering.customers.enums import CustomerStatus, PaymentTerms
from ordering.customers.models import (Contact, Customer, CustomerLevel, CustomerLogin,
                                       CustomerUserObjectPermission)
from ordering.customers.services.guards import require_customer, require_perm
from roles.enums import UserKind
from roles.permissions import can_reach, forget_permissions, has_perm
from roles.services.audit import audit_record

CODE_PREFIX = "C"
MAX_TAGS = 20
EDITABLE = ("code", "name", "phone", "email", "region", "level", "sales_rep", "credit_limit",
            "payment_terms", "payment_days", "tags", "notes", "invoice_title", "tax_number",
            "bank_name", "bank_account", "invoice_address", "invoice_phone")
CREDIT_FIELDS = ("credit_limit", "payment_terms", "payment_days")
TEXT_LIMITS = {"name": 120, "phone": 32, "email": 254, "notes": 4000, "invoice_title": 120,
               "tax_number": 40, "bank_name": 120, "bank_account": 60, "invoice_address": 255,
               "invoice_phone": 32}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _error(field, message):
    return CustomerError(message, fields={field: [message]})


def snapshot(customer):
    return {
        "code": customer.code, "name": customer.name, "phone": customer.phone,
        "email": customer.email, "region": customer.region_id, "level": customer.level_id,
        "sales_rep": customer.sales_rep_id, "credit_limit": str(customer.credit_limit),
        "payment_terms": customer.payment_terms, "payment_days": customer.payment_days,
        "status": customer.status, "tags": list(customer.tags), "notes": customer.notes,
        "invoice_title": customer.invoice_title, "tax_number": customer.tax_number,
        "bank_name": customer.bank_name, "bank_account": customer.bank_account,
        "invoice_address": customer.invoice_address, "invoice_phone": customer.invoice_phone,
    }


def clean_tags(tags):
    """A list of distinct, trimmed tags (from a list or a comma-separated string)."""
    if isinstance(tags, str):
        tags = re.split(r"[,，;；\n]", tags)
    seen, cleaned = set(), []
    for tag in tags or []:
        tag = str(tag).strip()[:30]
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise _error("tags", _("At most %(n)d tags.") % {"n": MAX_TAGS})
    return cleaned


def code_generate():
    """A free generated code and the primary key it was made from: C00001, C00002 …
    (numbers whose code was typed by hand are skipped)."""
    while True:
        number = next_id(Customer)
        code = f"{CODE_PREFIX}{number:05d}"
        if not Customer.objects.filter(code__iexact=code).exists():
            return code, number


def default_level():
    return CustomerLevel.objects.filter(is_default=True).first()


def _clean(values, *, partial):
    """Validate and normalise the editable fields present in ``values``."""
    cleaned = {}
    for field in EDITABLE:
        if field in values:
            cleaned[field] = values[field]
    for field in ("name", "phone", "email", "notes", "invoice_title", "tax_number",
                  "bank_name", "bank_account", "invoice_address", "invoice_phone"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    for field, limit in TEXT_LIMITS.items():
        if len(cleaned.get(field) or "") > limit:
            raise _error(field, _("At most %(n)d characters.") % {"n": limit})
    if cleaned.get("email"):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        cleaned["email"] = cleaned["email"].lower()
        try:
            validate_email(cleaned["email"])
        except ValidationError as exc:
            raise _error("email", _("Enter a valid e-mail address.")) from exc
    if not partial or "name" in cleaned:
        if not cleaned.get("name"):
            raise _error("name", _("Enter the customer's name."))
    if "code" in cleaned:
        code = (cleaned["code"] or "").strip()
        if code and not _CODE.match(code):
            raise _error("code", _("Use letters, digits, dots, dashes or underscores "
                                   "(at most 32)."))
        cleaned["code"] = code
    if "credit_limit" in cleaned:
        try:
            amount = Decimal(str(cleaned["credit_limit"] if cleaned["credit_limit"] not in
                                 (None, "") else "0"))
        except InvalidOperation as exc:
            raise _error("credit_limit", _("Enter an amount.")) from exc
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise _error("credit_limit", _("Enter an amount of 0 or more."))
        cleaned["credit_limit"] = amount.quantize(Decimal("0.01"))
    if "payment_terms" in cleaned and cleaned["payment_terms"] not in PaymentTerms.values:
        raise _error("payment_terms", _("Unknown payment terms."))
    if "payment_days" in cleaned:
        try:
            days = int(cleaned["payment_days"] or 0)
        except (TypeError, ValueError) as exc:
            raise _error("payment_days", _("Enter a number of days.")) from exc
        if not 0 <= days <= 365:
            raise _error("payment_days", _("Enter 0 to 365 days."))
        cleaned["payment_days"] = days
    if cleaned.get("payment_terms") == PaymentTerms.NEXT_MONTH and not 1 <= int(
            cleaned.get("payment_days") or 0) <= 28:
        raise _error("payment_days", _("Enter the day of the month it falls due (1–28)."))
    if "tags" in cleaned:
        cleaned["tags"] = clean_tags(cleaned["tags"])
    if "sales_rep" in cleaned and cleaned["sales_rep"] is not None:
        rep = cleaned["sales_rep"]
        if (rep.kind != UserKind.STAFF or not rep.is_active
                or not has_perm(rep, "manage_customers")):
            raise _error("sales_rep", _("Choose an active staff member who works with "
                                        "customers."))
    return cleaned


def _assign_grants(customers, sales_rep):
    """Keep the guardian grant that scopes sales reps in step with ``sales_rep``."""
    from django.contrib.auth.models import Permission

    ids = [customer.pk for customer in customers]
    permission = Permission.objects.get(content_type__app_label="customers",
                                        codename="work_with_customer")
    stale = CustomerUserObjectPermission.objects.filter(content_object_id__in=ids,
                                                        permission=permission)
    if sales_rep is not None:
        stale = stale.exclude(user=sales_rep)
    stale.delete()
    if sales_rep is not None:
        have = set(CustomerUserObjectPermission.objects.filter(
            content_object_id__in=ids, permission=permission, user=sales_rep)
            .values_list("content_object_id", flat=True))
        CustomerUserObjectPermission.objects.bulk_create([
            CustomerUserObjectPermission(content_object_id=pk, permission=permission,
                                         user=sales_rep)
            for pk in ids if pk not in have])
        forget_permissions(sales_rep)


def _save(customer, *, insert=False):
    try:
        with transaction.atomic():
            customer.save(force_insert=insert)
    except IntegrityError as exc:
        if "customer_code_unique_ci" in str(exc):
            raise _error("code", _("Another customer already has this code.")) from exc
        raise


def _refuse_hidden(actor, fields):
    """Staff without ``view_finance`` may not write the finance fields they cannot read."""
    from ordering.customers.selectors import INVOICE_FIELDS, customer_hidden_fields

    hidden = [f for f in fields if f in INVOICE_FIELDS and f in customer_hidden_fields(
        actor=actor)]
    if hidden:
        raise _error(hidden[0], _("Only staff who may see a customer's finance details may "
                                  "change its invoice and bank details."))


def _still_reachable(actor, customer):
    if actor is not None and not can_reach(actor, customer):
        raise CustomerError(
            _("You can only keep customers in your own regions or assigned to you."),
            code=CustomerErrorCode.OUT_OF_SCOPE,
            fields={"region": [_("Choose one of your regions, or assign the customer to "
                                 "yourself.")]})


@transaction.atomic
def customer_create(*, actor, contact=None, ip=None, status=CustomerStatus.ACTIVE, **values):
    """A new customer. ``contact`` (name, phone, email, title) becomes its primary contact.

    The code is generated when left empty; the level defaults to the default level; a
    sales rep creating a customer is assigned to it unless another rep is named.
    """
    require_perm(actor, "manage_customers")
    limit_check(connection.tenant, "customers", actor=actor)
    cleaned = _clean(values, partial=False)
    if any(cleaned.get(f) not in (None, "", 0, Decimal("0"), PaymentTerms.PREPAID)
           for f in CREDIT_FIELDS) and actor is not None and not has_perm(actor, "manage_credit"):
        raise _error("credit_limit", _("Only staff with the credit permission may set credit "
                                       "limits and payment terms."))
    _refuse_hidden(actor, [f for f in cleaned if cleaned[f] not in (None, "")])
    if "level" not in cleaned:
        cleaned["level"] = default_level()
    if (cleaned.get("sales_rep") is None and actor is not None and actor.kind == UserKind.STAFF
            and not has_perm(actor, "access_all_customers")):
        from roles.permissions import scoped_region_ids

        region = cleaned.get("region")
        if region is None or region.pk not in scoped_region_ids(actor):
            cleaned["sales_rep"] = actor  # a sales rep's new customer is theirs
    customer = Customer(status=status, created_by=actor if getattr(actor, "pk", None) else None,
                        **cleaned)
    if not customer.code:
        customer.code, customer.pk = code_generate()
    _save(customer, insert=True)
    if customer.sales_rep_id:
        _assign_grants([customer], customer.sales_rep)
    if contact and (contact.get("name") or "").strip():
        Contact.objects.create(customer=customer, is_primary=True,
                               name=contact["name"].strip()[:80],
                               phone=(contact.get("phone") or "").strip()[:32],
                               email=(contact.get("email") or "").strip().lower()[:254],
                               title=(contact.get("title") or "").strip()[:60])
    _still_reachable(actor, customer)
    audit_record(actor=actor, action="customer.create", obj=customer, after=snapshot(customer),
                 ip=ip)
    return customer


@transaction.atomic
def customer_update(*, actor, customer, ip=None, **values):
    """Change any of ``EDITABLE``; only the fields given are touched. Staff with
    ``manage_credit`` but not ``manage_customers`` (finance) may change the credit fields."""
    credit_only = bool(values) and set(values) <= set(CREDIT_FIELDS)
    require_customer(actor, "manage_credit" if credit_only and has_perm(actor, "manage_credit")
                     else "manage_customers", customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    cleaned = _clean(values, partial=True)
    if "code" in cleaned and not cleaned["code"]:
        raise _error("code", _("Enter the customer code."))
    changed_credit = [f for f in CREDIT_FIELDS if f in cleaned
                      and cleaned[f] != getattr(customer, f)]
    if changed_credit and actor is not None and not has_perm(actor, "manage_credit"):
        raise _error(changed_credit[0], _("Only staff with the credit permission may change "
                                          "credit limits and payment terms."))
    _refuse_hidden(actor, [f for f in cleaned if cleaned[f] != getattr(customer, f)])
    before = snapshot(customer)
    rep_changed = "sales_rep" in cleaned and cleaned["sales_rep"] != customer.sales_rep
    for field, value in cleaned.items():
        setattr(customer, field, value)
    _save(customer)
    if rep_changed:
        _assign_grants([customer], customer.sales_rep)
        if actor is not None:
            forget_permissions(actor)
    _still_reachable(actor, customer)
    after = snapshot(customer)
    if after != before:
        audit_record(actor=actor, action="customer.update", obj=customer, before=before,
                     after=after, ip=ip)
    return customer


def _suspend_logins(customer):
    """Sign every login of the customer out at once and keep them from signing in."""
    User = get_user_model()
    logins = CustomerLogin.objects.filter(customer=customer, user__is_active=True)
    user_ids = list(logins.values_list("user_id", flat=True))
    logins.update(suspended_with_customer=True)
    from django.db.models import F

    User.objects.filter(pk__in=user_ids).update(is_active=False,
                                                security_stamp=F("security_stamp") + 1)
    from roles.models import ApiKey

    ApiKey.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


def _resume_logins(customer):
    User = get_user_model()
    logins = CustomerLogin.objects.filter(customer=customer, suspended_with_customer=True)
    user_ids = list(logins.values_list("user_id", flat=True))
    User.objects.filter(pk__in=user_ids).update(is_active=True)
    logins.update(suspended_with_customer=False)


def customer_status_change(customer, target):
    """The one place a customer's status is written (callers check who may, and lock)."""
    customer.status = target
    customer.save(update_fields=["status", "updated_at"])
    return customer


@transaction.atomic
def customer_set_status(*, actor, customer, active, ip=None):
    """Disable a customer (its logins stop working at their next request) or enable it
    again (the logins it suspended come back; logins disabled one by one stay off)."""
    require_customer(actor, "manage_customers", customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status in (CustomerStatus.PENDING, CustomerStatus.REJECTED):
        raise CustomerError(_("Approve or reject the customer's application first."),
                               code=CustomerErrorCode.PENDING_APPLICATION)
    target = CustomerStatus.ACTIVE if active else CustomerStatus.DISABLED
    if customer.status == target:
        return customer
    before = snapshot(customer)
    customer_status_change(customer, target)
    if active:
        _resume_logins(customer)
    else:
        _suspend_logins(customer)
    audit_record(actor=actor, action="customer.enable" if active else "customer.disable",
                 obj=customer, before=before, after=snapshot(customer), ip=ip)
    return customer


UNSET = object()


@transaction.atomic
def customers_bulk_assign(*, actor, customer_ids, sales_rep=UNSET, level=UNSET, ip=None):
    """Assign a sales rep and/or a level to several customers at once. Every customer
    must be within the actor's reach, or nothing changes. Returns how many changed."""
    require_perm(actor, "manage_customers")
    if sales_rep is UNSET and level is UNSET:
        raise CustomerError(_("Choose a sales rep or a level to assign."))
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        raise CustomerError(_("Select at least one customer."), fields={
            "customers": [_("Select at least one customer.")]})
    if len(ids) > 1000:
        raise CustomerError(_("Assign at most 1000 customers at once."))
    customers = list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if actor is not None:
        from roles.permissions import scope

        reachable = set(scope(actor, Customer.objects.filter(pk__in=ids))
                        .values_list("pk", flat=True))
        if len(customers) != len(ids) or reachable != set(ids):
            raise CustomerNotFoundError(_("One of the selected customers does not exist or is not "
                                  "yours."))
    values = {}
    if sales_rep is not UNSET:
        values["sales_rep"] = sales_rep
    if level is not UNSET:
        values["level"] = level
    cleaned = _clean(values, partial=True)
    changed = [c for c in customers if any(getattr(c, f) != v for f, v in cleaned.items())]
    if changed:
        Customer.objects.filter(pk__in=[c.pk for c in changed]).update(
            updated_at=timezone.now(), **cleaned)
        if "sales_rep" in cleaned:
            _assign_grants(changed, cleaned["sales_rep"])
            if actor is not None:
                forget_permissions(actor)
        if actor is not None:
            from roles.permissions import scope

            if scope(actor, Customer.objects.filter(pk__in=ids)).count() != len(ids):
                raise CustomerError(
                    _("You can only assign customers to yourself or keep them in your "
                      "regions."), code=CustomerErrorCode.OUT_OF_SCOPE)
    audit_record(actor=actor, action="customer.bulk_assign", obj=None,
                 after={"customers": [c.pk for c in changed],
                        **{f: getattr(v, "pk", v) for f, v in cleaned.items()}}, ip=ip)
    return len(changed)


# --- levels ------------------------------------------------------------------------
#
# A level's price percentage prices every customer at that level, most of them outside
# any one rep's or region's reach: creating, changing, making default and deleting
# levels is pricing, so it needs the tenant-wide ``manage_prices`` (never only the
# scoped ``manage_customers``).

LEVEL_PERMISSION = "manage_prices"


def _clean_level(name, price_percent, position):
    name = (name or "").strip()
    if not name:
        raise _error("name", _("Enter the level's name."))
    try:
        percent = Decimal(str(price_percent))
    except InvalidOperation as exc:
        raise _error("price_percent", _("Enter a percentage.")) from exc
    if not percent.is_finite() or not Decimal("0") < percent <= Decimal("100"):
        raise _error("price_percent", _("Enter more than 0 and at most 100."))
    try:
        position = int(position or 0)
    except (TypeError, ValueError) as exc:
        raise _error("position", _("Enter a number.")) from exc
    return name[:60], percent.quantize(Decimal("0.01")), max(position, 0)


def _save_level(level, is_default):
    if is_default:
        CustomerLevel.objects.filter(is_default=True).exclude(pk=level.pk).update(
            is_default=False)
    level.is_default = bool(is_default)
    try:
        with transaction.atomic():
            level.save()
    except IntegrityError as exc:
        if "customer_level_unique_name" in str(exc):
            raise _error("name", _("A level with this name already exists.")) from exc
        raise


def _level_snapshot(level):
    return {"name": level.name, "price_percent": str(level.price_percent),
            "position": level.position, "is_default": level.is_default}


@transaction.atomic
def level_create(*, actor, name, price_percent=100, position=None, is_default=False, ip=None):
    require_perm(actor, LEVEL_PERMISSION)
    if position in (None, ""):
        position = (CustomerLevel.objects.order_by("-position").values_list(
            "position", flat=True).first() or 0) + 10
    name, percent, position = _clean_level(name, price_percent, position)
    level = CustomerLevel(name=name, price_percent=percent, position=position)
    _save_level(level, is_default or not CustomerLevel.objects.exists())
    audit_record(actor=actor, action="customer_level.create", obj=level,
                 after=_level_snapshot(level), ip=ip)
    return level


@transaction.atomic
def level_update(*, actor, level, name, price_percent, position, is_default, ip=None):
    require_perm(actor, LEVEL_PERMISSION)
    before = _level_snapshot(level)
    level.name, level.price_percent, level.position = _clean_level(name, price_percent,
                                                                   position)
    _save_level(level, is_default)
    audit_record(actor=actor, action="customer_level.update", obj=level, before=before,
                 after=_level_snapshot(level), ip=ip)
    return level


@transaction.atomic
def level_delete(*, actor, level, ip=None):
    require_perm(actor, LEVEL_PERMISSION)
    used = Customer.objects.filter(level=level).count()
    if used:
        raise CustomerError(
            ngettext("%(n)d customer is at this level: move it to another level first.",
                     "%(n)d customers are at this level: move them to another level first.",
                     used) % {"n": used}, code=CustomerErrorCode.LEVEL_IN_USE)
    before = _level_snapshot(level)
    audit_record(actor=actor, action="customer_level.delete", obj=level, before=before, ip=ip)
    level.delete()


def sales_rep_choices():
    """Active staff who can be assigned customers."""
    return get_user_model().objects.filter(kind=UserKind.STAFF, is_active=True).filter(
        Q(groups__permissions__codename="manage_customers")).distinct().order_by("name", "email")
