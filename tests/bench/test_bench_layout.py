"""The benchmarks live in ``bench/``, each run as ``python -m bench.<name>`` (``make
bench`` runs them all); no app carries a ``bench_*`` management command."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCENARIOS = sorted(path.stem for path in (ROOT / "bench").glob("*.py")
                   if not path.stem.startswith("_"))


def test_no_app_has_a_bench_command():
    found = [str(path.relative_to(ROOT)) for path in ROOT.glob("*/**/management/commands/bench*.py")
             if ".venv" not in path.parts and "node_modules" not in path.parts]
    assert found == []


def test_make_bench_runs_every_scenario_as_a_module():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert sorted({line.split("-m bench.", 1)[1].split()[0]
                   for line in recipe.splitlines() if "-m bench." in line}) == SCENARIOS


def test_every_scenario_runs_as_a_module_without_django_set_up():
    env = {key: value for key, value in os.environ.items()
           if key != "DJANGO_SETTINGS_MODULE"}
    for name in SCENARIOS:
        result = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], cwd=ROOT,
                                env=env, capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)
        assert "usage:" in result.stdout, name
