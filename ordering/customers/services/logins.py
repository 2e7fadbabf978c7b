"""Ordering logins of a customer (dealer accounts). Staff with ``manage_customers`` open
and manage them; a customer's primary login manages its own company's other logins."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from ordering.customers.exceptions import CustomerError, CustomerErrorCode, CustomerPermissionError
from core.mail import email_send
from ordering.customers.enums import BuyerRole, CustomerStatus
from ordering.customers.models import CustomerLogin
from ordering.customers.services.guards import lock_customer, require_staff_or_dealer
from roles.enums import UserKind
from roles.services.accounts import account_set_active, password_link, user_create
from roles.services.audit import audit_record

MAX_LOGINS = 50


def _error(field, message):
    return CustomerError(message, fields={field: [message]})


def _clean_role(buyer_role, order_limit, is_primary):
    if buyer_role not in BuyerRole.values:
        raise _error("buyer_role", _("Unknown buyer role."))
    if is_primary and buyer_role != BuyerRole.ORDER:
        raise _error("buyer_role", _("The primary login must be able to order without limit: "
                                     "it approves the orders above the other logins' limits."))
    if buyer_role != BuyerRole.ORDER_UP_TO:
        return buyer_role, None
    try:
        amount = Decimal(str(order_limit)) if order_limit not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise _error("order_limit", _("Enter the amount up to which this login may order."))
    return buyer_role, amount.quantize(Decimal("0.01"))


def snapshot(login):
    return {"email": login.user.email, "name": login.user.name, "phone": login.user.phone,
            "buyer_role": login.buyer_role,
            "order_limit": None if login.order_limit is None else str(login.order_limit),
            "is_primary": login.is_primary, "is_active": login.user.is_active}


def _make_primary(login):
    CustomerLogin.objects.filter(customer_id=login.customer_id, is_primary=True).exclude(
        pk=login.pk).update(is_primary=False)
    login.is_primary = True


def _invite(login, site_url, language, template):
    user = login.user
    email_send(to=user.email, template=template,
               context={"url": password_link(site_url, user), "name": user.get_short_name(),
                        "company": login.customer.name, "site": site_url},
               language=language or user.preferred_language or "zh-hans")


@transaction.atomic
def login_create(*, actor, customer, email, name="", phone="", buyer_role=BuyerRole.ORDER,
                 order_limit=None, is_primary=False, password=None, language="",
                 site_url="", ip=None, template="email/dealer_invite"):
    """Open an ordering login for ``customer``.

    With ``password`` the dealer signs in with it and must change it at the first
    sign-in; without, they get an e-mail with a link to choose one. The customer's
    first login is its primary login.
    """
    dealer = require_staff_or_dealer(actor, customer, primary=True)
    if dealer is not None and is_primary:
        raise CustomerPermissionError(_("Only the supplier can change the primary login."))
    lock_customer(customer)
    if CustomerLogin.objects.filter(customer=customer).count() >= MAX_LOGINS:
        raise CustomerError(_("A customer can have at most %(n)d logins.") % {"n": MAX_LOGINS})
    first = not CustomerLogin.objects.filter(customer=customer).exists()
    is_primary = bool(is_primary or first)
    buyer_role, order_limit = _clean_role(BuyerRole.ORDER if first and buyer_role !=
                                          BuyerRole.ORDER else buyer_role, order_limit,
                                          is_primary)
    if password:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        try:
            validate_password(password)
        except ValidationError as exc:
            raise CustomerError(" ".join(exc.messages),
                                   fields={"password": list(exc.messages)}) from exc
    user = user_create(email=email, password=password or None, name=(name or "").strip()[:120],
                       kind=UserKind.DEALER, phone=phone, language=language,
                       must_change_password=bool(password))
    if customer.status != CustomerStatus.ACTIVE:
        user.is_active = False
        user.save(update_fields=["is_active"])
    login = CustomerLogin(user=user, customer=customer, buyer_role=buyer_role,
                          order_limit=order_limit,
                          suspended_with_customer=customer.status == CustomerStatus.DISABLED)
    if is_primary:
        _make_primary(login)
    login.save()
    if not password and customer.status == CustomerStatus.ACTIVE:
        _invite(login, site_url, language, template)
    audit_record(actor=actor, action="customer.login_create", obj=customer,
                 after=snapshot(login), ip=ip)
    return login


def _own(actor, login):
    dealer = require_staff_or_dealer(actor, login.customer, primary=True)
    return dealer


@transaction.atomic
def login_update(*, actor, login, buyer_role=None, order_limit=None, is_primary=None,
                 name=None, phone=None, ip=None):
    """Change a login's buyer role and limit, name or phone, or make it the primary."""
    dealer = _own(actor, login)
    lock_customer(login.customer)
    login = CustomerLogin.objects.select_for_update().select_related("user", "customer").get(
        pk=login.pk)
    before = snapshot(login)
    if dealer is not None and is_primary is not None and bool(is_primary) != login.is_primary:
        raise CustomerPermissionError(_("Only the supplier can change the primary login."))
    if is_primary is False and login.is_primary:
        raise _error("is_primary", _("Make another login the primary login instead."))
    primary = login.is_primary or bool(is_primary)
    role, limit = _clean_role(buyer_role or login.buyer_role,
                              order_limit if buyer_role else login.order_limit, primary)
    if is_primary and not login.is_primary and not login.user.is_active:
        raise _error("is_primary", _("A disabled login cannot be the primary login."))
    login.buyer_role, login.order_limit = role, limit
    if is_primary and not login.is_primary:
        _make_primary(login)
    login.save()
    user_fields = []
    if name is not None:
        login.user.name = name.strip()[:120]
        user_fields.append("name")
    if phone is not None:
        phone = phone.strip()
        from django.contrib.auth import get_user_model

        if phone and get_user_model().objects.filter(phone=phone).exclude(
                pk=login.user_id).exists():
            raise _error("phone", _("This phone number is used by another account."))
        login.user.phone = phone
        user_fields.append("phone")
    if user_fields:
        login.user.save(update_fields=user_fields)
    audit_record(actor=actor, action="customer.login_update", obj=login.customer, before=before,
                 after=snapshot(login), ip=ip)
    return login


