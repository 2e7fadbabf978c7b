"""A tenant's business, as Django apps inside one package.

Sub-apps (each added to TENANT_APPS as ``ordering.<name>`` when it lands):
customers, catalog, orders (cart, checkout, workflow, shipments, returns),
finance (ledger, payments, statements), quotes, promotions, reports,
notifications. See ARCHITECTURE.md, "Inside an app".
"""
