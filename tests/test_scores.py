"""Tests for helpers.scores.normal_score: the x-gradient of the Gaussian log density."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.distributions import normal_logpdf
from helpers.scores import normal_score

mus = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
sigmas = st.floats(1e-2, 1e2, allow_nan=False, allow_infinity=False)
zs = st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False)


def test_docstring_example():
    assert float(normal_score(3.0, mu=2.0, sigma=0.5)) == -4.0


@given(mu=mus, sigma=sigmas, z=zs)
def test_score_equals_central_difference_of_logpdf(mu, sigma, z):
    x = mu + z * sigma
    h = 1e-3 * sigma
    x_hi, x_lo = x + h, x - h
    # divide by the step actually taken, after rounding of x +/- h
    fd = (normal_logpdf(x_hi, mu, sigma) - normal_logpdf(x_lo, mu, sigma)) / (x_hi - x_lo)
    score = normal_score(x, mu, sigma)
    # log p is an exact parabola, so the central difference is exact up to rounding
    assert abs(fd - score) <= 1e-6 * (abs(z) + 1) / sigma


@given(
    x=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e3, 1e3)),
    mu=mus,
    sigma=sigmas,
)
def test_score_points_towards_mu(x, mu, sigma):
    s = normal_score(x, mu, sigma)
    np.testing.assert_array_equal(np.sign(s), np.sign(mu - x))


@pytest.mark.parametrize("mu", [0.0, -3.5, 1e6])
@pytest.mark.parametrize("sigma", [1e-3, 1.0, 40.0])
def test_score_zero_at_mu(mu, sigma):
    s = normal_score(mu, mu, sigma)
    assert s == 0.0
    assert not np.signbit(s)  # a plain 0.0, not -0.0 (the implementation's comment)


@pytest.mark.parametrize("d", [-2.0, 0.25, 3.0])
@pytest.mark.parametrize("sigma", [0.1, 1.0, 8.0])
@pytest.mark.parametrize("k", [0.5, 2.0, 10.0])
def test_score_scales_as_inverse_sigma_squared(d, sigma, k):
    mu = 1.5
    base = normal_score(mu + d, mu, sigma)
    assert base == pytest.approx(-d / sigma**2, rel=1e-12)
    assert normal_score(mu + d, mu, k * sigma) == pytest.approx(base / k**2, rel=1e-12)


def test_score_is_linear_in_x_with_slope_minus_inverse_variance():
    x = np.linspace(-5, 5, 11)
    s = normal_score(x, 1.0, 2.0)
    np.testing.assert_allclose(np.diff(s), -(x[1] - x[0]) / 4.0, rtol=1e-12)


def test_score_broadcasts_and_keeps_shape():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    assert normal_score(x).shape == (2, 3)
    sigma = np.array([[1.0], [2.0], [4.0], [8.0]])
    out = normal_score(np.zeros((4, 1)), mu=np.arange(3.0), sigma=sigma)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out[3], np.arange(3.0) / 64.0)


def test_score_empty_x():
    assert normal_score([]).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"sigma": 0.0}, r"^sigma must be > 0"),
        ({"sigma": -2.0}, r"^sigma must be > 0"),
        ({"sigma": [1.0, 0.0]}, r"^sigma must be > 0"),
        ({"sigma": np.nan}, r"^sigma contains NaN"),
        ({"sigma": np.inf}, r"^sigma contains inf"),
        ({"sigma": "big"}, r"^sigma must be numeric"),
        ({"mu": np.nan}, r"^mu contains NaN"),
        ({"mu": np.inf}, r"^mu contains inf"),
        ({"x": [0.0, np.nan]}, r"^x contains NaN"),
        ({"x": "abc"}, r"^x must be numeric"),
    ],
)
def test_bad_arguments_raise_naming_them(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        normal_score(**({"x": [0.0, 1.0], "mu": 0.0, "sigma": 1.0} | kwargs))


BAD_INPUT = cases(normal_score, {"x": [1.0, 2.0], "mu": 0.0, "sigma": 1.0},
                  {"x": "array", "mu": "location", "sigma": "scale"})  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)
