"""Every registered exercise, whatever its lesson: the right answer passes, wrong ones get a hint
that never reveals the answer, and a worked solution exists and is accepted by the check."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import (
    Exercise,
    FunctionExercise,
    all_exercises,
    check,
    check_function,
    is_correct,
)
from helpers.exercises.registry import _function_verdict

ROOT = Path(__file__).resolve().parent.parent
EVERY = all_exercises()
ALL_KEYS = list(EVERY)
#: The value and multiple-choice exercises (``check``)
EXERCISES = {k: ex for k, ex in EVERY.items() if isinstance(ex, Exercise)}
KEYS = list(EXERCISES)
NUMERIC = [k for k in KEYS if not EXERCISES[k].options]
CHOICE = [k for k in KEYS if EXERCISES[k].options]
#: The write-the-algorithm exercises (``check_function``)
FUNCTIONS = {k: ex for k, ex in EVERY.items() if isinstance(ex, FunctionExercise)}
SOLUTIONS = ROOT / "notebooks" / "solutions"


def _numbers_in(message):
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", message)]


def leaks(message, expected):
    """Does ``message`` reveal the expected number (to 3 significant digits)?"""
    return any(np.isclose(v, expected, rtol=1e-3) for v in _numbers_in(message))


def assert_specific_hint(key, wrong, says, capsys, *, leak_check=True):
    """A known mistake to exercise ``key`` gets its own hint (containing ``says``), is not
    called correct, and the message never gives a numeric answer away (the lesson test files
    parametrise this with their mistakes)."""
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out and "Correct" not in out, out
    expected = EXERCISES[key].expected()
    if leak_check and not EXERCISES[key].options and not isinstance(expected, str):
        assert not leaks(out, expected), out


def test_every_lesson_module_registers_only_its_own_keys():
    lessons = {p.stem[3:]: p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    for key, ex in EVERY.items():
        owner = ex.cases if isinstance(ex, FunctionExercise) else ex.expected
        module = owner.__module__.rsplit(".", 1)[-1]
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
    missing = [k for k in ALL_KEYS if k not in solved]
    assert not missing, f"no worked solution asserts is_correct for {missing}"
    for key, name in solved.items():
        assert key in EVERY, f"{name} solves {key}, which is not registered"
        assert name.startswith(key[:2] + "_"), f"{key}'s solution is in {name}"


def test_unknown_key_and_duplicate_registration_raise():
    with pytest.raises(ValueError, match="unknown exercise key"):
        check("99.9", 1.0)
    with pytest.raises(ValueError, match="already registered"):
        exercises.register(Exercise(KEYS[0], "dup", lambda: 0.0, "hint"))


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises (check_function): the framework on a demo exercise, then
# every registered one.


def _demo_cases(rng):
    return [{"x": rng.normal(3.0, 2.0, size=n)} for n in (5, 17, 40)]


DEMO = FunctionExercise(
    key="00.1",
    question="The sample variance with the sample mean (divide by n).",
    reference=lambda x: np.var(x),
    cases=_demo_cases,
    hint="Average the squared distances from the sample's own mean.",
    starter="def variance(x):",
    slips=(
        (lambda x: np.var(x, ddof=1), "You divided by n - 1; the MLE divides by n."),
        (lambda x: np.mean((x - 3.0) ** 2), "Use the sample mean, not the true mean."),
    ),
)


def _verdict(fn):
    return _function_verdict(DEMO, fn)


def test_function_check_accepts_a_right_function_written_differently():
    ok, msg = _verdict(lambda x: np.mean(x**2) - np.mean(x) ** 2)
    assert ok and msg.startswith("[00.1] Correct") and "3 hidden cases" in msg


@pytest.mark.parametrize(
    "fn, says",
    [
        (None, "Not written yet"),
        (..., "Not written yet"),
        (3.0, "Pass your function itself"),
        (lambda x: (_ for _ in ()).throw(NotImplementedError()), "Not written yet"),
        (lambda x: 1 / 0, "raised ZeroDivisionError on hidden case 1"),
        (lambda x: "text", "not numbers"),
        (lambda x: (x - x.mean()) ** 2, "shape (5,) where () is expected"),
        (lambda x: np.var(x) / 0.0, "nan or inf"),
        (lambda x: np.var(x) + 1, "right shape but different values"),
        (lambda x: (np.var(x), 1.0), "shape (2,) where () is expected"),
        (lambda x: (np.var(x), x), "2 outputs where 1 are expected"),
        (lambda x: np.var(x, ddof=1), "divided by n - 1"),
        (lambda x: np.mean((x - 3.0) ** 2), "true mean"),
    ],
)
def test_function_check_explains_each_failure_and_never_crashes(fn, says):
    ok, msg = _verdict(fn)
    assert not ok and msg.startswith("[00.1]"), msg
    assert says in msg, msg
    if "Not written yet" not in msg and "Pass your" not in msg and "n - 1" not in msg:
        assert "Hint: " + DEMO.hint in msg or "true mean" in msg


def test_function_check_never_shows_the_inputs_or_the_expected_values():
    case = _demo_cases(np.random.default_rng(DEMO.seed))[0]
    want = DEMO.reference(**case)
    for fn in (lambda x: np.var(x) + 1, lambda x: 1 / 0, lambda x: (x - x.mean()) ** 2):
        _, msg = _verdict(fn)
        assert not leaks(msg, want), msg
        assert not any(leaks(msg, v) for v in case["x"][:3]), msg


def test_several_numbers_compare_alike_however_they_are_packed():
    pair = FunctionExercise(
        key="00.2",
        question="The sample's smallest and largest value.",
        reference=lambda x: (x.min(), x.max()),
        cases=_demo_cases,
        hint="Two numbers.",
    )
    for packed in (tuple, list, np.array):
        assert _function_verdict(pair, lambda x, f=packed: f([x.min(), x.max()]))[0]
    assert not _function_verdict(pair, lambda x: [x.max(), x.min()])[0]


def test_a_close_answer_is_asked_for_as_many_digits_as_the_tolerance_needs():
    from helpers.exercises.registry import _digits

    assert _digits(1e-3) == 4 and _digits(1e-6) == 7 and _digits(5e-3) == 4
    assert math.isclose(0.0857864, round(0.0857864, _digits(1e-6) + 1), rel_tol=1e-6)


def test_function_check_gives_the_student_copies_of_the_inputs():
    def mutating(x):
        x -= x.mean()  # edits its argument in place: must not change the reference's input
        return np.mean(x**2)

    assert _verdict(mutating)[0]


def test_check_and_check_function_refuse_the_other_kind():
    value_key = KEYS[0]
    with pytest.raises(ValueError, match="asks for a value"):
        check_function(value_key, lambda: 0)
    if FUNCTIONS:
        with pytest.raises(ValueError, match="asks for a function"):
            check(next(iter(FUNCTIONS)), 1.0)


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_registered_function_exercise_accepts_its_reference(key, capsys):
    ex = FUNCTIONS[key]
    assert is_correct(key, ex.reference)
    check_function(key, ex.reference)
    assert capsys.readouterr().out.startswith(f"[{key}] Correct")


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_registered_function_exercise_recognises_each_slip(key):
    ex = FUNCTIONS[key]
    assert ex.key == key
    assert len(ex.slips) >= 3, f"{key}: name the common slips (at least 3), each with its own hint"
    assert ex.starter.startswith("def "), f"{key}: give the starter signature"
    for wrong_fn, hint in ex.slips:
        ok, msg = _function_verdict(ex, wrong_fn)
        assert not ok, f"{key}: a listed slip is accepted as right"
        assert hint in msg, f"{key}: the slip was not recognised: {msg}"
        assert "Hint: " not in msg, f"{key}: the slip got the generic hint, not its own: {msg}"


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_registered_function_exercise_survives_broken_functions(key):
    ex = FUNCTIONS[key]
    for fn in (None, lambda **kw: 1 / 0, lambda **kw: "text", lambda **kw: None):
        ok, msg = _function_verdict(ex, fn)
        assert not ok and msg.startswith(f"[{key}]"), msg


def test_a_wrong_returned_value_is_named_by_position_and_name():
    """With several returned values, the message says which one: 'the second returned value
    (db)', never an ambiguous 'output 2'."""
    from helpers.exercises.registry import FunctionExercise, _function_verdict

    ex = FunctionExercise(
        key="00.0",
        question="two sums",
        reference=lambda a: (a.sum(axis=0), a.sum(axis=1)),
        cases=lambda rng: [{"a": rng.normal(size=(4, 4))}],
        hint="sum over the right axis.",
        outputs=("by_column", "by_row"),
    )
    ok, msg = _function_verdict(ex, lambda a: (a.sum(axis=0), a.mean(axis=1)))
    assert not ok and "the second returned value (by_row)" in msg, msg
