"""Performance scenarios, each run as ``python -m bench.<name>`` (``make bench`` runs them
all): provision, customers, catalog_search, catalog_import, checkout, order_lists. Each
module's ``run()`` provisions a throwaway tenant, prints its measurements and deletes
it; nothing is asserted."""
