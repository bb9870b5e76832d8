"""Every registered exercise, whatever its lesson: the right answer passes, wrong ones get a hint
that never reveals the answer, and a worked solution exists and is accepted by the check."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import Exercise, all_exercises, check, is_correct

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = all_exercises()
KEYS = list(EXERCISES)
NUMERIC = [k for k in KEYS if not EXERCISES[k].options]
CHOICE = [k for k in KEYS if EXERCISES[k].options]
SOLUTIONS = ROOT / "notebooks" / "solutions"


def _numbers_in(message):
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", message)]


def leaks(message, expected):
    """Does ``message`` reveal the expected number (to 3 significant digits)?"""
    return any(np.isclose(v, expected, rtol=1e-3) for v in _numbers_in(message))


def test_every_lesson_module_registers_only_its_own_keys():
    lessons = {p.stem[3:]: p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    for key in KEYS:
        module = EXERCISES[key].expected.__module__.rsplit(".", 1)[-1]
        assert module in lessons, f"{key} is registered by {module}, which names no notebook"
        assert key.startswith(lessons[module] + "."), f"{key} lives in {module}.py"


@pytest.mark.parametrize("key", KEYS)
def test_right_answer_is_accepted(key, capsys):
    expected = EXERCISES[key].expected()
    assert is_correct(key, expected)
    check(key, expected)
    assert capsys.readouterr().out.strip() == f"[{key}] Correct."


@pytest.mark.parametrize("key", NUMERIC)
@pytest.mark.parametrize("answer", [None, ..., "abc", float("nan"), [1.0, 2.0], 12345.678, -0.5])
def test_wrong_or_missing_answer_gets_a_hint_never_the_answer(key, answer, capsys):
    expected = EXERCISES[key].expected()
    assert not is_correct(key, answer)
    check(key, answer)
    out = capsys.readouterr().out
    assert out.startswith(f"[{key}]") and "Correct" not in out
    assert "Hint" in out or "Not quite" in out or "finite" in out
    assert not leaks(out, expected), f"{key}: the message reveals the answer: {out}"


@pytest.mark.parametrize("key", NUMERIC)
def test_near_miss_is_rejected(key):
    expected = EXERCISES[key].expected()
    assert not is_correct(key, expected * 1.01 + 0.5)


@pytest.mark.parametrize("key", [k for k in NUMERIC if not EXERCISES[k].integer])
def test_a_rounded_answer_is_told_it_is_close_not_given_the_conceptual_hint(key, capsys):
    ex = EXERCISES[key]
    expected = ex.expected()
    delta = 5 * max(ex.rtol * abs(expected), ex.atol)  # a few digits short of the tolerance
    rounded = expected + delta
    if (
        expected == 0
        or delta >= 0.02 * abs(expected)
        or any(math.isclose(rounded, wrong(), rel_tol=ex.rtol) for wrong, _ in ex.mistakes)
    ):
        pytest.skip("no near miss distinct from the answer and the listed mistakes")
    assert not is_correct(key, rounded)
    check(key, rounded)
    out = capsys.readouterr().out
    assert "close" in out and "more digits" in out and ex.hint not in out, out
    assert not leaks(out, expected), f"{key}: the message reveals the answer: {out}"


@pytest.mark.parametrize("key", CHOICE)
def test_choice_questions_reject_every_other_option_and_non_options(key, capsys):
    ex = EXERCISES[key]
    assert ex.expected() in ex.options
    for option in ex.options:
        if option != ex.expected():
            assert not is_correct(key, option)
            check(key, option)
            assert "Correct" not in capsys.readouterr().out
    for bad in [None, 1.0, "zzz", ""]:
        assert not is_correct(key, bad)
    assert is_correct(key, f"  {ex.expected().upper()} ")  # case and spaces do not matter


@pytest.mark.parametrize("key", KEYS)
def test_every_mistake_hint_is_distinct_from_the_answer(key):
    ex = EXERCISES[key]
    for wrong_fn, hint in ex.mistakes:
        wrong = wrong_fn()
        assert not is_correct(key, wrong), f"{key}: a listed mistake is accepted as right"
        if not ex.options:
            assert not leaks(hint, ex.expected()), f"{key}: a mistake hint reveals the answer"


def _solution_keys():
    found = {}
    for path in sorted(SOLUTIONS.glob("*_solutions.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for key in re.findall(r'assert is_correct\("([^"]+)"', code):
            found[key] = path.name
    return found


def test_every_exercise_has_a_worked_solution_that_the_check_accepts():
    """Each solution ends with ``assert is_correct("NN.k", answer)``; nbval runs it."""
    solved = _solution_keys()
    missing = [k for k in KEYS if k not in solved]
    assert not missing, f"no worked solution asserts is_correct for {missing}"
    for key, name in solved.items():
        assert key in EXERCISES, f"{name} solves {key}, which is not registered"
        assert name.startswith(key[:2] + "_"), f"{key}'s solution is in {name}"


def test_unknown_key_and_duplicate_registration_raise():
    with pytest.raises(ValueError, match="unknown exercise key"):
        check("99.9", 1.0)
    with pytest.raises(ValueError, match="already registered"):
        exercises.register(Exercise(KEYS[0], "dup", lambda: 0.0, "hint"))
