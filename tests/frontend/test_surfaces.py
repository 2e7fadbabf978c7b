"""The HTML is organised by surface: frontend/common/ is shared; public/, dashboard/,
shop/ and ops/ each have their own urls.py, views/ and forms/, and none of them imports
another surface (common imports none of them). Checked from the source, imports inside
functions included."""

import ast

import pytest

from tests.test_import_graph import ROOT, _imported, _module_name

SURFACES = ("public", "dashboard", "shop", "ops")
FRONTEND = ROOT / "frontend"


def _surface(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "frontend" else None


def _crossings():
    for path in sorted(FRONTEND.rglob("*.py")):
        module = _module_name(path)
        own = _surface(module)
        if own not in SURFACES + ("common",):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for imported in set(_imported(tree, module, path.name == "__init__.py")):
            other = _surface(imported)
            if other in SURFACES and other != own:
                yield f"{path.relative_to(ROOT)} imports {imported}"


def test_no_surface_imports_another():
    assert list(_crossings()) == []


@pytest.mark.parametrize("surface", SURFACES)
def test_each_surface_has_its_urls_views_and_forms(surface):
    folder = FRONTEND / surface
    assert (folder / "urls.py").exists()
    assert (folder / "views" / "__init__.py").exists()
    if surface != "ops":  # the console has no forms yet
        assert (folder / "forms" / "__init__.py").exists()


def test_nothing_is_left_at_the_top_of_frontend():
    """Only the app's own files sit directly in frontend/: everything else is in a surface."""
    loose = sorted(p.name for p in FRONTEND.glob("*.py"))
    assert loose == ["__init__.py", "apps.py"]


def test_the_site_urls_are_a_handful_of_includes():
    from config import urls_public, urls_tenants

    for conf in (urls_public, urls_tenants):
        assert len(conf.urlpatterns) <= 6


def test_forms_live_in_the_forms_packages():
    """A view module parses no input itself: every form class is in a surface's forms/."""
    defined_in_views = []
    for path in sorted(FRONTEND.glob("*/views/**/*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, "attr", getattr(base, "id", "")).endswith(("Form", "Field"))
                    for base in node.bases):
                defined_in_views.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert defined_in_views == []


def test_no_view_opens_a_transaction_or_queries_the_orm():
    """Adapters are thin: several writes at once are one service (its transaction), and
    reads go through selectors."""
    offenders = []
    for path in sorted(FRONTEND.rglob("*.py")):
        text = path.read_text()
        for needle in ("transaction.atomic", ".objects."):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