@transaction.atomic
def login_set_active(*, actor, login, active, ip=None):
    """Disable a login (signed out at its next request) or enable it again.

    A login the supplier's staff disabled stays off for the dealer: the company's
    primary login cannot enable it again. Disabling a login while its customer is
    disabled keeps it off when the customer comes back.
    """
    dealer = _own(actor, login)
    login = CustomerLogin.objects.select_for_update().select_related("user", "customer").get(
        pk=login.pk)
    user = login.user
    if dealer is not None and user.pk == actor.pk:
        raise CustomerPermissionError(_("You cannot disable your own login."))
    if not active and login.is_primary:
        raise CustomerError(_("This is the primary login: make another login primary "
                                 "before disabling it."), code=CustomerErrorCode.PRIMARY_LOGIN)
    if active and login.customer.status != CustomerStatus.ACTIVE:
        raise CustomerError(_("The customer is disabled: enable the customer first."),
                               code=CustomerErrorCode.CUSTOMER_DISABLED)
    if active and dealer is not None and login.disabled_by_supplier:
        raise CustomerPermissionError(_("Your supplier disabled this login: ask them to enable "
                                      "it again."))
    before = snapshot(login)
    by_supplier = not active and dealer is None
    if (user.is_active == active and not login.suspended_with_customer
            and login.disabled_by_supplier == by_supplier):
        return login
    if user.is_active != active:
        account_set_active(user=user, active=active)
    login.suspended_with_customer = False
    login.disabled_by_supplier = by_supplier
    login.save(update_fields=["suspended_with_customer", "disabled_by_supplier"])
    audit_record(actor=actor, action="customer.login_enable" if active
                 else "customer.login_disable", obj=login.customer, before=before,
                 after=snapshot(login), ip=ip)
    return login


@transaction.atomic
def login_send_password_link(*, actor, login, site_url, ip=None):
    """E-mail the login a link to choose a new password."""
    _own(actor, login)
    if not login.user.is_active:
        raise CustomerError(_("The login is disabled."))
    _invite(login, site_url, login.user.preferred_language, "email/password_reset")
    audit_record(actor=actor, action="customer.login_password_link", obj=login.customer,
                 after={"email": login.user.email}, ip=ip)

