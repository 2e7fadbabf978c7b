"""Contacts and shipping addresses of a customer. Staff with ``manage_customers`` edit
both; a dealer's logins edit their own company's addresses (shop self-service)."""

from django.db import transaction
from django.utils.translation import gettext as _

from ordering.customers.exceptions import CustomerError, CustomerNotFoundError, CustomerPermissionError
from ordering.customers.models import Address, Contact
from ordering.customers.services.guards import (lock_customer, require_customer,
                                                require_staff_or_dealer)
from roles.services.audit import audit_record


def _text(values, field, limit, required=False, label=None):
    value = (values.get(field) or "").strip()
    if required and not value:
        raise CustomerError(label, fields={field: [label]})
    if len(value) > limit:
        message = _("At most %(n)d characters.") % {"n": limit}
        raise CustomerError(message, fields={field: [message]})
    return value


def _email(values):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = _text(values, "email", 254).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            message = _("Enter a valid e-mail address.")
            raise CustomerError(message, fields={"email": [message]}) from exc
    return email


def _contact_values(values):
    return {
        "name": _text(values, "name", 80, True, _("Enter the contact's name.")),
        "title": _text(values, "title", 60),
        "phone": _text(values, "phone", 32),
        "email": _email(values),
    }


def _delete_keeping_one_marked(item, flag):
    """Delete a contact or address; when it was the marked one (``flag``: primary,
    default), the customer's oldest remaining one takes the mark."""
    model, customer_id, was_marked = type(item), item.customer_id, getattr(item, flag)
    item.delete()
    if was_marked:
        successor = model.objects.filter(customer_id=customer_id).order_by("id").first()
        if successor:
            setattr(successor, flag, True)
            successor.save(update_fields=[flag])


def _contact_snapshot(contact):
    return {"name": contact.name, "title": contact.title, "phone": contact.phone,
            "email": contact.email, "is_primary": contact.is_primary}


def _make_primary(contact):
    Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
        pk=contact.pk).update(is_primary=False)
    contact.is_primary = True


@transaction.atomic
def contact_save(*, actor, customer, instance=None, is_primary=False, ip=None, **values):
    """Add a contact (``instance=None``) or change one. The first contact is primary."""
    contact = instance
    require_customer(actor, "manage_customers", customer)
    lock_customer(customer)
    if contact is not None and contact.customer_id != customer.pk:
        raise CustomerNotFoundError(_("No such contact."))
    before = _contact_snapshot(contact) if contact else None
    contact = contact or Contact(customer=customer)
    for field, value in _contact_values(values).items():
        setattr(contact, field, value)
    first = not Contact.objects.filter(customer=customer).exclude(pk=contact.pk).exists()
    if is_primary or first:
        _make_primary(contact)
    contact.save()
    audit_record(actor=actor, action="customer.contact_save", obj=customer, before=before,
                 after=_contact_snapshot(contact), ip=ip)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact, ip=None):
    customer = contact.customer
    require_customer(actor, "manage_customers", customer)
    lock_customer(customer)
    before = _contact_snapshot(contact)
    _delete_keeping_one_marked(contact, "is_primary")
    audit_record(actor=actor, action="customer.contact_delete", obj=customer, before=before,
                 ip=ip)


def _address_values(values):
    region = values.get("region")
    return {
        "recipient": _text(values, "recipient", 80, True, _("Enter the recipient's name.")),
        "phone": _text(values, "phone", 32, True, _("Enter the recipient's phone.")),
        "address": _text(values, "address", 255, True, _("Enter the address.")),
        "postal_code": _text(values, "postal_code", 12),
        "region": region,
    }


def _address_snapshot(address):
    return {"recipient": address.recipient, "phone": address.phone,
            "region": address.region_id, "address": address.address,
            "postal_code": address.postal_code, "is_default": address.is_default}


def _make_default(address):
    Address.objects.filter(customer_id=address.customer_id, is_default=True).exclude(
        pk=address.pk).update(is_default=False)
    address.is_default = True


MAX_ADDRESSES = 100


def _require_address_editor(actor, customer):
    """Staff with ``manage_customers`` or a login of the customer that may order: a
    view-only login sees the addresses but cannot change them."""
    login = require_staff_or_dealer(actor, customer)
    if login is not None and not login.can_order:
        raise CustomerPermissionError(_("Your login can only view: ask your company's primary "
                                      "login to change the shipping addresses."))
    return login


@transaction.atomic
def address_save(*, actor, customer, instance=None, is_default=False, ip=None, **values):
    """Add a shipping address (``instance=None``) or change one; staff or the customer's
    own logins that may order. The first address is the default."""
    _require_address_editor(actor, customer)
    lock_customer(customer)
    address = instance
    if address is not None and address.customer_id != customer.pk:
        raise CustomerNotFoundError(_("No such address."))
    if address is None and Address.objects.filter(customer=customer).count() >= MAX_ADDRESSES:
        raise CustomerError(_("A customer can keep at most %(n)d addresses.")
                               % {"n": MAX_ADDRESSES})
    before = _address_snapshot(address) if address else None
    address = address or Address(customer=customer)
    for field, value in _address_values(values).items():
        setattr(address, field, value)
    first = not Address.objects.filter(customer=customer).exclude(pk=address.pk).exists()
    if is_default or first:
        _make_default(address)
    address.save()
    audit_record(actor=actor, action="customer.address_save", obj=customer, before=before,
                 after=_address_snapshot(address), ip=ip)
    return address


@transaction.atomic
def address_set_default(*, actor, address, ip=None):
    _require_address_editor(actor, address.customer)
    lock_customer(address.customer)
    _make_default(address)
    address.save(update_fields=["is_default"])
    audit_record(actor=actor, action="customer.address_default", obj=address.customer,
                 after=_address_snapshot(address), ip=ip)
    return address


@transaction.atomic
def address_delete(*, actor, address, ip=None):
    customer = address.customer
    _require_address_editor(actor, customer)
    lock_customer(customer)
    before = _address_snapshot(address)
    _delete_keeping_one_marked(address, "is_default")
    audit_record(actor=actor, action="customer.address_delete", obj=customer, before=before,
                 ip=ip)
