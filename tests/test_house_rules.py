"""The notebook house rules (CONTRIBUTING.md), checked on the saved notebooks.

Strict nbval (run by the same `pytest` command) re-executes every notebook and compares
its outputs; these tests check what nbval does not: how the saved file was made and
what a reader without a kernel will see.
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
GLOBAL_RNG = re.compile(
    r"np\.random\.(seed|rand|randn|randint|normal|uniform|choice|shuffle|permutation|"
    r"standard_normal|binomial|beta|random)\(|np\.random\.default_rng\(\)"
)


def _load(path):
    return json.loads(path.read_text())


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell):
    return "".join(cell["source"])


def test_there_are_notebooks_numbered_in_order():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    names = [p.name for p in NOTEBOOKS]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names), names
    assert [int(n[:2]) for n in names] == list(range(1, len(names) + 1)), names


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def nb(request):
    return request.param, _load(request.param)


def test_executed_top_to_bottom_in_one_fresh_kernel(nb):
    path, notebook = nb
    counts = [c["execution_count"] for c in _code_cells(notebook) if _source(c).strip()]
    assert None not in counts, f"{path.name}: some code cells were never executed"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...; "
        "re-run with `python tools/execute_notebooks.py`"
    )


def test_no_errors_or_warnings_in_saved_outputs(nb):
    path, notebook = nb
    for cell in _code_cells(notebook):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: saved error {out.get('ename')}"
            assert out.get("name") != "stderr", (
                f"{path.name}: saved stderr output: {''.join(out['text'])[:200]}"
            )


def test_no_widget_state_and_no_widget_views_saved(nb):
    path, notebook = nb
    assert "widgets" not in notebook["metadata"], f"{path.name}: strip metadata.widgets"
    for cell in _code_cells(notebook):
        for out in cell["outputs"]:
            assert WIDGET_VIEW not in out.get("data", {}), (
                f"{path.name}: a saved widget view (random model id); "
                "save with `python tools/execute_notebooks.py`"
            )
        assert "execution" not in cell["metadata"], f"{path.name}: timing metadata saved"


def test_readable_without_a_kernel(nb):
    """Every explorer leaves a picture and its numbers as text; main figures are images."""
    path, notebook = nb
    images = 0
    for cell in _code_cells(notebook):
        for out in cell["outputs"]:
            data = out.get("data", {})
            images += "image/png" in data
            assert "image/svg+xml" not in data, f"{path.name}: SVG outputs defeat strict nbval"
            if "explorer(" in _source(cell):
                assert "image/png" in data and "Explorer (" in "".join(data["text/plain"])
    assert images >= 3, f"{path.name}: only {images} figures are saved as images"


def test_no_global_random_state(nb):
    path, notebook = nb
    for cell in _code_cells(notebook):
        match = GLOBAL_RNG.search(_source(cell))
        assert not match, f"{path.name}: {match.group(0)} uses unseeded/global randomness"


def test_imports_helpers_and_follows_the_setup_cell_pattern(nb):
    path, notebook = nb
    setup = _source(_code_cells(notebook)[0])
    assert "from helpers import" in setup or "import helpers" in setup
    assert re.search(r"^SEED = \d+$", setup, re.M), f"{path.name}: setup cell needs SEED = <int>"
    assert "rng = np.random.default_rng(SEED)" in setup
    assert "plotting.use_style()" in setup


def test_lesson_skeleton(nb):
    path, notebook = nb
    markdown = [_source(c) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    number = path.name[:2]
    assert markdown[0].startswith(f"# {number} · "), f"{path.name}: H1 title '# {number} · ...'"
    text = "\n".join(markdown)
    for phrase in ("In this notebook you will", "Prerequisites", "In this notebook we have",
                   "Conventions and pitfalls", "## Exercises"):  # fmt: skip
        assert phrase in text, f"{path.name}: the lesson skeleton needs {phrase!r}"


def test_every_numbered_section_ends_in_a_checkpoint(nb):
    """Each '## N. ...' section states a result and asserts it (explorer sections excepted)."""
    path, notebook = nb
    sections, current = {}, None
    for cell in notebook["cells"]:
        src = _source(cell)
        if cell["cell_type"] == "markdown" and src.startswith("## "):
            current = src.splitlines()[0] if re.match(r"## \d+\.", src) else None
            if current:
                sections[current] = 0
        elif cell["cell_type"] == "code" and current:
            sections[current] += len(re.findall(r"^\s*assert ", src, re.M))
    missing = [s for s, n in sections.items() if n == 0 and "Explorer" not in s]
    assert not missing, f"{path.name}: sections without an assert: {missing}"


def test_no_long_functions_or_np_append_in_notebooks(nb):
    path, notebook = nb
    for cell in _code_cells(notebook):
        src = "\n".join(line for line in _source(cell).splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 10, (
                    f"{path.name}: {node.name} is {length} lines; move it to helpers"
                )
        assert "np.append(" not in src, f"{path.name}: np.append; build arrays vectorized"


def test_exercises_use_registered_checks(nb):
    from helpers.exercises import all_exercises

    path, notebook = nb
    code = "".join(_source(c) for c in _code_cells(notebook))
    keys = re.findall(r'check(?:_function)?\("([^"]+)"', code)
    assert keys, f"{path.name}: no exercise checks"
    assert all(k in all_exercises() for k in keys), keys
    assert all(k.startswith(path.name[:2] + ".") for k in keys), keys


EXERCISE_KINDS = ("numeric", "derivation", "conceptual", "from scratch", "write the algorithm")


def _markdown(notebook):
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]


def test_exercise_prompts_name_their_kind_and_how_to_answer(nb):
    """``**NN.k** *(kind)*`` on every prompt; a multiple-choice prompt says to answer a letter."""
    from helpers.exercises import all_exercises

    path, notebook = nb
    exercises = {k: e for k, e in all_exercises().items() if k.startswith(path.name[:2] + ".")}
    text = "\n\n".join(_markdown(notebook))
    for key, exercise in exercises.items():
        m = re.search(rf"\*\*{re.escape(key)}\*\* \*\(([^)]*)\)\*", text)
        assert m, f"{path.name}: the prompt of {key} does not start '**{key}** *(kind)*'"
        assert m.group(1).startswith(EXERCISE_KINDS), f"{key}: unknown kind {m.group(1)!r}"
        if getattr(exercise, "options", ()):
            prompt = next(cell for cell in _markdown(notebook) if f"**{key}**" in cell)
            assert "Answer with the letter, as a string" in prompt, (
                f"{path.name}: multiple-choice {key} does not say how to answer"
            )


UNSEEN_SOURCE = re.compile(
    r"\bthe source\b|seed material|material this (course|lesson)"
    r"|this lesson (grew|was written) from",
    re.IGNORECASE,
)


def test_no_reference_to_material_students_cannot_see(nb):
    """Students never see the notes this course grew from: name them one way (CONTRIBUTING)."""
    path, notebook = nb
    found = [m.group(0) for text in _markdown(notebook) for m in UNSEEN_SOURCE.finditer(text)]
    assert not found, f"{path.name}: say 'the notes this course grew from', not {found}"


def test_exercises_section_links_the_worked_solutions(nb):
    path, notebook = nb
    cell = next(c for c in _markdown(notebook) if "## Exercises" in c)
    link = f"(../notebooks/solutions/{path.stem}_solutions.ipynb)"  # works from my-work/ too
    assert link in cell.split("## Exercises", 1)[1], (
        f"{path.name}: no solutions link under Exercises"
    )


SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_kernelspec_is_what_jupyterlab_writes(path):
    """Any other display name makes JupyterLab mark the notebook modified on opening, and
    its autosave then dirties a student's clone (found by a newcomer's walkthrough)."""
    kernelspec = _load(path)["metadata"].get("kernelspec")
    assert kernelspec == {"display_name": "Python 3 (ipykernel)", "language": "python",
                          "name": "python3"}, (
        f"{path.name}: kernelspec {kernelspec}; re-save with tools/execute_notebooks.py"
    )  # fmt: skip
