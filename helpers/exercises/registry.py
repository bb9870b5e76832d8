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

**Write-the-algorithm exercises** (:class:`FunctionExercise`): the student writes a function
(a log-likelihood in log space, an E-step, a Langevin step) in a starter cell and calls
``check_function("05.8", e_step)``. The check runs it on hidden random cases against a
reference built from the helpers and answers in one line: right, or the first thing that went
wrong (it raised, it returned the wrong shape or a non-finite value, or its output matches a
known slip such as a sum for a mean), with a hint that never shows the code or the expected
values. A wrong function never crashes the check. Randomness is an argument of the student's
function (the noise ``z``, the batch indices), so the check can compare exactly.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Exercise",
    "FunctionExercise",
    "all_exercises",
    "check",
    "check_function",
    "is_correct",
    "register",
]


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


@dataclass(frozen=True)
class FunctionExercise:
    """A write-the-algorithm exercise: the student's function against a reference.

    ``cases(rng)`` returns a list of keyword-argument dicts (the hidden cases, drawn from
    ``rng``); ``reference(**case)`` returns the right output for each. ``slips`` are known
    wrong implementations with the hint each deserves: ``((wrong_fn, hint), ...)``; a
    student's output that matches a slip's output (and not the reference's) gets that hint.
    ``starter`` is the signature line the notebook's starter cell shows (for the docs and the
    tests that keep notebook and registry in step). ``diagnose``, if given, recognises a whole
    class of slips that no finite list covers: ``diagnose(run, cases)`` gets ``run(case)``, the
    student's output on a case (None if it raised), and returns a hint or None. It is asked
    after the listed slips, and anything it raises counts as None.
    """

    key: str
    question: str
    reference: Callable
    cases: Callable[[np.random.Generator], list]
    hint: str
    starter: str = ""
    slips: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9
    diagnose: Callable | None = None
    #: Names of the returned values, in order (``("dW", "db", "g_in")``), for the messages.
    outputs: tuple = ()
    #: Seed of the hidden cases: fixed, so a check gives the same verdict on every run.
    seed: int = 20261205


_EXERCISES: dict[str, Exercise | FunctionExercise] = {}


def register(exercise: Exercise | FunctionExercise) -> Exercise | FunctionExercise:
    """Add an exercise to the registry (keys ``"NN.k"`` must be unique)."""
    if exercise.key in _EXERCISES:
        raise ValueError(f"exercise key {exercise.key!r} is already registered")
    _EXERCISES[exercise.key] = exercise
    return exercise


def all_exercises() -> dict[str, Exercise | FunctionExercise]:
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
            f"give more digits (at least {_digits(ex.rtol)} significant figures), and keep full "
            "precision in intermediate results rather than rounding them."
        )
    return False, f"[{ex.key}] Not quite. Hint: {ex.hint}"


#: An answer within this relative distance of the expected value is told it is close (a
#: rounding slip), not given the conceptual hint meant for a wrong approach.
_NEAR_MISS = 0.02
_NEAR = 2  # ... as long as the check's own tolerance is at least this many times tighter


def _digits(rtol: float) -> int:
    """Significant figures an answer needs to land within a relative tolerance ``rtol``."""
    return max(4, math.ceil(-math.log10(rtol)) + 1)


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


def _function_verdict(ex: FunctionExercise, fn) -> tuple[bool, str]:
    """Run ``fn`` on the hidden cases; the first failure decides the message."""
    tag = f"[{ex.key}]"
    if fn is None or fn is Ellipsis:
        return False, f"{tag} Not written yet: write your function, then run this cell again."
    if not callable(fn):
        return False, (
            f"{tag} Pass your function itself (its name, no parentheses), got a "
            f"{type(fn).__name__}. Hint: {ex.hint}"
        )
    cases = ex.cases(np.random.default_rng(ex.seed))
    for i, case in enumerate(cases, start=1):
        where = f"on hidden case {i} of {len(cases)}"
        try:
            with warnings.catch_warnings(record=True) as caught:  # said once, in the verdict
                warnings.simplefilter("always")
                got = fn(**_copied(case))
        except NotImplementedError:  # the starter as given: no hint before a first attempt
            return False, (
                f"{tag} Not written yet: replace `raise NotImplementedError` with your code, "
                "then run this cell again."
            )
        except Exception as exc:  # a student's bug must explain itself, never crash the check
            return False, (
                f"{tag} Your function raised {type(exc).__name__} {where} "
                f"({_inputs(case)}): {str(exc)[:200]}. Hint: {ex.hint}"
            )
        want = ex.reference(**_copied(case))
        ok, problem = _compare(got, want, ex)
        if ok:
            continue
        if caught:
            first = caught[0]
            problem += f" (it warned: {first.category.__name__}: {str(first.message)[:120]})"
        for wrong_fn, slip_hint in ex.slips:
            try:
                slipped = wrong_fn(**_copied(case))
            except Exception:  # a slip that cannot run on this case says nothing
                continue
            if _compare(got, slipped, ex)[0]:
                return False, f"{tag} Not quite ({where}). {slip_hint}"
        class_hint = _diagnosed(ex, fn, cases)
        if class_hint:
            return False, f"{tag} Not quite ({where}). {class_hint}"
        return False, f"{tag} Not quite: {problem} {where} ({_inputs(case)}). Hint: {ex.hint}"
    n = len(cases)
    return True, f"{tag} Correct: your function agrees with the reference on {n} hidden cases."


