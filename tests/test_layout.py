"""The layout that lets a lesson add files without growing shared ones (CONTRIBUTING.md).

- Lesson modules, ``helpers/widgets/<topic>.py`` and ``helpers/exercises/<topic>.py``, are
  named after a notebook ``notebooks/NN_<topic>.ipynb``.
- The import graph is a DAG: topic modules (``helpers/*.py``) -> the frameworks
  (``widgets.explorer``, ``exercises.registry``) -> lesson modules -> notebooks.
  No module in ``helpers`` imports a lesson module; topic modules import neither
  framework; a lesson module never imports another lesson's module.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"
TOPICS = {p.stem[3:]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
FRAMEWORKS = {"widgets": {"__init__", "explorer"}, "exercises": {"__init__", "registry"}}
LESSON_MODULES = [
    p for pkg, fw in FRAMEWORKS.items() for p in sorted((HELPERS / pkg).glob("*.py"))
    if p.stem not in fw
]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``helpers...`` module ``path`` imports (``from helpers.x import y`` counts
    ``helpers.x`` and, when ``helpers.x.y`` is a module, that too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("helpers")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
            found.add(node.module)
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if (ROOT / Path(*sub.split("."))).with_suffix(".py").exists():
                    found.add(sub)
    return found


ALL = sorted(HELPERS.rglob("*.py"))
LESSON_NAMES = {_module_name(p) for p in LESSON_MODULES}


@pytest.mark.parametrize("path", LESSON_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lesson_modules_are_named_after_a_notebook(path):
    assert path.stem in TOPICS, (
        f"{path.relative_to(ROOT)}: a lesson module is named after its notebook's topic "
        f"(one of {sorted(TOPICS)}); shared code belongs in the framework or a topic module"
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(HELPERS)))
def test_import_graph_is_a_dag(path):
    name = _module_name(path)
    imported = _imports(path)
    if name in LESSON_NAMES:
        others = (imported & LESSON_NAMES) - {name}
        assert not others, f"{name} imports another lesson's module {sorted(others)}"
        return
    assert not imported & LESSON_NAMES, f"{name} imports lesson modules {imported & LESSON_NAMES}"
    if path.parent == HELPERS:  # a topic module: densities, estimators, samplers, plotting...
        frameworks = {m for m in imported if m.startswith(("helpers.widgets", "helpers.exercises"))}
        assert not frameworks, f"{name} (a topic module) imports {sorted(frameworks)}"


def test_every_lesson_has_an_exercise_module():
    have = {p.stem for p in (HELPERS / "exercises").glob("*.py")}
    missing = sorted(set(TOPICS) - have)
    assert not missing, f"helpers/exercises/ needs a module for {missing}"


def test_notebooks_import_explorers_from_their_own_lesson_module():
    import json

    for topic, path in TOPICS.items():
        code = "\n".join(
            "".join(c["source"]) for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "code"
        )  # fmt: skip
        for line in code.splitlines():
            if line.startswith("from helpers.widgets.") or line.startswith(
                "import helpers.widgets."
            ):
                module = line.split()[1].split(".")[2]
                assert module in (topic, "explorer"), f"{path.name} imports {line!r}"
