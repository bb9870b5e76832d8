"""Tests for helpers._validation: every check names the argument it was given."""

from __future__ import annotations

import numpy as np
import pytest

from helpers._validation import (
    COUNT_CAP,
    SIZE_CAP,
    as_choice,
    as_count,
    as_float_array,
    as_location,
    as_number,
    as_sample,
    as_scale,
    check_size,
)

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
    ["abc", [1, "a"], {"a": 1}, object(), 1 + 2j, [[1, 2], [3]], "0.5", ["1", "2"], b"1"],
    ids=[
        "str",
        "mixed-list",
        "dict",
        "object",
        "complex",
        "ragged",
        "numeric-str",
        "str-list",
        "bytes",
    ],
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


# --- as_count -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 7, np.int64(3), 4.0, np.float32(2.0), COUNT_CAP])
def test_as_count_returns_python_int(value):
    out = as_count(value, NAME)
    assert type(out) is int and out == value


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (0, "must be >= 1, got 0"),
        (-3, "must be >= 1, got -3"),
        (1.5, r"must be a whole number >= 1 and <= 1,000,000, got 1\.5"),
        (np.nan, "must be a whole number"),
        (np.inf, "must be a whole number"),
        ("3", "must be a whole number .* got '3'"),
        (True, "must be a whole number .* got True"),
        (None, "must be a whole number"),
        ([3], "must be a whole number"),
        (10**9, "must be at most 1,000,000, got 1000000000"),
        (1e9, "must be at most 1,000,000, got 1000000000"),
    ],
)
def test_as_count_rejects_and_names_argument(value, pattern):
    with pytest.raises(ValueError, match=rf"^{NAME} {pattern}"):
        as_count(value, NAME)


def test_as_count_message_matches_documented_text():
    with pytest.raises(ValueError) as info:
        as_count(1e9, "n_steps")
    assert str(info.value) == "n_steps must be at most 1,000,000, got 1000000000"


def test_as_count_cap_is_generous_for_every_count_the_course_uses():
    # the largest count a lesson, test or benchmark passes is n_repeats=200_000
    assert COUNT_CAP >= 5 * 200_000
    # and a capped 1-D float64 array is small
    assert COUNT_CAP * 8 <= 10 * 2**20


def test_as_count_own_cap_and_no_cap():
    assert as_count(12, NAME, cap=12) == 12
    with pytest.raises(ValueError, match=rf"^{NAME} must be at most 12, got 13$"):
        as_count(13, NAME, cap=12)
    assert as_count(2**40, NAME, minimum=0, cap=None) == 2**40  # a seed costs nothing
    with pytest.raises(ValueError, match=rf"^{NAME} must be a whole number >= 0, got 'x'$"):
        as_count("x", NAME, minimum=0, cap=None)


# --- as_number, as_choice, check_size ------------------------------------------------


@pytest.mark.parametrize("value", [0, -2.5, 1e300, np.float32(0.5), np.int64(3)])
def test_as_number_returns_float(value):
    out = as_number(value, NAME)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize(
    ("value", "kwargs", "pattern"),
    [
        ("0.5", {}, "must be a finite number, got '0.5'"),
        (np.nan, {}, "must be a finite number, got nan"),
        (np.inf, {"low": 0}, "must be a finite number, got inf"),
        (True, {}, "must be a finite number, got True"),
        ([0.5], {}, r"must be a finite number, got \[0.5\]"),
        (1.5, {"low": 0, "high": 0.99}, r"must be within \[0, 0.99\], got 1.5"),
        (-1.0, {"low": 0}, r"must be within \[0, inf\], got -1"),
        (2.0, {"high": 1}, r"must be within \[-inf, 1\], got 2"),
    ],
)
def test_as_number_rejects_and_names_argument(value, kwargs, pattern):
    with pytest.raises(ValueError, match=rf"^{NAME} {pattern}$"):
        as_number(value, NAME, **kwargs)


def test_as_choice():
    assert as_choice("adam", NAME, ["adam", "momentum"]) == "adam"
    for bad in ("Adam", 3, None, ["adam"]):
        with pytest.raises(ValueError, match=rf"^{NAME} must be one of 'adam', 'momentum'; got"):
            as_choice(bad, NAME, ["adam", "momentum"])


def test_check_size_names_the_counts_and_the_cap():
    check_size(SIZE_CAP, "n_max × n_repeats")
    with pytest.raises(
        ValueError,
        match=r"^n_max × n_repeats = 20,000,000 numbers is too many: "
        r"at most 10,000,000 \(about 80 MB\)",
    ):
        check_size(20_000_000, "n_max × n_repeats")
