"""Exercise checks: right answers pass, wrong ones get a hint, and no message leaks the answer."""

import re

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import EXERCISES, Exercise, check, is_correct

KEYS = sorted(EXERCISES)


def _numbers_in(message):
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", message)]


def _leaks(message, expected):
    return any(np.isclose(v, expected, rtol=1e-3) for v in _numbers_in(message))


@pytest.mark.parametrize("key", KEYS)
def test_right_answer_is_accepted(key, capsys):
    expected = EXERCISES[key].expected()
    assert is_correct(key, expected)
    check(key, expected)
    assert capsys.readouterr().out.strip() == f"[{key}] Correct."


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("answer", [None, ..., "abc", float("nan"), [1.0, 2.0], 12345.678, -0.5])
def test_wrong_or_missing_answer_gets_a_hint_never_the_answer(key, answer, capsys):
    expected = EXERCISES[key].expected()
    assert not is_correct(key, answer)
    check(key, answer)
    out = capsys.readouterr().out
    assert out.startswith(f"[{key}]") and "Correct" not in out
    assert "Hint" in out or "Not quite" in out or "finite" in out
    assert not _leaks(out, expected), f"{key}: the message reveals the answer: {out}"


@pytest.mark.parametrize("key", KEYS)
def test_near_miss_is_rejected(key):
    expected = EXERCISES[key].expected()
    assert not is_correct(key, expected * 1.01 + 0.5)


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("01.1", exercises._ex_01_1_variance_misread(), "variance"),
        ("01.2", -EXERCISES["01.2"].expected(), "sign"),
        ("01.2", EXERCISES["01.2"].expected() / 2, "variance"),
        ("01.1", exercises._ex_01_1_no_square_root(), "square root"),
        ("01.1", EXERCISES["01.1"].expected() / np.log(10), "natural logs"),
        ("01.1", np.exp(EXERCISES["01.1"].expected()), "likelihood L"),
        ("01.3", 70.8970588, "waiting"),
        ("01.4", EXERCISES["01.4"].expected() - 1, "n counts from 1"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out and not _leaks(out, EXERCISES[key].expected())


def test_expected_values_agree_with_independent_computations():
    from scipy import stats

    from helpers.data import load_old_faithful

    assert np.isclose(EXERCISES["01.1"].expected(), stats.norm.logpdf([4, 5, 7], 5, 2).sum())
    assert EXERCISES["01.2"].expected() == pytest.approx(8.0)  # -(1 - 3) / 0.25
    assert EXERCISES["01.3"].expected() == pytest.approx(load_old_faithful()["eruptions"].mean())
    n = EXERCISES["01.4"].expected()
    assert n == int(n) and 272 < n < 272 * 20


def test_unknown_key_and_duplicate_registration_raise():
    with pytest.raises(ValueError, match="unknown exercise key"):
        check("99.9", 1.0)
    with pytest.raises(ValueError, match="already registered"):
        exercises.register(Exercise("01.1", "dup", lambda: 0.0, "hint"))
