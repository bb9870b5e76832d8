"""Notebook 05's explorers (helpers.widgets.gmm_em), driven the way a student drives them."""

from __future__ import annotations

import time

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, beyond_the_ends, set_controls, slider_end

from helpers.data import load_old_faithful
from helpers.kde import kde_loo_loglik, scott_bandwidth
from helpers.mixture import covariance_ellipse, em, mixture_logpdf
from helpers.widgets.gmm_em import em_explorer, em_start, kde_explorer


@pytest.fixture(scope="module")
def X():
    raw = load_old_faithful().to_numpy()
    return (raw - raw.mean(0)) / raw.std(0)


@pytest.fixture(scope="module")
def explorer(X):
    return em_explorer(X)


@pytest.fixture(scope="module")
def waiting():
    w = load_old_faithful()["waiting"].to_numpy()
    return w + np.random.default_rng(0).uniform(-0.5, 0.5, w.size)


@pytest.fixture(scope="module")
def kde_ex(waiting):
    return kde_explorer(waiting, name="waiting", unit="min")


def test_iteration_shows_the_stored_fit_and_its_loglik(explorer, X):
    ex = explorer
    ex.controls["n_components"].value, ex.controls["seed"].value = 2, 0
    fit = em(X, *em_start(X, 2, 0), tol=1e-6, max_iter=100, keep_path=True)
    for t in (0, 1, 5, fit.n_iter):
        ex.controls["iteration"].value = t
        r = ex.result
        assert ex.error is None and r["iteration"] == t
        np.testing.assert_allclose(r["means"], fit.path[t][1], rtol=1e-12)
        want = mixture_logpdf(X, *fit.path[t]).mean()
        assert r["loglik"] == pytest.approx(want, rel=1e-10)


def test_loglik_never_decreases_along_the_slider(explorer):
    ex = explorer
    ex.controls["n_components"].value, ex.controls["seed"].value = 3, 4
    values = []
    for t in range(0, 40, 3):
        ex.controls["iteration"].value = t
        values.append(ex.result["loglik"])
    assert np.all(np.diff(values) >= -1e-12)


def test_different_starts_reach_different_optima(explorer):
    ex = explorer
    ex.controls["n_components"].value = 3
    ex.controls["iteration"].value = 100
    finals = set()
    for seed in range(5):
        ex.controls["seed"].value = seed
        finals.add(round(ex.result["final_loglik"], 3))
    assert len(finals) >= 2


def test_past_the_end_shows_the_last_iterate(explorer):
    ex = explorer
    ex.controls["n_components"].value, ex.controls["seed"].value = 1, 0
    ex.controls["iteration"].value = 100
    assert ex.result["iteration"] == ex.result["n_iter"] < 100 and ex.result["converged"]


@pytest.mark.parametrize("name", ["iteration", "n_components", "seed"])
@pytest.mark.parametrize("end", ["min", "max"])
def test_every_slider_end_is_clean(explorer, name, end):
    assert set_controls(explorer, **{name: slider_end(explorer.controls[name], end)}) == []
    assert_clean(explorer)


def test_iteration_moves_are_fast_once_cached(explorer):
    ex = explorer
    ex.controls["n_components"].value, ex.controls["seed"].value = 2, 0
    times = []
    for t in range(1, 12):
        start = time.perf_counter()
        ex.controls["iteration"].value = t
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.5  # generous: the machine may be shared; ~30 ms when idle


def test_kde_explorer_follows_the_loo_likelihood(kde_ex, waiting):
    c = kde_ex.controls["bandwidth"]
    for h in (0.5, 2.0, 6.0):
        c.value = h
        r = kde_ex.result
        assert r["loo_loglik"] == pytest.approx(
            kde_loo_loglik(waiting, r["bandwidth"])[0], rel=1e-12
        )
    assert kde_ex.result["scott"] == pytest.approx(scott_bandwidth(waiting))
    assert 1.5 < kde_ex.result["best_bandwidth"] < 3.5


@pytest.mark.parametrize("end", ["min", "max"])
def test_kde_slider_ends_are_clean(kde_ex, end):
    assert set_controls(kde_ex, bandwidth=slider_end(kde_ex.controls["bandwidth"], end)) == []
    assert_clean(kde_ex)
    assert np.isfinite(kde_ex.result["loo_loglik"])


def test_kde_explorer_with_a_mixture(waiting):
    ex = kde_explorer(waiting, mixture=([0.36, 0.64], [54.6, 80.1], [34.0, 34.0]))
    assert ex.error is None


def test_em_start_is_documented_start(X):
    w, m, c = em_start(X, 3, 5)
    idx = np.random.default_rng(5).choice(len(X), 3, replace=False)
    np.testing.assert_array_equal(m, X[idx])
    np.testing.assert_allclose(c[0], np.cov(X.T, bias=True))
    np.testing.assert_allclose(w, 1 / 3)


def test_covariance_ellipse_is_at_the_right_mahalanobis_radius():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    pts = covariance_ellipse([1.0, -1.0], cov, n_std=2.0) - [1.0, -1.0]
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", pts, np.linalg.inv(cov), pts), 4.0)


