"""Argument checks shared by every helper.

Each check raises a ``ValueError`` that names the argument, says what was wrong and
what was expected, so a student sees ``sigma must be > 0, got -1.0`` instead of a
silent ``nan`` three cells later.
"""

from __future__ import annotations

import numpy as np


def as_float_array(value, name: str, *, allow_empty: bool = True, allow_inf: bool = True):
    """Return ``value`` as a float ndarray, rejecting NaN (and, optionally, empty or inf)."""
    try:
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


def as_count(value, name: str = "n", *, minimum: int = 1) -> int:
    """A whole number >= ``minimum`` (steps, samples, components), as a Python ``int``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if not np.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {int(value)}")
    return int(value)


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
