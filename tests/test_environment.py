"""requirements*.txt and environment.yml describe one environment, and it is the one installed.

requirements.txt is a student's install (the lessons and nbval); requirements-dev.txt includes
it and adds the test tools; environment.yml installs the student's set.
"""

from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "jupyterlab", "ipywidgets", "numpy", "scipy", "matplotlib", "seaborn", "nbval", "pytest",
}  # fmt: skip


def _lines(name):
    return [line.split("#", 1)[0].strip() for line in (ROOT / name).read_text().splitlines()]


def _pins(names=("requirements.txt", "requirements-dev.txt")):
    pins = {}
    for line in (line for name in names for line in _lines(name)):
        if not line or line.startswith(("-e", "-r", "./")):
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"pin {line!r} exactly (==)"
        pins[req.name.lower().replace("_", "-")] = specs[0].version
    return pins


def test_requirements_pin_every_package_the_course_names():
    missing = {name for name in REQUIRED if name not in _pins(["requirements.txt"])}
    assert not missing, f"requirements.txt (a student's install) must pin {sorted(missing)}"


def test_dev_requirements_include_the_students_and_repeat_none():
    dev = [line for line in _lines("requirements-dev.txt") if line]
    assert dev[0] == "-r requirements.txt", "requirements-dev.txt starts with -r requirements.txt"
    student, extra = set(_pins(["requirements.txt"])), set(_pins(["requirements-dev.txt"]))
    assert not student & extra, f"pinned in both files: {sorted(student & extra)}"


def test_requirements_install_the_jupyterlab_settings():
    """A lesson a student saved must reopen with its pictures (tools/jupyterlab/README.md)."""
    assert "./tools/jupyterlab" in _lines("requirements.txt")


def test_requirements_install_the_helpers_package_editable():
    assert "-e ." in _lines("requirements.txt"), (
        "the kernel starts in notebooks/, so helpers must be installed (-e .)"
    )


def test_environment_yml_installs_exactly_requirements_txt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert [d.split("=")[0] for d in conda] == ["python", "pip"], (
        "environment.yml may list only python and pip from conda; every other package comes "
        f"from requirements.txt so the two cannot drift apart (found {conda})"
    )
    assert pip_sections == [["-r requirements.txt"]]
    python = next(d for d in conda if d.startswith("python"))
    assert python.split("=")[1] >= "3.11"


def test_pyproject_declares_python_311_or_newer():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in text


@pytest.mark.parametrize("name, version", sorted(_pins().items()))
def test_installed_versions_match_the_pins(name, version):
    assert metadata.version(name) == version, (
        f"{name} {metadata.version(name)} is installed but the requirements pin {version}; "
        "run `pip install -r requirements-dev.txt`"
    )
