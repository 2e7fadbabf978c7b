"""A tenant's business, as Django apps inside one package.

Sub-apps (each added to TENANT_APPS as ``ordering.<name>`` when it lands):
customers, catalog, orders (cart, checkout, workflow, shipments, returns),
finance (ledger, payments, statements), quotes, promotions, reports,
notifications (a generic inbox: each app says what it notifies and to whom, as orders do
in ``ordering/orders/notify.py``). See ARCHITECTURE.md, "Inside an app".
"""
