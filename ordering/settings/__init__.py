"""A tenant's business settings: one row in the tenant's own schema.

``models.TenantSettings`` holds every business setting (the order workflow, stock
display and overselling, the minimum order, dealer self-registration …); read it with
``selectors.tenant_settings()`` and change it only through
``services.settings_update``. New settings are tenant migrations of this app; the
public ``tenants.Tenant`` row keeps identity, routing, status, plan, language and
currency only.
"""