def _diagnosed(ex: FunctionExercise, fn, cases: list) -> str | None:
    """The exercise's own diagnosis of a wrong function, or None; never raises."""
    if ex.diagnose is None:
        return None

    def run(case):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(**_copied(case))
        except Exception:  # a student's bug: no diagnosis from this case
            return None

    try:
        hint = ex.diagnose(run, [_copied(case) for case in cases])
    except Exception:  # a diagnosis that cannot judge this function says nothing
        return None
    return hint if isinstance(hint, str) and hint else None


def _copied(case: dict) -> dict:
    """Fresh copies of array arguments, so a function that edits its input changes nothing."""
    return {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for k, v in case.items()}


def _inputs(case: dict) -> str:
    """Describe a case's inputs by kind and shape only (never their values)."""
    parts = []
    for name, value in case.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{name}: array of shape {value.shape}")
        elif callable(value):
            parts.append(f"{name}: a function")
        elif isinstance(value, np.random.Generator):
            parts.append(f"{name}: a Generator")
        else:
            parts.append(f"{name}: {type(value).__name__}")
    return ", ".join(parts)


def _as_arrays(value) -> tuple | None:
    """A result as a tuple of float arrays (a single output becomes a 1-tuple), or None.

    Several plain numbers are one vector however they are packed: ``(low, high)``,
    ``[low, high]`` and ``np.array([low, high])`` compare alike.
    """
    if isinstance(value, tuple | list) and value and all(np.ndim(v) == 0 for v in value):
        items = (list(value),)
    elif isinstance(value, tuple | list) and _is_multi(value):
        items = value
    else:
        items = (value,)
    try:
        return tuple(np.asarray(v, dtype=float) for v in items)
    except (TypeError, ValueError):
        return None


def _is_multi(value) -> bool:
    """A tuple/list of several outputs (e.g. ``(weights, means, sds)``), not one vector."""
    return isinstance(value, tuple) or any(np.ndim(v) > 0 for v in value)


def _compare(got, want, ex: FunctionExercise) -> tuple[bool, str]:
    got_a, want_a = _as_arrays(got), _as_arrays(want)
    if want_a is None:
        raise TypeError(f"{ex.key}: the reference returned a non-numeric result")
    if got_a is None:
        return False, f"your function returned a {type(got).__name__}, not numbers,"
    if len(got_a) != len(want_a):
        return False, (
            f"your function returned {len(got_a)} outputs where {len(want_a)} are expected"
        )
    for k, (g, w) in enumerate(zip(got_a, want_a, strict=True)):
        which = _which_output(ex, k, len(want_a))
        if g.shape != w.shape:
            return False, f"{which} has shape {g.shape} where {w.shape} is expected"
        if not np.all(np.isfinite(g)) and np.all(np.isfinite(w)):
            return False, f"{which} contains nan or inf where finite numbers are expected"
        if not np.allclose(g, w, rtol=ex.rtol, atol=ex.atol, equal_nan=True):
            return False, f"{which} has the right shape but different values"
    return True, ""


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _which_output(ex: FunctionExercise, k: int, n: int) -> str:
    """'the result', or 'the second returned value (db)': by position, and by name if known."""
    if n == 1:
        return "the result"
    nth = _ORDINALS[k] if k < len(_ORDINALS) else f"number {k + 1}"
    name = f" ({ex.outputs[k]})" if k < len(ex.outputs) else ""
    return f"the {nth} returned value{name}"


def _lookup(key: str) -> Exercise | FunctionExercise:
    known = _EXERCISES if key in _EXERCISES else all_exercises()
    if key not in known:
        raise ValueError(f"unknown exercise key {key!r}; known keys: {sorted(known)}")
    return known[key]


def is_correct(key: str, answer) -> bool:
    """``True`` when ``answer`` to exercise ``key`` is right (prints nothing).

    For a write-the-algorithm exercise, ``answer`` is the function.
    """
    ex = _lookup(key)
    if isinstance(ex, FunctionExercise):
        return _function_verdict(ex, answer)[0]
    return _verdict(ex, answer)[0]


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
    ex = _lookup(key)
    if isinstance(ex, FunctionExercise):
        raise ValueError(f"exercise {key} asks for a function: use check_function({key!r}, fn)")
    print(_verdict(ex, answer)[1])


def check_function(key: str, fn) -> None:
    """Run your function on hidden cases and print whether it is right, with a hint if not.

    Parameters
    ----------
    key : str
        The exercise key shown in the notebook, e.g. ``"05.8"``.
    fn : callable or None
        Your function (its name, without parentheses). The check calls it on a few random
        cases it does not show you and compares the results with a reference built from the
        helpers. ``None`` means "not written yet".

    One line is printed: correct, or the first thing that went wrong (an exception, a
    shape, a non-finite value, a known slip) with a hint. Never the answer.
    """
    ex = _lookup(key)
    if not isinstance(ex, FunctionExercise):
        raise ValueError(f"exercise {key} asks for a value: use check({key!r}, answer)")
    print(_function_verdict(ex, fn)[1])
