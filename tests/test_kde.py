"""helpers.kde against scipy.stats.gaussian_kde and against the mixture it is."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy import optimize, stats

from helpers.data import load_old_faithful
from helpers.kde import (
    kde_heldout_loglik,
    kde_logpdf,
    kde_loo_loglik,
    scott_bandwidth,
    silverman_bandwidth,
)
from helpers.mixture import mixture_logpdf


@pytest.fixture(scope="module")
def waiting():
    return load_old_faithful()["waiting"].to_numpy()


@pytest.mark.parametrize("rule", ["scott", "silverman"])
def test_bandwidth_rules_and_density_equal_scipy(waiting, rule):
    ref = stats.gaussian_kde(waiting, bw_method=rule)
    h = {"scott": scott_bandwidth, "silverman": silverman_bandwidth}[rule](waiting)
    assert h == pytest.approx(ref.factor * waiting.std(ddof=1), rel=1e-12)
    grid = np.linspace(30, 110, 200)
    np.testing.assert_allclose(kde_logpdf(grid, waiting, h), ref.logpdf(grid), rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("h", [0.05, 0.3, 2.0])
def test_density_equals_scipy_for_any_bandwidth(seed, h):
    x = np.random.default_rng(seed).normal(size=50)
    ref = stats.gaussian_kde(x, bw_method=h / x.std(ddof=1))
    np.testing.assert_allclose(kde_logpdf(x + 0.1, x, h), ref.logpdf(x + 0.1), rtol=1e-10)


def test_two_d_equals_scipy_on_whitened_data(rng):
    X = rng.normal(size=(80, 2))
    X = (X - X.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(X.T)).T)  # cov (ddof=1) = I
    ref = stats.gaussian_kde(X.T, bw_method="scott")
    Y = rng.normal(size=(30, 2))
    np.testing.assert_allclose(kde_logpdf(Y, X, ref.factor), ref.logpdf(Y.T), rtol=1e-10)


def test_a_kde_is_a_mixture_with_one_component_per_point(waiting):
    h = 3.0
    grid = np.linspace(40, 100, 50)
    n = waiting.size
    as_mixture = mixture_logpdf(grid, np.full(n, 1 / n), waiting, np.full(n, h**2))
    np.testing.assert_allclose(kde_logpdf(grid, waiting, h), as_mixture, rtol=1e-12)


def test_density_integrates_to_one(waiting):
    grid = np.linspace(0, 150, 3001)
    area = np.trapezoid(np.exp(kde_logpdf(grid, waiting, 2.0)), grid)
    assert area == pytest.approx(1.0, abs=1e-9)


def test_loo_by_hand(rng):
    x = rng.normal(size=30)
    h = np.array([0.2, 0.5, 1.5])
    by_hand = [sum(kde_logpdf(x[j : j + 1], np.delete(x, j), hh)[0] for j in range(30)) for hh in h]
    np.testing.assert_allclose(kde_loo_loglik(x, h), by_hand, rtol=1e-12)


def test_heldout_is_the_sum_of_log_densities(rng):
    train, test = rng.normal(size=40), rng.normal(size=15)
    got = kde_heldout_loglik(train, test, [0.4, 0.9])
    want = [kde_logpdf(test, train, h).sum() for h in (0.4, 0.9)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_loo_has_an_interior_maximum_found_by_an_optimiser(rng):
    x = rng.normal(size=200)
    hs = np.geomspace(0.05, 3, 300)
    best = hs[np.argmax(kde_loo_loglik(x, hs))]
    res = optimize.minimize_scalar(lambda h: -kde_loo_loglik(x, h)[0], bounds=(0.05, 3),
                                   method="bounded", options={"xatol": 1e-6})  # fmt: skip
    assert 0.05 < res.x < 3 and res.x == pytest.approx(best, rel=0.02)


def test_without_leaving_out_the_likelihood_grows_as_h_shrinks(rng):
    x = rng.normal(size=50)
    in_sample = [kde_logpdf(x, x, h).sum() for h in (1e-1, 1e-2, 1e-3)]
    assert in_sample[0] < in_sample[1] < in_sample[2]


BAD_INPUT = (
    cases(kde_logpdf, {"x": [0.0, 1.0], "data": [0.5, 1.5], "bandwidth": 1.0},
          {"x": "array", "data": "array", "bandwidth": "scale"},
          extra={"x": [[], [[0.0, 1.0]]], "data": [[], [[[1.0]]]], "bandwidth": [[1.0, 2.0]]})
    + cases(scott_bandwidth, {"x": [1.0, 2.0, 4.0]}, {"x": "sample"}, extra={"x": [[3.0, 3.0]]})
    + cases(silverman_bandwidth, {"x": [1.0, 2.0, 4.0]}, {"x": "sample"},
            extra={"x": [[1.0]]})
    + cases(kde_loo_loglik, {"data": [1.0, 2.0, 4.0], "bandwidths": [0.5, 1.0]},
            {"data": "array", "bandwidths": "scale"}, extra={"data": [[1.0], []]})
    + cases(kde_heldout_loglik, {"train": [1.0, 2.0], "test": [1.5], "bandwidths": 1.0},
            {"train": "array", "test": "array", "bandwidths": "scale"},
            extra={"test": [[[1.0, 2.0]]]})
)  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize("h", [0.01, 0.3, 2.0, 50.0])
def test_loo_equals_scipy_logsumexp_with_ties_and_tiny_bandwidths(waiting, h):
    """Whole-minute data (ties) at bandwidths where most kernels underflow: the shifted sum
    in ``_log_kernel_sums`` equals scipy's logsumexp over the other points."""
    from scipy.special import logsumexp

    x = np.asarray(waiting, float)
    d2 = (x[:, None] - x[None, :]) ** 2
    log_k = -0.5 * d2 / h**2 - 0.5 * np.log(2 * np.pi * h**2)
    np.fill_diagonal(log_k, -np.inf)
    want = (logsumexp(log_k, axis=1) - np.log(x.size - 1)).sum()
    assert kde_loo_loglik(x, h)[0] == pytest.approx(want, rel=1e-12)


