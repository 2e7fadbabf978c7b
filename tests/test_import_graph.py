"""No import cycle between apps.

The graph is built from the source, not by importing it: every ``.py`` under the apps
is parsed and each ``import`` / ``from … import`` (at module level or inside a function,
where the lazy imports hide) becomes an edge from the app of the importing file to the
app of the imported module. An app is a top-level package, and each package under
``ordering/`` on its own (``ordering.orders``, ``ordering.notifications`` …). A module
directly in ``ordering/`` (``spreadsheets.py``, ``onboarding.py``) belongs to no
sub-app and is a unit of its own: the import machinery that the catalog and customers
use and the first-run checklist that reads them are not one thing. Migrations are
included: they import modules too. A cycle between two apps fails the test, which
prints it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = ("core", "tenants", "shared", "roles", "ordering", "frontend", "billing", "demo")


def _apps():
    apps = [name for name in TOP_LEVEL if (ROOT / name / "__init__.py").exists()]
    subapps = sorted([f"ordering.{path.parent.name}"
                      for path in (ROOT / "ordering").glob("*/__init__.py")]
                     + [f"ordering.{path.stem}" for path in (ROOT / "ordering").glob("*.py")
                        if path.stem != "__init__"])
    return apps, subapps


def app_of(module, apps, subapps):
    """The app a dotted module name belongs to (None: not one of ours)."""
    for sub in subapps:
        if module == sub or module.startswith(sub + "."):
            return sub
    top = module.split(".")[0]
    return top if top in apps else None


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree, module, is_package):
    """Every module name ``tree`` imports (``from a import b`` yields ``a.b`` and ``a``:
    ``b`` may be a module or a name in ``a``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def import_graph():
    """{app: {imported app: [(file, line-free module name), …]}}."""
    apps, subapps = _apps()
    graph = {}
    for top in apps:
        for path in sorted((ROOT / top).rglob("*.py")):
            module = _module_name(path)
            source = app_of(module, apps, subapps)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name in _imported(tree, module, path.name == "__init__.py"):
                target = app_of(name, apps, subapps)
                if target is None or target == source:
                    continue
                graph.setdefault(source, {}).setdefault(target, set()).add(
                    str(path.relative_to(ROOT)))
    return graph


def cycles(graph):
    """One shortest cycle through each app that is on one, as lists of apps."""
    found, seen = [], set()
    for start in sorted(graph):
        # breadth-first from ``start`` back to ``start``
        paths, queue = {start: [start]}, [start]
        cycle = None
        while queue and cycle is None:
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    cycle = paths[node] + [start]
                    break
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
        if cycle and frozenset(cycle) not in seen:
            seen.add(frozenset(cycle))
            found.append(cycle)
    return found


def describe(cycle, graph):
    lines = [" → ".join(cycle)]
    for a, b in zip(cycle, cycle[1:]):
        files = sorted(graph[a][b])
        lines.append(f"  {a} → {b}: {', '.join(files[:5])}{' …' if len(files) > 5 else ''}")
    return "\n".join(lines)


def test_the_graph_sees_function_level_and_relative_imports():
    tree = ast.parse("def f():\n    from ordering.orders import workflow\n"
                     "from .models import Notification\nimport core.mail\n")
    names = set(_imported(tree, "ordering.notifications.services", False))
    assert {"ordering.orders.workflow", "ordering.notifications.models", "core.mail"} <= names
    apps, subapps = _apps()
    assert app_of("ordering.orders.workflow", apps, subapps) == "ordering.orders"
    assert app_of("ordering.spreadsheets", apps, subapps) == "ordering.spreadsheets"
    assert app_of("ordering", apps, subapps) == "ordering"
    assert app_of("django.db", apps, subapps) is None
    assert cycles({"a": {"b": {"x"}}, "b": {"a": {"y"}}, "c": {"a": {"z"}}}) == [["a", "b", "a"]]


def test_no_import_cycle_between_apps():
    graph = import_graph()
    assert "ordering.orders" in graph  # the graph was built
    found = cycles(graph)
    assert not found, "import cycles between apps:\n" + "\n".join(
        describe(cycle, graph) for cycle in found)