def test_covariance_ellipse_of_k_components_is_each_ones_ellipse():
    means = np.array([[1.0, -1.0], [0.0, 2.0], [-3.0, 0.5]])
    covs = np.array([[[2.0, 0.5], [0.5, 1.0]], np.eye(2), [[0.3, -0.1], [-0.1, 0.2]]])
    stacked = covariance_ellipse(means, covs, n_std=1.5, n_points=40)
    assert stacked.shape == (3, 40, 2)
    for k in range(3):
        one = covariance_ellipse(means[k], covs[k], n_std=1.5, n_points=40)
        np.testing.assert_allclose(stacked[k], one, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="covariance"):
        covariance_ellipse(means, covs[:2])


_X2 = [[0.0, 0.0], [1.0, 0.5], [2.0, 1.0], [0.5, 2.0]]
_EM = {
    "X": _X2,
    "names": ("a", "b"),
    "max_components": 2,
    "max_iter": 3,
    "tol": 1e-6,
    "n_components": 2,
    "seed": 0,
    "iteration": 1,
}
_KDE = {
    "x": [1.0, 2.0, 4.0, 7.0],
    "bandwidth": 1.0,
    "bandwidths": [0.5, 1.0, 2.0],
    "mixture": ([0.5, 0.5], [2.0, 6.0], [1.0, 1.0]),
}
BAD_INPUT = (
    cases(em_explorer, _EM,
          {"X": "array", "names": "labels", "max_components": "count", "max_iter": "count",
           "tol": "scale", "n_components": "count", "seed": "seed", "iteration": "count0"},
          extra={"X": [[1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]]], "max_components": [9],
                 "max_iter": [1001], "n_components": [3], "seed": [21], "iteration": [4],
                 "names": [None, 3]})
    + beyond_the_ends(em_explorer, _EM)
    + cases(kde_explorer, _KDE,
            {"x": "sample", "bandwidth": "scale", "bandwidths": "sample", "mixture": "other"},
            extra={"bandwidth": [0.1, 10.0], "bandwidths": [[-1.0, 1.0], np.ones(10_001)],
                   "mixture": [np.nan, "abc", ([1.0], [2.0]), ([0.5, 0.6], [2.0, 6.0], [1.0, 1.0]),
                               ([0.5, 0.5], [2.0, 6.0], [1.0, -1.0])]})
    + beyond_the_ends(kde_explorer, _KDE)
    + cases(em_start, {"X": _X2, "n_components": 2, "seed": 0},
            {"X": "array", "n_components": "count", "seed": "seed"}, extra={"n_components": [5]})
    + cases(covariance_ellipse,
            {"mean": [0.0, 0.0], "covariance": np.eye(2), "n_std": 1.0, "n_points": 40},
            {"mean": "location", "covariance": "scale", "n_std": "scale", "n_points": "count"},
            extra={"covariance": [[[1.0, 2.0], [2.0, 1.0]]]})
)  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_kde_explorer_uses_the_given_bandwidth_grid(waiting):
    grid = np.geomspace(0.15, 15, 241)
    ex = kde_explorer(waiting, bandwidths=grid)
    best = grid[kde_loo_loglik(waiting, grid).argmax()]
    assert ex.result["best_bandwidth"] == best
    assert ex.controls["bandwidth"].min == pytest.approx(np.log10(0.15))


def test_em_explorer_axis_ends_at_max_iter(X):
    ex = em_explorer(X, max_iter=40)
    assert ex.controls["iteration"].max == 40
    assert ex.figure.axes[1].get_xlim()[1] == pytest.approx(40.8)


def test_drawn_ellipses_are_covariance_ellipse(explorer):
    ex = explorer
    ex.controls["n_components"].value, ex.controls["seed"].value = 3, 2
    ex.controls["iteration"].value = 5
    r = ex.result
    ax = ex.figure.axes[0]
    for k in range(3):
        for radius in (1.0, 2.0):
            want = covariance_ellipse(r["means"][k], r["covariances"][k], n_std=radius)
            drawn = [np.c_[line.get_data()] for line in ax.lines if len(line.get_xdata()) == 100]
            assert any(np.allclose(d, want, rtol=1e-12, atol=1e-12) for d in drawn)


def test_em_explorer_draws_the_data_at_equal_aspect_like_the_lesson():
    from helpers.data import load_old_faithful
    from helpers.widgets.gmm_em import em_explorer

    raw = load_old_faithful().to_numpy()
    ex = em_explorer((raw - raw.mean(0)) / raw.std(0), iteration=8)
    assert ex.figure.axes[0].get_aspect() == 1.0


def test_kde_explorer_says_why_the_loo_is_below_its_window():
    from helpers.widgets.gmm_em import kde_explorer

    x = np.random.default_rng(0).normal(0, 1, 200)
    ex = kde_explorer(x, bandwidths=np.geomspace(0.001, 3, 121))
    ex.controls["bandwidth"].value = ex.controls["bandwidth"].min
    texts = [t.get_text() for t in ex.figure.axes[1].texts]
    assert any("below this window" in t and "narrower than the gaps" in t for t in texts), texts
