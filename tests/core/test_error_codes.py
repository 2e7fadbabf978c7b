"""One error vocabulary: every app's errors live in its ``exceptions.py`` (a
``<Domain>Error`` under ``ApplicationError`` and a codes enum registered with core), no
code is written inline anywhere else, and the OpenAPI schema lists every code."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest
import yaml

from core.exceptions import ApplicationError, ErrorCode, error_codes

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("ordering", "roles", "tenants", "shared", "core", "billing", "frontend")
APP_ERRORS = {
    "ordering.orders": "OrderError", "ordering.catalog": "CatalogError",
    "ordering.customers": "CustomerError", "ordering.spreadsheets": "SpreadsheetError",
    "ordering.settings": "SettingsError", "roles": "RoleError", "tenants": "TenantError",
    "billing": "BillingError", "ordering.quotes": "QuoteError",
}
INLINE_CODE = re.compile(r"""\bcode\s*=\s*["'][a-z_]+["']""")


def _sources():
    for top in APPS:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).exists() else []:
            if "migrations" not in path.parts:
                yield path


def test_no_error_code_is_written_inline():
    """(The forms' own ValidationError codes in frontend/ and core.text's field validator
    are Django's field-level codes, not the API's.)"""
    inline = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
              for path in _sources() if path.name != "exceptions.py"
              and path.relative_to(ROOT).parts[0] not in ("core", "frontend")
              for number, line in enumerate(path.read_text().splitlines(), 1)
              if INLINE_CODE.search(line)]
    assert inline == []


def test_every_error_class_lives_in_an_exceptions_module():
    elsewhere = []
    for path in _sources():
        if path.name == "exceptions.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", getattr(base, "attr", "")).endswith("Error")
                    and getattr(base, "id", getattr(base, "attr", "")) != "ValueError"
                    for base in node.bases):
                elsewhere.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert elsewhere == []


@pytest.mark.parametrize("app, name", sorted(APP_ERRORS.items()))
def test_each_app_has_its_domain_error_and_its_codes_are_registered(app, name):
    module = importlib.import_module(f"{app}.exceptions")
    assert issubclass(getattr(module, name), ApplicationError)
    registered = error_codes()
    for _attr, value in inspect.getmembers(module, inspect.isclass):
        if issubclass(value, ApplicationError):
            assert value.code in registered, (value, value.code)
        elif hasattr(value, "choices") and value.__module__ == module.__name__:
            assert {member.value for member in value} <= set(registered)


def test_codes_are_plain_strings_in_the_json_an_api_client_reads():
    from core.api import exception_handler
    from ordering.orders.exceptions import OrderConflictError, OrderErrorCode

    response = exception_handler(OrderConflictError(
        "Too late.", code=OrderErrorCode.INVALID_TRANSITION), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "invalid_transition"
    assert type(str(response.data["error"]["code"])) is str


def test_the_schema_lists_every_code_with_its_meaning(acme_client):
    response = acme_client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    code = schema["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    assert set(code["enum"]) == set(error_codes())
    for name in ("invalid_transition", "insufficient_stock", "idempotency_key_reused",
                 "subdomain_taken", "level_in_use", ErrorCode.NOT_FOUND):
        assert name in code["enum"] and f"`{name}`" in code["description"]
