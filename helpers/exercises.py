"""Instant checks for the exercises: right or wrong, and a hint; never the answer.

Introduced in ``01_likelihood.ipynb``.

Each exercise is an :class:`Exercise` registered under a short key; a notebook
calls ``check("01.1", answer)``, which prints one line: right, or wrong with a hint.
:func:`is_correct` returns the verdict as a bool for tests and solution sheets.
Expected values are computed from the helpers and the shipped data, not typed in,
so they stay right if the data or a helper changes.

To add an exercise: write a function returning the expected value, register it with
:func:`register`, and add its test to ``tests/test_exercises.py`` (the test checks
that no message ever contains the expected value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["EXERCISES", "Exercise", "check", "is_correct", "register"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to get its expected answer and what to say when it is wrong."""

    key: str
    question: str
    expected: Callable[[], float]
    hint: str
    rtol: float = 1e-3
    atol: float = 1e-9
    integer: bool = False
    #: Known wrong answers and what they reveal: ``((wrong_value_fn, hint), ...)``.
    mistakes: tuple = ()


EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (keys must be unique)."""
    if exercise.key in EXERCISES:
        raise ValueError(f"exercise key {exercise.key!r} is already registered")
    EXERCISES[exercise.key] = exercise
    return exercise


def _verdict(ex: Exercise, answer) -> tuple[bool, str]:
    if answer is None or answer is Ellipsis:
        return False, f"[{ex.key}] Not answered yet. Hint: {ex.hint}"
    try:
        value = float(np.asarray(answer, dtype=float).item())
    except (TypeError, ValueError):
        return False, (
            f"[{ex.key}] Expected a single number, got {type(answer).__name__}. Hint: {ex.hint}"
        )
    if not math.isfinite(value):
        return False, f"[{ex.key}] Your answer is {value}; a finite number is expected. {ex.hint}"
    if _matches(ex, value, ex.expected()):
        return True, f"[{ex.key}] Correct."
    for wrong_fn, mistake_hint in ex.mistakes:
        if _matches(ex, value, wrong_fn()):
            return False, f"[{ex.key}] Not quite. {mistake_hint}"
    return False, f"[{ex.key}] Not quite. Hint: {ex.hint}"


def _matches(ex: Exercise, value: float, want: float) -> bool:
    if ex.integer:
        return value == want
    return math.isclose(value, want, rel_tol=ex.rtol, abs_tol=ex.atol)


def _lookup(key: str) -> Exercise:
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise key {key!r}; known keys: {sorted(EXERCISES)}")
    return EXERCISES[key]


def is_correct(key: str, answer) -> bool:
    """``True`` when ``answer`` to exercise ``key`` is right (prints nothing)."""
    return _verdict(_lookup(key), answer)[0]


def check(key: str, answer) -> None:
    """Print whether ``answer`` to exercise ``key`` is right, with a hint if not.

    Parameters
    ----------
    key : str
        The exercise key shown in the notebook, e.g. ``"01.1"``.
    answer : float or None
        Your answer; ``None`` (or ``...``) means "not answered yet".

    Nothing is returned, so the cell shows only the message; use
    :func:`is_correct` for the verdict as a bool.
    """
    print(_verdict(_lookup(key), answer)[1])


# ---------------------------------------------------------------------------
# 01_likelihood.ipynb
# ---------------------------------------------------------------------------


def _ex_01_1() -> float:
    from helpers.distributions import normal_loglik

    return float(normal_loglik([4.0, 5.0, 7.0], mu=5.0, sigma=2.0))


def _ex_01_2() -> float:
    from helpers.scores import normal_score

    return float(normal_score(1.0, mu=3.0, sigma=0.5))


def _faithful():
    from helpers.data import load_old_faithful

    return load_old_faithful()


def _ex_01_3() -> float:
    return float(_faithful()["eruptions"].mean())


def _ex_01_4() -> float:
    from helpers.distributions import normal_pdf

    x = _faithful()["eruptions"].to_numpy()
    tiled = np.tile(x, 20)  # the eruptions, repeated until the product underflows
    prod = np.cumprod(normal_pdf(tiled, x.mean(), x.std()))
    return float(np.argmax(prod == 0.0) + 1)


# Wrong answers students reach often, recognised so the hint can name the slip.
_SAMPLE_01_1 = np.array([4.0, 5.0, 7.0])


def _ex_01_1_variance_misread() -> float:
    """01.1 with the 2 of "standard deviation 2" used as the variance."""
    from helpers.distributions import normal_loglik

    return float(normal_loglik(_SAMPLE_01_1, mu=5.0, sigma=np.sqrt(2.0)))


def _ex_01_1_no_square_root() -> float:
    """01.1 with the normalising constant 1/(2 pi sigma^2) instead of its square root."""
    return float(np.sum(-((_SAMPLE_01_1 - 5.0) ** 2) / 8.0 - np.log(2 * np.pi * 4.0)))


def _ex_01_4_off_by_one() -> float:
    return _ex_01_4() - 1


register(Exercise(
    "01.1",
    "Log-likelihood of the sample [4, 5, 7] under the Gaussian with mean 5 and sd 2, in nats.",
    _ex_01_1,
    "add up the three log densities (the helpers can do it for you).",
    mistakes=(
        (_ex_01_1_variance_misread,
         "It looks like 2 was used as the variance; here 2 is the standard deviation."),
        (_ex_01_1_no_square_root,
         "Check the normalising constant: it is 1/sqrt(2 pi sigma^2), with the square root."),
        (lambda: _ex_01_1() / np.log(10), "Use natural logs (np.log): nats, not log10."),
        (lambda: np.exp(_ex_01_1()), "That is the likelihood L; the question asks for log L."),
    ),
))  # fmt: skip
register(Exercise(
    "01.2",
    "The score d/dx log p(x) of the Gaussian with mean 3 and sd 0.5 at x = 1.",
    _ex_01_2,
    "differentiate log p(x) with respect to x; the score points towards the mode.",
    mistakes=(
        (lambda: -_ex_01_2(), "Check the sign: x = 1 is left of the mode; the score points right."),
        (lambda: _ex_01_2() * 0.5, "Divide by the variance sigma**2, not by sigma."),
    ),
))  # fmt: skip
register(Exercise(
    "01.3",
    "The mu that maximises the Gaussian log-likelihood of the eruption durations, in minutes.",
    _ex_01_3,
    "set the derivative of the log-likelihood with respect to mu to zero and solve.",
    mistakes=(
        (lambda: float(_faithful()["waiting"].mean()),
         "That is about the waiting times; the question is about faithful['eruptions']."),
    ),
))  # fmt: skip
register(Exercise(
    "01.4",
    "Repeat the 272 eruption durations 20 times. Multiplying their densities under the fitted "
    "Gaussian one by one, at which n does the running product first become exactly 0.0?",
    _ex_01_4,
    "np.cumprod gives every running product at once; np.argmax on a boolean array finds the "
    "first True; positions count from 0, n counts from 1.",
    integer=True,
    mistakes=((_ex_01_4_off_by_one, "Nearly: positions count from 0, but n counts from 1."),),
))  # fmt: skip
