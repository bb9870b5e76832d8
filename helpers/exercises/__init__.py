"""Exercises: the shared registry here, one module of exercises per lesson beside it.

- :mod:`helpers.exercises.registry`: :class:`Exercise`, :func:`register`, :func:`check`,
  :func:`is_correct` (re-exported here). A notebook writes ``check("01.1", answer)``.
- ``helpers.exercises.<topic>``: one lesson's exercises, named after its notebook
  (``likelihood`` for ``01_likelihood.ipynb``), found by the registry on first use.
"""

from helpers.exercises.registry import Exercise, all_exercises, check, is_correct, register

__all__ = ["Exercise", "all_exercises", "check", "is_correct", "register"]
