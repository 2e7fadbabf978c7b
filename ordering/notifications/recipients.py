"""Whom the apps tell, and where the notification links to: the dealer's people on a
thing of a customer (an order, an inquiry), the staff who hold a permission on it, a
page's address (empty while the page does not exist), the supplier's name."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django_tenants.utils import get_tenant_model

from roles.enums import UserKind
from roles.permissions import can_reach


def dealer_users(thing):
    """The active users of the login that made ``thing`` (``thing.login``, may be None)
    and of the primary login of its customer (``thing.customer``)."""
    users = {}
    if thing.login_id and thing.login.user.is_active:
        users[thing.login.user_id] = thing.login.user
    for login in thing.customer.logins.filter(is_primary=True).select_related("user"):
        if login.user.is_active:
            users[login.user_id] = login.user
    return list(users.values())


def staff_with(perm, thing):
    """Active staff whose roles grant ``perm`` and who reach ``thing`` (its model declares
    its scope: ``roles.permissions.can_reach``)."""
    candidates = get_user_model().objects.filter(
        kind=UserKind.STAFF, is_active=True, groups__permissions__codename=perm,
        groups__permissions__content_type__app_label="roles").distinct()
    return [user for user in candidates if can_reach(user, thing)]


def link(name, obj):
    """The path of page ``name`` for ``obj`` ("" when there is no such page)."""
    try:
        return reverse(name, args=[obj.pk])
    except NoReverseMatch:
        return ""


def supplier_name():
    """The current tenant's name (read by its schema when the connection knows only the
    schema: a task run inline under ``schema_context``)."""
    name = getattr(connection.tenant, "name", "")
    if not name:
        name = get_tenant_model().objects.filter(schema_name=connection.schema_name) \
            .values_list("name", flat=True).first() or ""
    return name
