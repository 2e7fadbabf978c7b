"""The demo is its own app: installed in development and tests only, one loader per
domain run by the registry in ``demo.loaders``, and the ``demo`` command prints the
URLs and logins."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

import demo.loaders
from demo import suppliers
from demo.loaders import customers, staff


def test_production_settings_do_not_install_the_demo():
    env = {**os.environ, "SECRET_KEY": "x", "REDIS_URL": "redis://127.0.0.1:6379/0",
           "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    code = ("from django.conf import settings; "
            "print('demo' in settings.INSTALLED_APPS, 'demo' in settings.SHARED_APPS)")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_development_and_test_settings_install_the_demo():
    assert "demo" in settings.INSTALLED_APPS
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    code = "from django.conf import settings; print('demo' in settings.INSTALLED_APPS)"
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_every_loader_file_is_registered_and_documented():
    folder = Path(demo.loaders.__file__).parent
    files = {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}
    assert files - {"tenants"} == set(demo.loaders.LOADERS)
    for name in demo.loaders.LOADERS:
        module = __import__(f"demo.loaders.{name}", fromlist=["load"])
        assert callable(module.load), name
        assert module.__doc__ and module.load.__doc__, name


def test_the_shared_app_holds_no_demo_code():
    root = Path(settings.BASE_DIR) / "shared"
    assert not [path for path in root.glob("**/*.py") if "demo" in path.name]


def test_the_registry_runs_the_loaders_in_order(monkeypatch):
    called = []
    for name in demo.loaders.LOADERS:
        module = __import__(f"demo.loaders.{name}", fromlist=["load"])
        monkeypatch.setattr(module, "load", lambda supplier, name=name: called.append(
            (name, supplier["slug"])))
    demo.loaders.supplier_load({"slug": "acme"})
    assert called == [(name, "acme") for name in demo.loaders.LOADERS]
    called.clear()
    demo.loaders.supplier_load({"slug": "acme"}, only=("orders", "catalog"))
    assert called == [("catalog", "acme"), ("orders", "acme")]


def test_the_command_prints_the_urls_and_logins(monkeypatch, capsys):
    from demo.management.commands import demo as command

    monkeypatch.setattr(command, "load_all", lambda: None)
    call_command("demo")
    out = capsys.readouterr().out
    assert "Orderline demo is ready." in out
    assert f"{suppliers.OPERATOR_EMAIL} / {suppliers.PASSWORD}" in out
    for spec in suppliers.SUPPLIERS:
        assert f"http://{spec['slug']}.{settings.BASE_DOMAIN}:8000/dashboard/" in out
        assert f"{spec['owner'][0]} / {suppliers.PASSWORD}" in out
        assert f"{spec['dealer'][0]} / {suppliers.PASSWORD}" in out
    for email, _name, _role in staff.STAFF["acme"]:
        assert email in out
    assert f"{customers.CUSTOMERS_PER_SUPPLIER} customers" in out
