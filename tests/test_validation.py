"""Tests for helpers._validation: every check names the argument it was given."""

from __future__ import annotations

import numpy as np
import pytest

from helpers._validation import as_float_array, as_location, as_sample, as_scale

NAME = "my_arg"  # a name no default uses, so a message can only contain it if it was passed


# --- as_float_array -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [3, 2.5, [1, 2, 3], (1.0, -2.0), np.arange(6).reshape(2, 3), np.float32(1.5), True],
)
def test_as_float_array_returns_float_ndarray_with_same_values(value):
    out = as_float_array(value, NAME)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.asarray(value, dtype=float))


@pytest.mark.parametrize(
    "value",
    ["abc", [1, "a"], {"a": 1}, object(), 1 + 2j, [[1, 2], [3]]],
    ids=["str", "mixed-list", "dict", "object", "complex", "ragged"],
)
def test_as_float_array_non_numeric_names_argument(value):
    with pytest.raises(ValueError, match=rf"^{NAME} must be numeric"):
        as_float_array(value, NAME)


@pytest.mark.parametrize("value", [np.nan, [1.0, np.nan], None, [[0.0], [np.nan]]])
def test_as_float_array_nan_names_argument(value):
    with pytest.raises(ValueError, match=rf"^{NAME} contains NaN"):
        as_float_array(value, NAME)


def test_as_float_array_empty_allowed_by_default():
    out = as_float_array([], NAME)
    assert out.shape == (0,)


def test_as_float_array_empty_rejected_when_asked():
    with pytest.raises(ValueError, match=rf"^{NAME} must not be empty"):
        as_float_array([], NAME, allow_empty=False)


@pytest.mark.parametrize("value", [np.inf, -np.inf, [0.0, np.inf]])
def test_as_float_array_inf_allowed_by_default_rejected_when_asked(value):
    np.testing.assert_array_equal(as_float_array(value, NAME), np.asarray(value, dtype=float))
    with pytest.raises(ValueError, match=rf"^{NAME} contains inf"):
        as_float_array(value, NAME, allow_inf=False)


def test_as_float_array_chains_original_error():
    with pytest.raises(ValueError) as info:
        as_float_array("abc", NAME)
    assert isinstance(info.value.__cause__, (TypeError, ValueError))


# --- as_sample -----------------------------------------------------------------------


def test_as_sample_accepts_1d_list():
    out = as_sample([1, 2, 3], NAME)
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    assert out.dtype == np.float64


def test_as_sample_accepts_2d_when_ndim_2():
    assert as_sample([[1, 2], [3, 4]], NAME, ndim=2).shape == (2, 2)


@pytest.mark.parametrize(
    ("value", "ndim", "pattern"),
    [
        ([], 1, "must not be empty"),
        ([1.0, np.nan], 1, "contains NaN"),
        ([1.0, np.inf], 1, "contains inf"),
        ([1.0, -np.inf], 1, "contains inf"),
        ("abc", 1, "must be numeric"),
        (3.0, 1, r"must have shape \(n_samples,\), got an array of shape \(\)"),
        ([[1.0, 2.0]], 1, r"must have shape \(n_samples,\), got an array of shape \(1, 2\)"),
        ([1.0, 2.0], 2, r"must have shape \(n_samples, n_features\), got .* \(2,\)"),
    ],
)
def test_as_sample_rejects_and_names_argument(value, ndim, pattern):
    with pytest.raises(ValueError, match=rf"^{NAME} {pattern}"):
        as_sample(value, NAME, ndim=ndim)


def test_as_sample_default_name_is_x():
    with pytest.raises(ValueError, match=r"^x must not be empty"):
        as_sample([])


# --- as_scale -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e-300, 0.5, 1e300, [1.0, 2.0, 3.0]])
def test_as_scale_accepts_positive_finite(value):
    np.testing.assert_array_equal(as_scale(value, NAME), np.asarray(value, dtype=float))


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (0.0, "must be > 0"),
        (-1.0, "must be > 0"),
        (-0.0, "must be > 0"),
        ([1.0, -2.0], "must be > 0"),
        (np.nan, "contains NaN"),
        (np.inf, "contains inf"),
        ([], "must not be empty"),
        ("wide", "must be numeric"),
    ],
)
def test_as_scale_rejects_and_names_argument(value, pattern):
    with pytest.raises(ValueError, match=rf"^{NAME} {pattern}"):
        as_scale(value, NAME)


def test_as_scale_reports_first_bad_value():
    with pytest.raises(ValueError, match=r"-2\.0") as info:
        as_scale([1.0, -2.0, -3.0], NAME)
    assert "-3.0" not in str(info.value)


def test_as_scale_default_name_is_sigma():
    with pytest.raises(ValueError, match=r"^sigma must be > 0"):
        as_scale(-1.0)


def test_as_scale_message_matches_documented_text():
    with pytest.raises(ValueError) as info:
        as_scale(-1.0)
    assert str(info.value) == "sigma must be > 0, got -1.0"


# --- as_location --------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.0, -1e300, [1.0, -2.0]])
def test_as_location_accepts_finite(value):
    np.testing.assert_array_equal(as_location(value, NAME), np.asarray(value, dtype=float))


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (np.nan, "contains NaN"),
        (np.inf, "contains inf"),
        (-np.inf, "contains inf"),
        ([], "must not be empty"),
        ("centre", "must be numeric"),
    ],
)
def test_as_location_rejects_and_names_argument(value, pattern):
    with pytest.raises(ValueError, match=rf"^{NAME} {pattern}"):
        as_location(value, NAME)


def test_as_location_default_name_is_mu():
    with pytest.raises(ValueError, match=r"^mu contains NaN"):
        as_location(np.nan)
