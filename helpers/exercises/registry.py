"""The exercise registry: instant checks that say right or wrong and give a hint, never the answer.

Introduced in ``01_likelihood.ipynb``.

Each exercise is an :class:`Exercise` registered under a key ``"NN.k"`` (NN = the
notebook's number) by the lesson's own module, ``helpers/exercises/<topic>.py``, named
after its notebook (``likelihood`` for ``01_likelihood.ipynb``). A notebook calls
``check("01.1", answer)``, which prints one line: right, or wrong with a hint.
:func:`is_correct` returns the verdict as a bool, for tests and the worked solutions
(``notebooks/solutions/``). Expected values are computed from the helpers and the
shipped data, not typed in, so they stay right if the data or a helper changes.

This module never imports a lesson module by name. The first look-up of a key imports
every module of this package (:func:`all_exercises`), so adding a lesson adds a module
and touches nothing shared.

To add an exercise: in your lesson's module, write a function returning the expected
value and register it with :func:`register`; add a worked solution to the lesson's
solutions notebook. ``tests/test_exercises.py`` checks every registered exercise (the
right answer passes, no message contains the answer, a solution exists).
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Exercise", "all_exercises", "check", "is_correct", "register"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to get its expected answer and what to say when it is wrong."""

    key: str
    question: str
    #: Returns the expected answer: a number, or one of ``options`` for a choice.
    expected: Callable[[], float | str]
    hint: str
    rtol: float = 1e-3
    atol: float = 1e-9
    integer: bool = False
    #: Known wrong answers and what they reveal: ``((wrong_value_fn, hint), ...)``.
    mistakes: tuple = ()
    #: For a conceptual (multiple-choice) question: the allowed answers, e.g. ``("a", "b", "c")``.
    options: tuple = ()


_EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (keys ``"NN.k"`` must be unique)."""
    if exercise.key in _EXERCISES:
        raise ValueError(f"exercise key {exercise.key!r} is already registered")
    _EXERCISES[exercise.key] = exercise
    return exercise


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise by key, after importing each lesson's exercise module."""
    package = importlib.import_module("helpers.exercises")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "registry" and not info.name.startswith("_"):
            importlib.import_module(f"helpers.exercises.{info.name}")
    return dict(sorted(_EXERCISES.items()))


def _verdict(ex: Exercise, answer) -> tuple[bool, str]:
    if answer is None or answer is Ellipsis:
        return False, f"[{ex.key}] Not answered yet. Hint: {ex.hint}"
    if ex.options:
        return _choice_verdict(ex, answer)
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
    if not ex.integer and _NEAR * ex.rtol < _NEAR_MISS and _near(value, ex.expected()):
        return False, (
            f"[{ex.key}] Not quite, but close (not within the check's relative {ex.rtol:g}): "
            "give more digits (at least 4 significant figures), and keep full precision in "
            "intermediate results rather than rounding them."
        )
    return False, f"[{ex.key}] Not quite. Hint: {ex.hint}"


#: An answer within this relative distance of the expected value is told it is close (a
#: rounding slip), not given the conceptual hint meant for a wrong approach.
_NEAR_MISS = 0.02
_NEAR = 2  # ... as long as the check's own tolerance is at least this many times tighter


def _near(value: float, want: float) -> bool:
    return math.isclose(value, want, rel_tol=_NEAR_MISS)


def _choice_verdict(ex: Exercise, answer) -> tuple[bool, str]:
    allowed = ", ".join(repr(o) for o in ex.options)
    picked = answer.strip().lower() if isinstance(answer, str) else None
    if picked not in ex.options:
        return False, f"[{ex.key}] Answer with one of {allowed} (a string). Hint: {ex.hint}"
    if picked == ex.expected():
        return True, f"[{ex.key}] Correct."
    for wrong_fn, mistake_hint in ex.mistakes:
        if picked == wrong_fn():
            return False, f"[{ex.key}] Not quite. {mistake_hint}"
    return False, f"[{ex.key}] Not quite. Hint: {ex.hint}"


def _matches(ex: Exercise, value: float, want: float) -> bool:
    if ex.integer:
        return value == want
    return math.isclose(value, want, rel_tol=ex.rtol, abs_tol=ex.atol)


def _lookup(key: str) -> Exercise:
    known = _EXERCISES if key in _EXERCISES else all_exercises()
    if key not in known:
        raise ValueError(f"unknown exercise key {key!r}; known keys: {sorted(known)}")
    return known[key]


def is_correct(key: str, answer) -> bool:
    """``True`` when ``answer`` to exercise ``key`` is right (prints nothing)."""
    return _verdict(_lookup(key), answer)[0]


def check(key: str, answer) -> None:
    """Print whether ``answer`` to exercise ``key`` is right, with a hint if not.

    Parameters
    ----------
    key : str
        The exercise key shown in the notebook, e.g. ``"01.1"``.
    answer : float, str or None
        Your answer (a number, or one of the options as a string for a conceptual
        question); ``None`` (or ``...``) means "not answered yet".

    Nothing is returned, so the cell shows only the message; use
    :func:`is_correct` for the verdict as a bool.
    """
    print(_verdict(_lookup(key), answer)[1])
