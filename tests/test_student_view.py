"""The student's view (CONTRIBUTING.md, "The student's view"), checked on the saved lessons.

A lesson states its time (a 60-90 minute core path) and marks its "Going deeper" sections;
code that teaches is short and visible; plotting and verification cells are collapsed; the
answer to every "Predict first" prompt is hidden until the student opens it; and at least two
exercises have the student write the algorithm, checked by ``check_function``.

The second edition converts the lessons one at a time: ``STUDENT_VIEW`` lists the lessons that
follow these rules, and every lesson joins it when it is converted (issue: the student's view).
The rules that every lesson already follows run on all of them.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Lessons converted to the student's view so far (each joins as it is converted).
STUDENT_VIEW: set[str] = {
    "01_likelihood.ipynb",
    "02_closed_form_mle.ipynb",
    "03_gradient_mle.ipynb",
    "04_map_coin.ipynb",
    "05_gmm_em.ipynb",
    "06_score_langevin.ipynb",
    "07_score_model.ipynb",
}

CORE_MINUTES = (60, 90)
VISIBLE_LINES, VISIBLE_COLUMNS = 12, 88
HIDE = {"hide-input": "source_hidden", "hide-output": "outputs_hidden"}


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"])


def _hidden(cell, what):
    return bool(cell.get("metadata", {}).get("jupyter", {}).get(what))


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.fixture(params=LESSONS, ids=lambda p: p.name)
def lesson(request):
    return request.param, _load(request.param)


@pytest.fixture(params=LESSONS, ids=lambda p: p.name)
def converted(request):
    if request.param.name not in STUDENT_VIEW:
        pytest.skip(f"{request.param.name} is not yet converted to the student's view")
    return request.param, _load(request.param)


def test_hide_tags_and_jupyterlab_metadata_agree(lesson):
    """JupyterLab reads the metadata, Jupyter Book the tags: both must say the same."""
    path, nb = lesson
    for i, cell in enumerate(nb["cells"]):
        for tag, key in HIDE.items():
            assert (tag in _tags(cell)) == _hidden(cell, key), (
                f"{path.name} cell {i}: tag {tag!r} and metadata jupyter.{key} disagree"
            )


def test_no_lint_directives_in_lessons(converted):
    path, nb = converted
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            found = re.search(r"#\s*(noqa|fmt:\s*(skip|off))", _source(cell))
            assert not found, f"{path.name} cell {i}: {found.group(0)!r}; reshape the code"


def test_the_first_cell_states_the_time_of_the_core_and_of_each_deeper_section(converted):
    path, nb = converted
    first = _source(nb["cells"][0])
    m = re.search(r"\*\*Time:\*\*[^\n]*?core path about (\d+) min", first)
    assert m, f"{path.name}: the first cell must say '**Time:** core path about N min; ...'"
    assert CORE_MINUTES[0] <= int(m.group(1)) <= CORE_MINUTES[1], (
        f"{path.name}: a core path of {m.group(1)} min; the course promises 60-90"
    )
    deeper = [
        _source(c).splitlines()[0]
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and re.match(r"##+ .*Going deeper", _source(c))
    ]
    assert deeper, f"{path.name}: no '## ... Going deeper: ...' section to skip on a first pass"
    time_line = next(line for line in first.splitlines() if "**Time:**" in line)
    assert "going deeper" in time_line.lower(), f"{path.name}: say how long the deeper parts take"


def test_visible_code_is_short(converted):
    path, nb = converted
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or _hidden(cell, "source_hidden"):
            continue
        lines = _source(cell).splitlines()
        assert len(lines) <= VISIBLE_LINES, (
            f"{path.name} cell {i}: {len(lines)} visible lines (at most {VISIBLE_LINES}): "
            "move plotting or verification into a collapsed cell, or code into helpers"
        )
        wide = [line for line in lines if len(line) > VISIBLE_COLUMNS]
        assert not wide, f"{path.name} cell {i}: lines over {VISIBLE_COLUMNS} columns: {wide[:2]}"


def test_predict_first_answers_are_hidden_until_opened(converted):
    path, nb = converted
    cells = nb["cells"]
    prompts = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and "**Predict first" in _source(c)
    ]
    assert prompts, f"{path.name}: no 'Predict first' prompt"
    for i in prompts:
        reveal = next(  # the first code cell that prints or draws something
            (
                j
                for j in range(i + 1, len(cells))
                if cells[j]["cell_type"] == "code" and cells[j].get("outputs")
            ),
            None,
        )
        assert reveal is not None, f"{path.name} cell {i}: a prediction with nothing to reveal it"
        between = [c for c in cells[i + 1 : reveal] if c["cell_type"] == "markdown"]
        assert all(_hidden(c, "source_hidden") for c in between), (
            f"{path.name} cell {i}: text between the prompt and its reveal must be collapsed"
        )
        assert _hidden(cells[reveal], "outputs_hidden"), (
            f"{path.name} cell {reveal}: the answer to the prediction in cell {i} is in view; "
            "collapse its output (jupyter.outputs_hidden and the hide-output tag)"
        )
    for i, c in enumerate(cells):
        if c["cell_type"] == "markdown" and _source(c).lstrip().startswith("**Answer"):
            pytest.fail(
                f"{path.name} cell {i}: an answer in a markdown cell of its own; JupyterLab shows "
                "a collapsed cell's first line, so put it in <details><summary>...</summary>"
            )
    for i in prompts:  # everything between a prompt and its written answer is hidden too
        stop = (
            j
            for j in range(i + 1, len(cells))
            if cells[j]["cell_type"] == "markdown"
            and (_ANSWER.search(_source(cells[j])) or _source(cells[j]).startswith("#"))
        )
        answer = next(stop, None)
        if answer is None or not _ANSWER.search(_source(cells[answer])):
            continue
        for j in range(i + 1, answer):
            what = "source_hidden" if cells[j]["cell_type"] == "markdown" else "outputs_hidden"
            shows_nothing = not _source(cells[j]).strip() or (
                cells[j]["cell_type"] == "code" and not cells[j].get("outputs")
            )
            assert _hidden(cells[j], what) or shows_nothing, (
                f"{path.name} cell {j}: between the prompt in cell {i} and its answer in cell "
                f"{answer}, so it must be collapsed ({what})"
            )


_ANSWER = re.compile(r"<details>\s*<summary>")


def test_answer_blocks_are_closed_and_well_formed(converted):
    path, nb = converted
    for i, c in enumerate(nb["cells"]):
        text = _source(c) if c["cell_type"] == "markdown" else ""
        opened, closed = text.count("<details"), text.count("</details>")
        assert opened == closed, f"{path.name} cell {i}: <details> without </details>"
        assert "<details open" not in text, f"{path.name} cell {i}: an answer block opened"
        if opened:
            assert _ANSWER.search(text), f"{path.name} cell {i}: <details> needs a <summary>"


def test_a_collapsed_cell_shows_a_comment_not_an_answer(converted):
    """JupyterLab shows a collapsed code cell's first line: make it a comment saying what it is."""
    path, nb = converted
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code" and _hidden(c, "source_hidden") and _source(c).strip():
            first = _source(c).lstrip().splitlines()[0]
            assert first.startswith("#"), (
                f"{path.name} cell {i}: its first line {first!r} shows while collapsed; start "
                "with a comment saying what the cell does"
            )


