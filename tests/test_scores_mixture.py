"""Tests for the Gaussian mixture log densities and scores in helpers.scores (notebook 06):
scipy as the reference for the densities, finite differences for the scores."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy import integrate, stats

from helpers._validation import as_weights
from helpers.scores import (
    mixture_logpdf,
    mixture_logpdf_nd,
    mixture_score,
    mixture_score_nd,
    normal_score,
)


def random_mixture(rng, k):
    w = rng.dirichlet(np.ones(k))
    return w, rng.normal(0, 3, k), rng.uniform(0.2, 2.0, k)


def random_mixture_nd(rng, k, d):
    a = rng.normal(size=(k, d, d))
    covs = a @ np.swapaxes(a, 1, 2) + 0.3 * np.eye(d)
    return rng.dirichlet(np.ones(k)), rng.normal(0, 2, (k, d)), covs


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 2, 5])
def test_mixture_logpdf_equals_scipy(seed, k):
    rng = np.random.default_rng(seed)
    w, mu, sd = random_mixture(rng, k)
    x = rng.normal(0, 4, 50)
    ref = np.log(w @ stats.norm.pdf(x[None], mu[:, None], sd[:, None]))
    np.testing.assert_allclose(mixture_logpdf(x, w, mu, sd), ref, rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_mixture_score_equals_finite_difference(seed):
    rng = np.random.default_rng(seed)
    w, mu, sd = random_mixture(rng, 3)
    x = rng.normal(0, 4, 50)
    h = 1e-5
    fd = (mixture_logpdf(x + h, w, mu, sd) - mixture_logpdf(x - h, w, mu, sd)) / (2 * h)
    np.testing.assert_allclose(mixture_score(x, w, mu, sd), fd, rtol=1e-6, atol=1e-6)


def test_mixture_is_finite_where_every_density_underflows():
    w, mu, sd = [0.3, 0.7], [-1.0, 1.0], [0.1, 0.2]
    x = np.array([200.0, -300.0])  # hundreds of standard deviations out: pdf == 0.0
    assert (stats.norm.pdf(x[:, None], mu, sd) == 0).all()
    assert np.isfinite(mixture_logpdf(x, w, mu, sd)).all()
    # far out the wider component is responsible: its score, exactly
    np.testing.assert_allclose(mixture_score(x, w, mu, sd), (1.0 - x) / 0.04, rtol=1e-12)


def test_one_component_is_the_gaussian_and_a_zero_weight_drops_out():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(mixture_score(x, [1.0], [0.5], [2.0]), normal_score(x, 0.5, 2.0))
    np.testing.assert_allclose(mixture_score(x, [0.0, 1.0], [9.0, 0.5], [1.0, 2.0]),
                               normal_score(x, 0.5, 2.0), rtol=1e-12)  # fmt: skip


def test_mixture_score_keeps_the_shape_of_x():
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    assert mixture_score(x, [0.5, 0.5], [-1, 1], [1, 1]).shape == (3, 4)
    assert mixture_logpdf(x, [0.5, 0.5], [-1, 1], [1, 1]).shape == (3, 4)
    assert np.ndim(mixture_score(0.0, [0.5, 0.5], [-1, 1], [1, 1])) == 0


def test_perturbed_mixture_is_the_convolution():
    """p * N(0, s^2) is the mixture with every variance grown by s^2 (notebook 06, section 8)."""
    w, mu, sd, s = np.array([0.2, 0.8]), np.array([-4.0, 4.0]), np.array([0.3, 0.3]), 1.5
    for t in (-4.0, 0.0, 2.5):
        conv, _ = integrate.quad(
            lambda u, t=t: np.exp(mixture_logpdf(u, w, mu, sd)) * stats.norm.pdf(t - u, 0, s),
            -12, 12, points=[-4, 4], limit=200,
        )  # fmt: skip
        assert conv == pytest.approx(np.exp(mixture_logpdf(t, w, mu, np.sqrt(sd**2 + s**2))),
                                     rel=1e-7)  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("k", "d"), [(1, 2), (3, 2), (2, 3)])
def test_mixture_nd_equals_scipy_and_finite_differences(seed, k, d):
    rng = np.random.default_rng(seed)
    w, means, covs = random_mixture_nd(rng, k, d)
    X = rng.normal(0, 2, (40, d))
    ref = np.log(sum(wk * stats.multivariate_normal(m, c).pdf(X)
                     for wk, m, c in zip(w, means, covs, strict=True)))  # fmt: skip
    np.testing.assert_allclose(mixture_logpdf_nd(X, w, means, covs), ref, rtol=1e-10)
    h = 1e-5

    def logpdf(Y):
        return mixture_logpdf_nd(Y, w, means, covs)

    fd = np.column_stack([(logpdf(X + h * e) - logpdf(X - h * e)) / (2 * h) for e in np.eye(d)])
    np.testing.assert_allclose(mixture_score_nd(X, w, means, covs), fd, rtol=1e-5, atol=1e-5)


def test_mixture_nd_one_component_is_the_gaussian_score():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    expected = -np.linalg.solve(cov, (X - [0.5, -1.0]).T).T
    np.testing.assert_allclose(mixture_score_nd(X, [1.0], [[0.5, -1.0]], [cov]), expected)


def test_mixture_1d_and_nd_agree_in_one_dimension():
    w, mu, sd = [0.4, 0.6], np.array([-1.0, 2.0]), np.array([0.5, 1.5])
    x = np.linspace(-4, 5, 19)
    np.testing.assert_allclose(
        mixture_score_nd(x[:, None], w, mu[:, None], (sd**2)[:, None, None])[:, 0],
        mixture_score(x, w, mu, sd), rtol=1e-12, atol=1e-12,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"mu": [0.0]}, r"^mu must have shape \(n_components,\)"),
        ({"sigma": [1.0, 1.0, 1.0]}, r"^sigma must have shape"),
        ({"weights": [0.5, 0.6]}, r"^weights must sum to 1"),
        ({"weights": [1.5, -0.5]}, r"^weights must be >= 0"),
        ({"weights": [[0.5, 0.5]]}, r"^weights must have shape"),
    ],
)
def test_mixture_shape_errors_name_the_argument(kwargs, pattern):
    valid = {"x": [0.0], "weights": [0.5, 0.5], "mu": [-1.0, 1.0], "sigma": [1.0, 1.0]}
    with pytest.raises(ValueError, match=pattern):
        mixture_score(**(valid | kwargs))


@pytest.mark.parametrize(
    ("cov", "pattern"),
    [
        ([[[1.0, 2.0], [2.0, 1.0]]], r"^covariances must be positive definite"),
        ([[[1.0, 0.5], [0.0, 1.0]]], r"^covariances must be symmetric"),
        ([[1.0, 0.0], [0.0, 1.0]], r"^covariances must have shape"),
    ],
)
def test_bad_covariances_are_rejected(cov, pattern):
    with pytest.raises(ValueError, match=pattern):
        mixture_score_nd([[0.0, 0.0]], [1.0], [[0.0, 0.0]], cov)


def test_as_weights_accepts_rounded_weights():
    np.testing.assert_array_equal(as_weights([0.2, 0.8]), [0.2, 0.8])


_MIX = {"x": [0.0, 1.0], "weights": [0.3, 0.7], "mu": [-1.0, 1.0], "sigma": [0.5, 1.0]}
_KINDS = {"x": "array", "weights": "weights", "mu": "location", "sigma": "scale"}
_MIX_ND = {"X": [[0.0, 1.0]], "weights": [0.3, 0.7], "means": [[-1.0, 0.0], [1.0, 0.0]],
           "covariances": [np.eye(2), 2 * np.eye(2)]}  # fmt: skip
_KINDS_ND = {"X": "sample2d", "weights": "weights", "means": "location",
             "covariances": "location"}  # fmt: skip
_EXTRA_ND = {"covariances": [[[[1.0, 2.0], [2.0, 1.0]], np.eye(2)], np.eye(2)],
             "means": [[0.0, 0.0]]}  # fmt: skip

BAD_INPUT = [
    *cases(mixture_logpdf, _MIX, _KINDS),
    *cases(mixture_score, _MIX, _KINDS),
    *cases(mixture_logpdf_nd, _MIX_ND, _KINDS_ND, extra=_EXTRA_ND),
    *cases(mixture_score_nd, _MIX_ND, _KINDS_ND, extra=_EXTRA_ND),
]


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)
