"""Tests for helpers.gradients: log-likelihoods equal scipy, gradients equal finite differences,
the mini-batch noise covariance equals its exhaustive enumeration, the SGD spread its recursion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy import stats

from helpers.gradients import (
    SuffStats,
    isotropic_loglik,
    isotropic_loglik_grad,
    minibatch_grad_cov,
    mvn_loglik,
    mvn_loglik_grad,
    sgd_stationary_cov,
    suff_stats,
)

COV = np.array([[4.0, 1.2], [1.2, 1.0]])


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).multivariate_normal([1.0, -0.5], COV, size=500)


def test_suff_stats_match_numpy(X):
    s = suff_stats(X)
    assert s.n == 500
    np.testing.assert_allclose(s.mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s.scatter, 500 * np.cov(X.T, bias=True), rtol=1e-10)
    assert suff_stats(s) is s


@pytest.mark.parametrize("mu", [[1.0, -0.5], [0.0, 0.0], [-3.0, 7.5]])
def test_mvn_loglik_equals_scipy(X, mu):
    ref = stats.multivariate_normal(mu, COV).logpdf(X).sum()
    assert mvn_loglik(X, mu, COV) == pytest.approx(ref, rel=1e-12)
    assert mvn_loglik(suff_stats(X), mu, COV) == pytest.approx(ref, rel=1e-12)


def test_mvn_loglik_is_vectorised_over_mu(X):
    mus = np.random.default_rng(1).normal(size=(4, 3, 2))
    out = mvn_loglik(X, mus, COV)
    assert out.shape == (4, 3)
    ref = [[stats.multivariate_normal(m, COV).logpdf(X).sum() for m in row] for row in mus]
    np.testing.assert_allclose(out, ref, rtol=1e-12)


def test_mvn_gradient_equals_finite_differences_and_the_per_point_sum(X):
    mu = np.array([0.3, 0.2])
    h = 1e-5
    fd = [
        (mvn_loglik(X, mu + h * e, COV) - mvn_loglik(X, mu - h * e, COV)) / (2 * h)
        for e in np.eye(2)
    ]
    g = mvn_loglik_grad(X, mu, COV)
    np.testing.assert_allclose(g, fd, rtol=1e-6)
    np.testing.assert_allclose(g, np.linalg.solve(COV, np.sum(X - mu, axis=0)), rtol=1e-10)
    assert mvn_loglik_grad(X, np.zeros((5, 2)), COV).shape == (5, 2)


def test_mvn_gradient_vanishes_at_the_sample_mean(X):
    np.testing.assert_allclose(mvn_loglik_grad(X, X.mean(axis=0), COV), 0.0, atol=1e-9)


@pytest.mark.parametrize(("mu", "log_sigma"), [([1.0, -0.5], 0.3), ([0.0, 2.0], -0.4)])
def test_isotropic_loglik_equals_scipy(X, mu, log_sigma):
    ref = stats.multivariate_normal(mu, np.exp(2 * log_sigma) * np.eye(2)).logpdf(X).sum()
    assert isotropic_loglik(X, mu, log_sigma) == pytest.approx(ref, rel=1e-12)


def test_isotropic_gradient_equals_finite_differences(X):
    theta = np.array([0.4, 0.1, 0.2])
    h = 1e-6

    def f(th):
        return isotropic_loglik(X, th[:2], th[2])

    fd = [(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(isotropic_loglik_grad(X, theta[:2], theta[2]), fd, rtol=1e-6)


def test_isotropic_gradient_vanishes_at_the_closed_form_mle(X):
    s = suff_stats(X)
    log_sigma_hat = 0.5 * np.log(np.trace(s.scatter) / (s.n * 2))
    g = isotropic_loglik_grad(X, s.mean, log_sigma_hat)
    np.testing.assert_allclose(g, 0.0, atol=1e-8)
    assert isotropic_loglik_grad(X, np.zeros((4, 2)), np.zeros(4)).shape == (4, 3)


def test_minibatch_covariance_equals_the_enumeration_of_every_batch():
    rng = np.random.default_rng(3)
    Xs = rng.normal(size=(7, 2))
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    mu = np.array([0.2, -0.1])
    for k in (1, 3, 7):
        grads = np.array(
            [
                7 / k * np.linalg.solve(cov, np.sum(Xs[list(b)] - mu, axis=0))
                for b in itertools.combinations(range(7), k)
            ]
        )
        exact = np.cov(grads.T, bias=True)  # every batch equally likely
        np.testing.assert_allclose(minibatch_grad_cov(Xs, cov, k), exact, atol=1e-12)
        np.testing.assert_allclose(grads.mean(axis=0), mvn_loglik_grad(Xs, mu, cov), atol=1e-12)


def test_stationary_covariance_solves_its_recursion_and_the_scalar_formula():
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    Q = np.array([[1.0, 0.2], [0.2, 0.5]])
    lr = 0.2
    P = sgd_stationary_cov(H, Q, lr)
    A = np.eye(2) - lr * H
    np.testing.assert_allclose(P, A @ P @ A.T + lr**2 * Q, atol=1e-14)
    h, q = 4.0, 3.0
    assert sgd_stationary_cov([[h]], [[q]], lr)[0, 0] == pytest.approx(lr * q / (h * (2 - lr * h)))


def test_stationary_covariance_refuses_an_unstable_rate():
    with pytest.raises(ValueError, match=r"^lr must be < 2 / lambda_max = 0\.5"):
        sgd_stationary_cov([[4.0]], [[1.0]], 0.6)


def test_suffstats_is_a_named_tuple():
    s = SuffStats(2, np.zeros(2), np.eye(2))
    assert s.n == 2 and mvn_loglik(s, [0.0, 0.0], np.eye(2)) < 0


_X = [[0.0, 1.0], [2.0, 0.5], [1.0, 1.0]]
_COV = [[1.0, 0.0], [0.0, 2.0]]
_BAD_COV = {"cov": [[[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.5], [0.0, 1.0]], [1.0, 1.0]]}

BAD_INPUT = [
    *cases(suff_stats, {"X": _X}, {"X": "sample2d"}),
    *cases(
        mvn_loglik,
        {"X": _X, "mu": [0.0, 0.0], "cov": _COV},
        {"X": "sample2d", "mu": "location", "cov": "array"},
        extra={"mu": [[0.0, 0.0, 0.0], 1.0]} | _BAD_COV,
    ),
    *cases(
        mvn_loglik_grad,
        {"X": _X, "mu": [0.0, 0.0], "cov": _COV},
        {"X": "sample2d", "mu": "location", "cov": "array"},
        extra={"mu": [[0.0]]} | _BAD_COV,
    ),
    *cases(
        isotropic_loglik,
        {"X": _X, "mu": [0.0, 0.0], "log_sigma": 0.0},
        {"X": "sample2d", "mu": "location", "log_sigma": "location"},
    ),
    *cases(
        isotropic_loglik_grad,
        {"X": _X, "mu": [0.0, 0.0], "log_sigma": 0.0},
        {"X": "sample2d", "mu": "location", "log_sigma": "location"},
    ),
    *cases(
        minibatch_grad_cov,
        {"X": _X, "cov": _COV, "batch_size": 2},
        {"X": "sample2d", "cov": "array", "batch_size": "count"},
        extra={"batch_size": [4]} | _BAD_COV,
    ),
    *cases(
        sgd_stationary_cov,
        {"hessian": [[2.0]], "noise_cov": [[1.0]], "lr": 0.1},
        {"hessian": "array", "noise_cov": "array", "lr": "scale"},
        extra={"hessian": [[[-1.0]], [1.0, 2.0]], "noise_cov": [[[1.0, 0.0]]], "lr": [1.0]},
    ),
]


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)
