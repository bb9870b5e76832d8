"""Argument checks shared by every helper.

Each check raises a ``ValueError`` that names the argument, says what was wrong and
what was expected, so a student sees ``sigma must be > 0, got -1.0`` instead of a
silent ``nan`` three cells later.
"""

from __future__ import annotations

import numpy as np


def as_float_array(value, name: str, *, allow_empty: bool = True, allow_inf: bool = True):
    """Return ``value`` as a float ndarray, rejecting NaN (and, optionally, empty or inf).

    Text is refused even when numpy could parse it (``"0.5"``, ``["1", "2"]``): numbers that
    arrive as strings are a column read as text, and a number is never typed in quotes.
    """
    try:
        if isinstance(value, str | bytes) or np.asarray(value).dtype.kind in "USV":
            raise TypeError("text")
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r}") from exc
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; drop or impute missing values first")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} contains inf; every value must be finite")
    return arr


def as_sample(x, name: str = "x", *, ndim: int = 1):
    """A non-empty, finite sample with ``ndim`` dimensions (1 for a plain list of numbers)."""
    arr = as_float_array(x, name, allow_empty=False, allow_inf=False)
    if arr.ndim != ndim:
        shape = "(n_samples,)" if ndim == 1 else "(n_samples, n_features)"
        raise ValueError(f"{name} must have shape {shape}, got an array of shape {arr.shape}")
    return arr


def as_scale(value, name: str = "sigma"):
    """A strictly positive, finite scale parameter (a standard deviation, a step size...)."""
    arr = as_float_array(value, name, allow_empty=False, allow_inf=False)
    if (arr <= 0).any():
        bad = float(arr[arr <= 0].flat[0])
        raise ValueError(f"{name} must be > 0, got {bad!r}")
    return arr


def as_location(value, name: str = "mu"):
    """A finite location parameter (a mean)."""
    return as_float_array(value, name, allow_empty=False, allow_inf=False)


#: The largest count :func:`as_count` accepts unless a helper states its own cap: steps,
#: samples, repeats, points. Five times the largest count any lesson, test or benchmark
#: uses (``n_repeats=200_000``); a million float64 values take 8 MB, while the 1e9 a slipped
#: exponent asks for would take 8 GB per array (and a Python loop of 1e9 steps, hours).
COUNT_CAP = 1_000_000

#: The most numbers an explorer may hold in one array it builds from its counts
#: (``n_repeats`` samples of ``n_max`` points, ``n_chains`` paths of ``max_steps`` steps):
#: 10 million float64 values, 80 MB, redrawn within a slider move. :func:`check_size`'s
#: default.
SIZE_CAP = 10_000_000

#: The most numbers a topic helper allocates for one result from the product of its counts
#: (a sampler's path: steps x chains): 100 million float64 values, 800 MB. Ten times the
#: largest such array the course uses (the Langevin benchmark's 10,000 chains x 1,001 steps).
ARRAY_CAP = 100_000_000


def _is_real(value) -> bool:
    """A real number, not a bool (``True`` is an int to Python, never a count to a student)."""
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)


def as_count(value, name: str = "n", *, minimum: int = 1, cap: int | None = COUNT_CAP) -> int:
    """A whole number from ``minimum`` to ``cap`` (steps, samples, components), as an ``int``.

    ``cap`` defaults to :data:`COUNT_CAP` (1,000,000), so a count typed as ``1e9`` is refused
    with ``n_steps must be at most 1,000,000, got 1000000000`` instead of asking for gigabytes;
    pass a smaller cap where each unit is dear (subplots, redraws per slider move), or
    ``cap=None`` where size costs nothing (a seed).
    """
    what = f"a whole number >= {minimum}" + ("" if cap is None else f" and <= {cap:,}")
    if not _is_real(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if not np.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {int(value)}")
    if cap is not None and value > cap:
        raise ValueError(f"{name} must be at most {cap:,}, got {int(value)}")
    return int(value)


def as_number(value, name: str, *, low: float | None = None, high: float | None = None) -> float:
    """A finite real number within ``[low, high]`` (either end optional), as a ``float``.

    For scalar settings such as a tolerance, a momentum or a starting slider value:
    ``beta must be within [0, 0.99], got 1.5``; text, NaN and inf are refused by name.
    """
    if not _is_real(value) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be within [{lo}, {hi}], got {value:g}")
    return value


def as_choice(value, name: str, options):
    """One of ``options`` (a method, a schedule), else a ``ValueError`` listing them."""
    options = list(options)
    if not isinstance(value, str | int | float) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def check_size(size: int, what: str, *, cap: int = SIZE_CAP) -> None:
    """Refuse an array of ``size`` numbers (``what`` says which counts multiply to it)."""
    if size > cap:
        raise ValueError(
            f"{what} = {size:,} numbers is too many: at most {cap:,} (about "
            f"{cap * 8 / 1e6:,.0f} MB); make one of them smaller"
        )


def as_probability(value, name: str = "p"):
    """A probability (or array of them) in [0, 1]."""
    arr = as_float_array(value, name, allow_empty=False, allow_inf=False)
    if ((arr < 0) | (arr > 1)).any():
        bad = float(arr[(arr < 0) | (arr > 1)].flat[0])
        raise ValueError(f"{name} must be within [0, 1], got {bad!r}")
    return arr


def as_weights(value, name: str = "weights"):
    """Mixture weights: a non-empty 1-D array of non-negative numbers summing to one.

    The sum is checked to 1e-8 (relative), so weights typed to a few decimals such as
    ``[0.2, 0.8]`` pass while ``[0.5, 0.6]`` is rejected.
    """
    arr = as_float_array(value, name, allow_empty=False, allow_inf=False)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must have shape (n_components,), got an array of shape {arr.shape}"
        )
    if (arr < 0).any():
        bad = float(arr[arr < 0][0])
        raise ValueError(f"{name} must be >= 0, got {bad!r}")
    if not np.isclose(arr.sum(), 1.0, rtol=1e-8, atol=0):
        raise ValueError(f"{name} must sum to 1, got a sum of {float(arr.sum())!r}")
    return arr
