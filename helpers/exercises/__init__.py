"""Exercises: the shared registry here, one module of exercises per lesson beside it.

- :mod:`helpers.exercises.registry`: :class:`Exercise`, :func:`register`, :func:`check`,
  :func:`is_correct` (re-exported here). A notebook writes ``check("01.1", answer)``;
  for a write-the-algorithm exercise (:class:`FunctionExercise`),
  ``check_function("01.8", my_function)``.
- ``helpers.exercises.<topic>``: one lesson's exercises, named after its notebook
  (``likelihood`` for ``01_likelihood.ipynb``), found by the registry on first use.
"""

from helpers.exercises.registry import (
    Exercise,
    FunctionExercise,
    all_exercises,
    check,
    check_function,
    is_correct,
    register,
)

__all__ = [
    "Exercise",
    "FunctionExercise",
    "all_exercises",
    "check",
    "check_function",
    "is_correct",
    "register",
]
