"""Writes of the roles app, split by concept."""

from roles.services.accounts import (  # noqa: F401
    login_attempt,
    login_link_consume,
    login_link_make,
    login_record,
    tenant_roles_initialise,
    user_change_password,
    user_create,
    user_set_language,
    user_update_profile,
)
