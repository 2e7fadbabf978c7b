"""The public schema's tenants app knows nothing of the business: no module in
``tenants/`` (migrations included) imports ``ordering``; the business settings are
tenant-schema data (``ordering.settings``)."""

import ast
from pathlib import Path

from django.conf import settings

from tenants.models import Tenant

TENANTS_DIR = Path(settings.BASE_DIR) / "tenants"


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "import_module", "import_string", "__import__") and node.args \
                and isinstance(node.args[0], ast.Constant):
            yield str(node.args[0].value)


def test_tenants_imports_nothing_from_ordering():
    offending = [f"{path.relative_to(settings.BASE_DIR)}: {name}"
                 for path in sorted(TENANTS_DIR.rglob("*.py"))
                 for name in _imports(path)
                 if name == "ordering" or name.startswith("ordering.")]
    assert offending == []


def test_the_public_tenant_row_holds_no_business_setting():
    fields = {field.name for field in Tenant._meta.get_fields() if field.concrete}
    assert fields <= {"id", "schema_name", "name", "slug", "status", "plan", "trial_ends_at",
                      "default_language", "currency", "owner_email", "profile_completed",
                      "provisioned_by", "created_at", "updated_at"}, fields
