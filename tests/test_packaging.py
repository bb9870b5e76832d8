"""The built wheel, installed in a clean virtual environment, has every module and data set.

Slow: about a minute and a half on the course's 2-core machines. It builds the wheel from a
copy of the repository, creates a fresh virtual environment, installs the wheel there with
its dependencies (from the package index or pip's cache, pinned to the versions of the
environment running the tests), then, from a directory outside the repository, imports
every module under ``helpers`` and loads every data set. Marked ``packaging``: skip it
while iterating with ``-m "not packaging"``.

An editable install (``pip install -e .``, what the README uses) hides a missing package:
it reads the source tree. This test reads only the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(600)]

# What a build never needs: the shared environment, git, caches and earlier builds.
_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "__pycache__", "*.egg-info", ".hypothesis",
    ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
)  # fmt: skip

_CHECK = """
import importlib, pkgutil, sys
from pathlib import Path

import helpers
import helpers.data

venv = Path(sys.prefix).resolve()
assert Path(helpers.__file__).resolve().is_relative_to(venv), helpers.__file__
names = sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers."))
for name in names:
    importlib.import_module(name)
assert Path(helpers.data.DATA_DIR).resolve().is_relative_to(venv), helpers.data.DATA_DIR
loaders = sorted(n for n in helpers.data.__all__ if n.startswith("load_"))
shapes = {n: getattr(helpers.data, n)().shape for n in loaders}
print("modules:", " ".join(names))
print("data:", shapes)
"""


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _source_packages():
    """Every package under helpers/ in the source tree (a folder with an __init__.py)."""
    return sorted(
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "helpers").rglob("__init__.py")
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=_IGNORE)
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp)])
    (found,) = tmp.glob("*.whl")
    return found


def test_b7_the_wheel_holds_every_package_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in _source_packages():
        assert f"{package.replace('.', '/')}/__init__.py" in names, f"{package} is not packaged"
    for module in (REPO / "helpers").rglob("*.py"):
        rel = module.relative_to(REPO).as_posix()
        if "__pycache__" not in rel:
            assert rel in names, f"{rel} is not packaged"
    data = sorted(p.name for p in (REPO / "data").iterdir() if p.suffix in {".csv", ".md"})
    assert "old_faithful.csv" in data and "README.md" in data
    for name in data:
        assert f"helpers/_data/{name}" in names, f"data/{name} is not in the wheel"


def test_b7_the_wheel_works_in_a_clean_environment(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    frozen = _run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"])
    constraints = tmp_path / "constraints.txt"  # the versions these tests run with
    constraints.write_text("\n".join(x for x in frozen.splitlines() if " @ " not in x) + "\n")
    _run([python, "-m", "pip", "install", "-q", "-c", str(constraints), str(wheel)])
    outside = tmp_path / "elsewhere"  # no helpers/ or data/ here: only the wheel can answer
    outside.mkdir()
    (outside / "check.py").write_text(textwrap.dedent(_CHECK))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PYTHONNOUSERSITE"] = "1"
    out = _run([python, "check.py"], cwd=outside, env=env)
    modules = out.split("modules:")[1].split("\n")[0].split()
    for package in _source_packages():
        assert package == "helpers" or package in modules
    assert {"helpers.widgets.explorer", "helpers.exercises.registry", "helpers.mixture"} <= set(
        modules
    )
    assert "'load_old_faithful': (272, 2)" in out and "'load_penguins': (333, 8)" in out
