"""Tests for helpers.dsm: the closed-form denoising score matching fit is the least-squares
optimum of the DSM objective, and the KDE score is the optimum over all functions."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy.special import logsumexp

from helpers.dsm import LinearScoreModel, dsm_loss, fit_dsm, kde_score, rbf_features
from helpers.scores import mixture_score_nd


@pytest.fixture(scope="module")
def data2d():
    rng = np.random.default_rng(0)
    comp = rng.random(300) < 0.4
    return np.where(comp[:, None], rng.normal([-1.0, -1.0], 0.4, (300, 2)),
                    rng.normal([1.0, 0.8], 0.5, (300, 2)))  # fmt: skip


@pytest.fixture(scope="module")
def centers():
    g = np.linspace(-2.5, 2.5, 7)
    return np.column_stack([c.ravel() for c in np.meshgrid(g, g)])


def test_rbf_features_are_the_formula():
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    C = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, -1.0]])
    phi = rbf_features(X, C, 0.7)
    expected = np.exp(-((X[:, None] - C[None]) ** 2).sum(-1) / (2 * 0.7**2))
    np.testing.assert_allclose(phi, expected, rtol=1e-12, atol=1e-300)
    assert phi.shape == (2, 3) and phi[0, 0] == 1.0


def test_kde_score_is_the_mixture_score_and_the_gradient_of_the_log_kde(data2d):
    rng = np.random.default_rng(1)
    X = rng.normal(0, 1.5, (50, 2))
    s = 0.3
    n = len(data2d)
    mixture = mixture_score_nd(X, np.full(n, 1 / n), data2d, np.tile(s**2 * np.eye(2), (n, 1, 1)))
    np.testing.assert_allclose(kde_score(X, data2d, s), mixture, rtol=1e-8, atol=1e-8)

    def log_kde(Y):
        return logsumexp(-((Y[:, None] - data2d[None]) ** 2).sum(-1) / (2 * s**2), axis=1)

    h = 1e-5
    fd = np.column_stack([(log_kde(X + h * e) - log_kde(X - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(kde_score(X, data2d, s), fd, rtol=1e-5, atol=1e-5)


def test_one_data_point_gives_the_exact_gaussian_score():
    """The Neuromatch unit case: one point at 0, exact score -x / sigma^2."""
    X = np.array([[1.0, -2.0], [0.5, 0.0]])
    np.testing.assert_allclose(kde_score(X, [[0.0, 0.0]], 0.5), -X / 0.25)


def test_kde_score_is_finite_far_away(data2d):
    assert np.isfinite(kde_score([[1e3, -1e3]], data2d, 0.1)).all()


def test_fit_is_the_least_squares_optimum_of_its_dsm_objective(data2d, centers):
    """With the same noise draws, dsm_loss is the training objective; the fit minimises it."""
    sigma, seed = 0.5, 3
    model = fit_dsm(data2d, [sigma], centers=centers, bandwidth=0.4, n_noise=4, alpha=0.0,
                    rng=seed)  # fmt: skip
    best = dsm_loss(lambda x: model(x, sigma), data2d, sigma, n_noise=4, rng=seed)
    rng = np.random.default_rng(9)
    for _ in range(5):
        coef = model.coef_ + 1e-2 * rng.standard_normal(model.coef_.shape)
        nudged = LinearScoreModel(model.sigmas, model.centers, model.bandwidths, model.mean_,
                                  model.covariance_, coef)  # fmt: skip
        assert dsm_loss(lambda x, m=nudged: m(x, sigma), data2d, sigma, n_noise=4, rng=seed) > best


def test_learned_score_approaches_the_kde_score(data2d, centers):
    sigmas = np.array([2.0, 0.8, 0.4])
    model = fit_dsm(data2d, sigmas, centers=centers, bandwidth=0.4, n_noise=8, rng=0)
    rng = np.random.default_rng(5)
    for s, tol in zip(sigmas, [0.01, 0.05, 0.15], strict=True):
        pts = data2d[rng.integers(0, len(data2d), 2000)] + s * rng.standard_normal((2000, 2))
        best = kde_score(pts, data2d, s)
        rel = np.sum((model(pts, s) - best) ** 2) / np.sum(best**2)
        assert rel < tol, (s, rel)
        loss_kde = dsm_loss(lambda x, s=s: kde_score(x, data2d, s), data2d, s, rng=1)
        assert loss_kde <= dsm_loss(lambda x, s=s: model(x, s), data2d, s, rng=1)


def test_far_from_the_data_the_model_points_back(data2d, centers):
    model = fit_dsm(data2d, [1.0, 0.2], centers=centers, bandwidth=0.4, rng=0)
    far = np.array([[8.0, 8.0], [-9.0, 3.0]])
    for s in model.sigmas:
        assert (np.sum(model(far, s) * (far - data2d.mean(0)), axis=1) < 0).all()


def test_model_is_defined_only_at_its_noise_scales(data2d, centers):
    model = fit_dsm(data2d, [1.0, 0.5], centers=centers, bandwidth=0.4, rng=0)
    assert model(data2d[:3], 0.5).shape == (3, 2)
    with pytest.raises(ValueError, match=r"^sigma = 0.7 is not one of the noise scales"):
        model(data2d[:3], 0.7)


_X = [[0.0, 0.0], [1.0, 1.0], [1.0, -1.0]]
_FIT = {"X": _X, "sigmas": [1.0, 0.5], "centers": [[0.0, 0.0]], "bandwidth": 0.5, "n_noise": 2,
        "rng": 0}  # fmt: skip
_MODEL = fit_dsm(**_FIT)

BAD_INPUT = [
    *cases(rbf_features, {"X": _X, "centers": [[0.0, 0.0]], "bandwidth": 0.5},
           {"X": "sample2d", "centers": "location", "bandwidth": "scale"},
           extra={"centers": [[[0.0, 0.0, 0.0]]]}),
    *cases(fit_dsm, _FIT, {"X": "sample2d", "sigmas": "scale", "centers": "location",
                           "bandwidth": "scale", "n_noise": "count"},
           ),
    *cases(dsm_loss, {"score_fn": lambda x: -x, "X": _X, "sigma": 1.0, "n_noise": 2, "rng": 0},
           {"X": "sample2d", "sigma": "scale", "n_noise": "count", "score_fn": "array"},
           extra={"score_fn": [lambda x: x[:1]]}),
    *cases(kde_score, {"X": _X, "data": _X, "sigma": 0.5},
           {"X": "sample2d", "data": "sample2d", "sigma": "scale"},
           extra={"data": [[[1.0, 2.0, 3.0]]]}),
    *cases(lambda X, sigma: _MODEL(X, sigma), {"X": _X, "sigma": 0.5},
           {"X": "sample2d", "sigma": "scale"}, covers="helpers.dsm.LinearScoreModel",
           extra={"sigma": [0.7]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_negative_alpha_is_rejected():
    with pytest.raises(ValueError, match=r"^alpha must be >= 0"):
        fit_dsm(**(_FIT | {"alpha": -1.0}))


@pytest.mark.parametrize("shift", [1e6, -3e7])
def test_kde_score_and_features_are_translation_invariant(shift):
    # The expanded |a|^2 - 2 a.b + |b|^2 cancels far from the origin (as the 2-D KDE did,
    # issue 14 B4): both are computed about the data's mean.
    rng = np.random.default_rng(0)
    data = rng.normal(0, 0.1, (200, 2))
    X = data[:30] + rng.normal(0, 0.02, (30, 2))
    base = kde_score(X, data, 0.02)
    # Only the rounding of the shifted coordinates (ulp 1e-10 at 1e6) may move them.
    tol = 50 * np.spacing(abs(shift)) / 0.02**2
    np.testing.assert_allclose(kde_score(X + shift, data + shift, 0.02), base, atol=tol, rtol=0)
    feats = rbf_features(X + shift, data[:20] + shift, 0.05)
    np.testing.assert_allclose(feats, rbf_features(X, data[:20], 0.05), atol=1e-6, rtol=0)