def _direct_kde_logpdf(x, data, h):
    """The textbook sum with explicit differences (no expanded squares)."""
    from scipy.special import logsumexp

    d2 = ((x[:, None, :] - data[None, :, :]) ** 2).sum(axis=2)
    d = data.shape[1]
    return (
        logsumexp(-0.5 * d2 / h**2, axis=1) - np.log(len(data)) - 0.5 * d * np.log(2 * np.pi * h**2)
    )


@pytest.mark.parametrize("shift", [0.0, 1e6, -1e6])
def test_b4_two_d_kde_is_translation_invariant(shift):
    # Data of spread 0.1 shifted by 1e6 with h = 0.01: the expanded |x|^2 + |y|^2 - 2 x.y
    # lost up to 2 nats. The 1-D path (direct differences) was exact.
    rng = np.random.default_rng(0)
    data = rng.normal(0, 0.1, (300, 2))
    x = data[:40] + rng.normal(0, 0.01, (40, 2))
    h = 0.01
    base = kde_logpdf(x, data, h)
    shifted = kde_logpdf(x + shift, data + shift, h)
    # Only the rounding of x + 1e6 itself (ulp 1e-10, relative to h = 0.01) may move them.
    np.testing.assert_allclose(shifted, base, atol=1e-5, rtol=0)
    np.testing.assert_allclose(shifted, _direct_kde_logpdf(x + shift, data + shift, h),
                               atol=1e-9, rtol=0)  # fmt: skip
    loo = kde_loo_loglik(data + shift, [h, 0.05])
    np.testing.assert_allclose(loo, kde_loo_loglik(data, [h, 0.05]), atol=1e-4, rtol=0)
    held = kde_heldout_loglik(data + shift, x + shift, [h, 0.05])
    np.testing.assert_allclose(held, kde_heldout_loglik(data, x, [h, 0.05]), atol=1e-4, rtol=0)
