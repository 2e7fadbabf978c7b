"""Reads for the dashboard's first-run checklist: what a new supplier has set up.

One query however much data the tenant has (each fact is an ``EXISTS``)."""

from django.db import connection

from ordering.catalog.models import Product
from ordering.customers.models import CustomerLogin
from ordering.orders.models import PaymentOption
from roles.models import AuditLog

# The audit actions that mean "the supplier has looked at and saved this setting".
WORKFLOW_SAVED = ("orders.settings",)
SHIPPING_SAVED = ("orders.shipping_method", "orders.carrier")


def first_run_facts():
    """``{"products", "customers", "payments", "workflow", "shipping"}`` → bool:

    - products: the catalog has a product;
    - customers: a dealer has a login to the shop (a customer without one cannot order);
    - payments: the payment methods offered at checkout were chosen and saved;
    - workflow: the order workflow settings were saved;
    - shipping: a shipping method or carrier was saved (the defaults a new site starts
      with count once the supplier has reviewed them).
    """
    audit = connection.ops.quote_name(AuditLog._meta.db_table)
    sql = f"""SELECT
        EXISTS (SELECT 1 FROM {connection.ops.quote_name(Product._meta.db_table)}),
        EXISTS (SELECT 1 FROM {connection.ops.quote_name(CustomerLogin._meta.db_table)}),
        EXISTS (SELECT 1 FROM {connection.ops.quote_name(PaymentOption._meta.db_table)}),
        EXISTS (SELECT 1 FROM {audit} WHERE action = ANY(%s)),
        EXISTS (SELECT 1 FROM {audit} WHERE action = ANY(%s))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(WORKFLOW_SAVED), list(SHIPPING_SAVED)])
        row = cursor.fetchone()
    return dict(zip(("products", "customers", "payments", "workflow", "shipping"), row))