#: The output types JupyterLab tries, in order, for a collapsed output's preview line
#: (``CodeCell.getOutputPlaceholderText`` in @jupyterlab/cells).
_PREVIEW_TYPES = ("text/html", "image/svg+xml", "text/markdown", "text/plain")
_FIGURE_REPR = re.compile(r"<Figure size [0-9.]+x[0-9.]+ with \d+ Axes>")


def _preview_line(cell):
    """The line JupyterLab shows on a collapsed output's bar, or None."""
    if not cell.get("outputs"):
        return None
    out = cell["outputs"][0]
    if out["output_type"] == "stream":
        text = out["text"]
    elif out["output_type"] == "error":
        return out["ename"]
    else:
        text = next((out["data"][t] for t in _PREVIEW_TYPES if t in out["data"]), "")
    text = "".join(text) if isinstance(text, list) else text
    return next((line for line in text.split("\n") if line != ""), None)


def test_a_collapsed_output_shows_a_heading_not_an_answer(converted):
    """JupyterLab previews the first line of a collapsed output, before the student runs it.

    So every collapsed output starts with a heading that says what follows and gives nothing
    away: no number, ending in a colon (``print("Where the optimiser lands:")``). A figure's
    ``<Figure size ...>`` line is neutral too.
    """
    path, nb = converted
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code" or not _hidden(c, "outputs_hidden"):
            continue
        assert c.get("outputs"), (
            f"{path.name} cell {i}: a collapsed output with no output shows an empty bar; "
            "drop outputs_hidden and hide-output"
        )
        line = _preview_line(c)
        if line is None or _FIGURE_REPR.fullmatch(line.strip()):
            continue
        assert not re.search(r"\d", line) and line.rstrip().endswith(":"), (
            f"{path.name} cell {i}: its collapsed output previews {line!r}; print a heading "
            'first, with no number, ending in a colon (e.g. print("What the optimiser finds:"))'
        )


def test_at_least_two_write_the_algorithm_exercises(converted):
    from helpers.exercises import FunctionExercise, all_exercises

    path, nb = converted
    number = path.name[:2]
    keys = [
        k
        for k, ex in all_exercises().items()
        if k.startswith(number + ".") and isinstance(ex, FunctionExercise)
    ]
    assert len(keys) >= 2, f"{path.name}: {len(keys)} write-the-algorithm exercises (at least 2)"
    code = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "code")
    for key in keys:
        assert f'check_function("{key}"' in code, f"{path.name}: no starter cell checks {key}"
    starters = [
        _source(c)
        for c in nb["cells"]
        if c["cell_type"] == "code" and "check_function(" in _source(c)
    ]
    assert all("raise NotImplementedError" in s for s in starters), (
        f"{path.name}: a starter cell leaves the body to the student (raise NotImplementedError)"
    )
