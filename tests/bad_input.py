"""One parametrized check for bad input, shared by every helper's tests.

Every public helper rejects bad input with a ``ValueError`` that names the argument
(CONTRIBUTING.md). Rather than hand-written one-offs, a test module declares, once per
helper, a valid call and the *kind* of each argument; :func:`cases` expands that into
the standard bad values of each kind, and :func:`assert_rejects` checks the error::

    from bad_input import assert_rejects, cases

    BAD = cases(normal_pdf, {"x": [1.0], "mu": 0.0, "sigma": 1.0},
                {"x": "array", "mu": "location", "sigma": "scale"})

    @pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD)
    def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
        assert_rejects(fn, kwargs, arg)

``tests/test_bad_input_coverage.py`` fails when a public helper (a name in some
``helpers`` module's ``__all__``) is declared by no test module and not exempted there
with a reason, so a new helper cannot skip these checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

NAN, INF = math.nan, math.inf

#: The standard bad values for each kind of argument: (label, value).
KINDS: dict[str, list[tuple[str, object]]] = {
    # any-shaped numeric array; empty allowed
    "array": [("nan", [1.0, NAN]), ("text", "abc")],
    # a non-empty, finite 1-D sample of shape (n_samples,)
    "sample": [
        ("empty", []), ("nan", [1.0, NAN, 2.0]), ("inf", [1.0, INF, 2.0]),
        ("2-d", [[1.0, 2.0], [3.0, 4.0]]), ("text", "abc"),
    ],
    # a non-empty, finite 2-D sample of shape (n_samples, n_features)
    "sample2d": [
        ("empty", np.empty((0, 2))), ("nan", [[1.0, NAN], [2.0, 3.0]]),
        ("inf", [[1.0, INF], [2.0, 3.0]]), ("1-d", [1.0, 2.0, 3.0]), ("text", "abc"),
    ],
    # a finite location (a mean): scalar or array
    "location": [("nan", NAN), ("inf", INF), ("text", "abc")],
    # a finite, strictly positive scale: a standard deviation, a step size, a rate
    "scale": [("zero", 0.0), ("negative", -1.0), ("nan", NAN), ("inf", INF), ("text", "abc")],
    # a count >= 1: steps, samples, components; "huge" is a slipped exponent (1e9 steps would
    # ask for gigabytes): refused above a stated cap (helpers._validation.COUNT_CAP by default)
    "count": [("zero", 0), ("negative", -3), ("fraction", 1.5), ("nan", NAN), ("inf", INF),
              ("text", "3"), ("huge", 10**9)],
    # a count that may be 0 (iterations, tosses): as "count" without the zero
    "count0": [("negative", -3), ("fraction", 1.5), ("nan", NAN), ("inf", INF), ("text", "3"),
               ("huge", 10**9)],
    # a seed: a whole number >= 0 (its size costs nothing, unless the explorer says otherwise)
    "seed": [("negative", -1), ("fraction", 1.5), ("nan", NAN), ("text", "0")],
    # a finite real number, any sign (a tolerance or a starting slider value: the helper
    # adds its own range with `extra`)
    "number": [("nan", NAN), ("inf", INF), ("text", "0.5"), ("none", None)],
    # a probability in [0, 1]
    "probability": [("negative", -0.1), ("above one", 1.1), ("nan", NAN), ("text", "0.5")],
    # mixture weights: non-negative, summing to one
    "weights": [("not summing to one", [0.5, 0.6]), ("negative", [1.5, -0.5]),
                ("nan", [NAN, 1.0]), ("text", "abc")],
    # one of a few named options (an optimiser, a schedule)
    "choice": [("unknown", "no such option"), ("number", 1.0), ("none", None)],
    # axis labels: a pair of strings
    "labels": [("empty", []), ("one", ["x"]), ("three", ["x", "y", "z"]), ("text", "xy")],
    # an argument of its own shape (a mixture triple): its bad values are all given in `extra`
    "other": [],
}  # fmt: skip

#: Every helper some test module has declared, by qualified name.
COVERED: set[str] = set()

#: The arguments declared for each helper (qualified name -> argument names), so
#: ``tests/test_bad_input_coverage.py`` can require every argument of an explorer, and every
#: count of any helper, to be declared with a kind.
DECLARED: dict[str, set[str]] = {}


def _qualname(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def cases(
    fn: Callable,
    valid: dict,
    kinds: dict[str, str],
    *,
    covers: str | None = None,
    extra: dict[str, list] | None = None,
) -> list:
    """``pytest.param(fn, kwargs, arg)`` for every standard bad value of every argument.

    Parameters
    ----------
    fn : callable
        Called as ``fn(**kwargs)``. For a class or method, pass a small lambda and name
        what it covers with ``covers="helpers.mixture.GaussianMixture"``.
    valid : dict
        Keyword arguments for a call that succeeds. Checked here: it must not raise.
    kinds : dict
        ``{argument: kind}``, kinds from :data:`KINDS`. For an explorer, every keyword
        argument needs a kind (or an exemption in ``tests/test_bad_input_coverage.py``), and
        so does every count of any helper.
    extra : dict, optional
        ``{argument: [value, ...]}``: bad values particular to this helper.
    """  # fmt: skip
    name = covers or _qualname(fn)
    fn(**valid)  # the valid call must work, or every case below proves nothing
    COVERED.add(name)
    DECLARED.setdefault(name, set()).update(kinds)
    params = []
    for arg, kind in kinds.items():
        assert arg in valid, f"{name}: {arg!r} has a kind but no valid value"
        bad = list(KINDS[kind]) + [
            (f"extra{i}", v) for i, v in enumerate((extra or {}).get(arg, []))
        ]
        for label, value in bad:
            kwargs = {**valid, arg: value}
            params.append(
                pytest.param(fn, kwargs, arg, id=f"{name.rsplit('.', 1)[-1]}-{arg}-{label}")
            )
    return params


def assert_rejects(fn: Callable, kwargs: dict, arg: str) -> None:
    """``fn(**kwargs)`` raises a ``ValueError`` whose message names ``arg``, and warns nothing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            fn(**kwargs)
    assert arg in str(info.value), f"the message {str(info.value)!r} does not name {arg!r}"
