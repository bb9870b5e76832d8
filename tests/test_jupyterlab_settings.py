"""The course's JupyterLab defaults are installed, and say what JupyterLab understands.

requirements.txt installs tools/jupyterlab/ (see its README) so that a lesson a student
saved reopens with its explorers' pictures; the browser journey checks that effect.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "jupyterlab" / "overrides.d" / "likelihood-to-langevin.json"
SHARE = Path(sys.prefix) / "share" / "jupyter"
INSTALLED = SHARE / "lab" / "settings" / "overrides.d" / SOURCE.name
OVERRIDES = json.loads(SOURCE.read_text())


def test_the_installed_overrides_are_the_repositorys():
    assert INSTALLED.exists(), (
        f"{INSTALLED} is missing: run `pip install -r requirements.txt` "
        "(it installs ./tools/jupyterlab)"
    )
    assert json.loads(INSTALLED.read_text()) == OVERRIDES, (
        "the installed JupyterLab overrides differ from tools/jupyterlab: reinstall it "
        "(`pip install -r requirements.txt`)"
    )


def test_widget_state_is_saved_with_a_notebook():
    assert OVERRIDES["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}


def _schema(plugin_id: str) -> dict:
    assert plugin_id.count(":") == 1, (
        f"{plugin_id!r}: a plugin id is 'package:plugin' (JupyterLab ignores any other key)"
    )
    package, plugin = plugin_id.split(":")
    candidates = [
        SHARE / "labextensions" / package / "schemas" / package / f"{plugin}.json",
        SHARE / "lab" / "schemas" / package / f"{plugin}.json",
    ]
    for path in candidates:
        if path.exists():
            return json.loads(path.read_text())
    pytest.fail(f"no schema for {plugin_id} (looked in {[str(p) for p in candidates]})")


@pytest.mark.parametrize("plugin_id", sorted(OVERRIDES))
def test_every_override_names_a_real_setting_with_a_valid_value(plugin_id):
    props = _schema(plugin_id)["properties"]
    for key, value in OVERRIDES[plugin_id].items():
        assert key in props, f"{plugin_id} has no setting {key!r} (a typo is ignored silently)"
        kind = props[key].get("type")
        allowed = props[key].get("enum") or [c["const"] for c in props[key].get("oneOf", [])]
        if allowed:
            assert value in allowed, f"{plugin_id}.{key}: {value!r} is not one of {allowed}"
        elif kind == "boolean":
            assert isinstance(value, bool), f"{plugin_id}.{key} must be true or false"
