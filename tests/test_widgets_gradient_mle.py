"""Notebook 03's explorers (helpers.widgets.gradient_mle), driven the way a student drives them."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, beyond_the_ends, set_controls, slider_ends

from helpers import optim
from helpers.gradients import minibatch_grad_cov, mvn_loglik
from helpers.widgets.gradient_mle import (
    batch_size_explorer,
    learning_rate_explorer,
    optimizer_explorer,
)

N, SIGMA2 = 10_000, 5.0
LIMIT = 2 * SIGMA2 / N  # 1e-3


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(0)
    return rng.multivariate_normal([1.0, 1.0], SIGMA2 * np.eye(2), size=N), SIGMA2 * np.eye(2)


@pytest.fixture(scope="module")
def aniso():
    rng = np.random.default_rng(1)
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    R = np.array([[c, -s], [s, c]])
    cov = R @ np.diag([25.0, 1.0]) @ R.T
    return rng.multivariate_normal([1.0, 1.0], cov, size=N), cov


@pytest.fixture(scope="module")
def lr_ex(source):
    return learning_rate_explorer(*source)


@pytest.fixture(scope="module")
def opt_ex(aniso):
    return optimizer_explorer(*aniso)


@pytest.fixture(scope="module")
def bs_ex(source):
    return batch_size_explorer(*source)


def _clean(ex):
    assert_clean(ex)
    assert len(ex.readout_text.splitlines()) == 3


# --- the learning-rate explorer ------------------------------------------------------------------


def test_lr_explorer_default_oscillates_and_converges(lr_ex):
    _clean(lr_ex)
    r = lr_ex.result
    assert r["limit"] == pytest.approx(LIMIT, rel=1e-12)
    assert -1 < r["factor"] < 0  # overshoots, converges
    assert r["success"] and r["distance"] < 1e-3


@pytest.mark.parametrize("lr", [1e-4, 3e-4, 5e-4, 8e-4, 9.5e-4])
def test_below_the_limit_the_final_iterate_is_within_1e_3_of_the_sample_mean(lr_ex, source, lr):
    X, _ = source
    lr_ex.controls["objective"].value = "sum"
    lr_ex.controls["n_steps"].value = 100
    lr_ex.controls["lr"].value = lr
    r = lr_ex.result
    lr = lr_ex.controls["lr"].value  # snapped to the slider's step
    assert r["success"] and np.linalg.norm(r["x"] - X.mean(axis=0)) < 1e-3
    assert r["factor"] == pytest.approx(1 - lr * N / SIGMA2, rel=1e-9)
    gap = mvn_loglik(X, X.mean(axis=0), SIGMA2 * np.eye(2)) - mvn_loglik(
        X, r["x"], SIGMA2 * np.eye(2)
    )
    assert r["gap"] == pytest.approx(gap, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("lr", [1.2e-3, 2e-3, 1e-2, 1.0, 100.0])
def test_above_the_limit_divergence_is_reported_on_the_figure(lr_ex, lr):
    lr_ex.controls["objective"].value = "sum"
    lr_ex.controls["n_steps"].value = 100
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lr_ex.controls["lr"].value = lr
    assert not caught
    r = lr_ex.result
    assert not r["success"] and r["diverged_at"] >= 1
    figure_texts = [t.get_text() for t in lr_ex.figure.axes[0].texts if t.get_visible()]
    want = f"diverged at step {r['diverged_at']}: lr > 2σ²/n = 0.001"
    assert want in figure_texts
    assert want in lr_ex.readout_text


def test_lr_at_the_limit_bounces_forever(lr_ex, source):
    X, _ = source
    lr_ex.controls["objective"].value = "sum"
    lr_ex.controls["lr"].value = 1e-3
    r = lr_ex.result
    assert r["factor"] == pytest.approx(-1.0, abs=1e-9) and r["success"]
    d0 = np.linalg.norm(np.array([-1.0, -1.0]) - X.mean(axis=0))
    assert r["distance"] == pytest.approx(d0, rel=1e-6)  # never closer, never farther
    # the readout and the figure's message agree: neither growth nor convergence
    assert "stays the same size" in lr_ex.readout_text and "grows" not in lr_ex.readout_text
    shown = [t.get_text() for t in lr_ex.figure.axes[0].texts if t.get_visible()]
    assert any("bounces forever" in t for t in shown)


def test_best_lr_reaches_the_mean_in_one_step(source):
    X, cov = source
    ex = learning_rate_explorer(X, cov, lr=SIGMA2 / N, n_steps=1)
    assert ex.result["distance"] < 1e-12 * N


def test_the_mean_objective_needs_an_n_times_larger_lr(lr_ex):
    lr_ex.controls["n_steps"].value = 100
    lr_ex.controls["lr"].value = 5e-4
    lr_ex.controls["objective"].value = "mean"
    crawl = lr_ex.result
    assert crawl["limit"] == pytest.approx(2 * SIGMA2) and crawl["distance"] > 2.8
    lr_ex.controls["lr"].value = 5.0  # sigma^2: one step to the peak
    assert lr_ex.result["distance"] < 1e-8
    lr_ex.controls["lr"].value = 20.0
    assert not lr_ex.result["success"] and "lr > 2σ² = 10" in lr_ex.readout_text
    lr_ex.controls["objective"].value = "sum"


# --- the optimiser explorer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "lr", "beta"),
    [("gradient", 1.9e-4, 0.9), ("momentum", 2e-4, 0.5), ("nesterov", 1e-4, 0.9),
     ("adam", 0.1, 0.9)],
)  # fmt: skip
def test_every_optimiser_converges_below_its_limit(opt_ex, aniso, method, lr, beta):
    X, _ = aniso
    opt_ex.controls["method"].value = method
    opt_ex.controls["lr"].value = lr
    opt_ex.controls["beta"].value = beta
    _clean(opt_ex)
    r = opt_ex.result
    assert r["success"] and r["steps_to_tol"] is not None
    assert np.linalg.norm(r["x"] - X.mean(axis=0)) < 1e-2


def test_momentum_limit_is_2_plus_2_beta_over_lambda_max(opt_ex, aniso):
    _, cov = aniso
    lam_max = np.linalg.eigvalsh(N * np.linalg.inv(cov))[-1]
    opt_ex.controls["method"].value = "momentum"
    opt_ex.controls["beta"].value = 0.5
    assert opt_ex.result["limit"] == pytest.approx(3.0 / lam_max, rel=1e-9)
    opt_ex.controls["lr"].value = 1.2 * 3.0 / lam_max
    assert not opt_ex.result["success"]
    assert f"diverged at step {opt_ex.result['diverged_at']}" in opt_ex.readout_text


def test_plain_gradient_needs_about_the_predicted_number_of_steps(opt_ex, aniso):
    X, cov = aniso
    lam = np.linalg.eigvalsh(N * np.linalg.inv(cov))
    kappa = lam[-1] / lam[0]
    r = opt_ex.result
    d0 = np.linalg.norm(np.array([-1.0, -1.0]) - X.mean(axis=0))
    predicted = np.log(1e-3 / d0) / np.log((kappa - 1) / (kappa + 1))
    assert r["gd_best_steps"] == pytest.approx(predicted, rel=0.15)
    assert r["scipy_nit"] < 10


# --- the batch-size explorer ---------------------------------------------------------------------


def test_full_batch_is_plain_gradient_ascent_with_no_spread(bs_ex, source):
    X, cov = source
    bs_ex.controls["batch_size"].value = N
    bs_ex.controls["lr"].value = 1e-4
    r = bs_ex.result
    ga = optim.gradient_ascent(lambda m: N * np.linalg.solve(cov, X.mean(axis=0) - m),
                               [-1.0, -1.0], lr=1e-4, n_steps=100)  # fmt: skip
    np.testing.assert_allclose(r["x"], ga.x, rtol=1e-9)
    assert r["spread_predicted"] == 0.0 and r["spread_measured"] < 1e-12


@pytest.mark.parametrize("k", [1, 10, 100, 1000])
def test_measured_spread_matches_theory(bs_ex, source, k):
    X, cov = source
    bs_ex.controls["schedule"].value = "constant"
    bs_ex.controls["batch_size"].value = k
    bs_ex.controls["lr"].value = 1e-4
    r = bs_ex.result
    assert r["batch_size"] == k
    assert r["spread_measured"] == pytest.approx(r["spread_predicted"], rel=0.15)
    # and the stationary formula: var = lr q / (h (2 - lr h)) per coordinate, q from the batch noise
    h = N / SIGMA2
    q = np.trace(minibatch_grad_cov(X, cov, k)) / 2
    stationary = np.sqrt(1e-4 * q / (h * (2 - 1e-4 * h)))
    assert r["spread_predicted"] == pytest.approx(stationary, rel=1e-6)


def test_spread_grows_with_lr_and_shrinks_with_k_and_with_decay(bs_ex):
    bs_ex.controls["schedule"].value = "constant"
    spreads = {}
    for k, lr in [(10, 1e-4), (100, 1e-4), (10, 1e-5 * 10**0.0)]:
        bs_ex.controls["batch_size"].value = k
        bs_ex.controls["lr"].value = lr
        spreads[k, lr] = bs_ex.result["spread_predicted"]
    assert spreads[100, 1e-4] == pytest.approx(spreads[10, 1e-4] / np.sqrt(10), rel=0.01)
    bs_ex.controls["batch_size"].value = 10
    bs_ex.controls["lr"].value = 1e-4
    constant = bs_ex.result["spread_measured"]
    bs_ex.controls["schedule"].value = "decay"
    decayed = bs_ex.result["spread_measured"]
    assert decayed < constant / 2
    bs_ex.controls["schedule"].value = "constant"


def test_batch_ll_estimate_is_unbiased_over_seeds(bs_ex):
    bs_ex.controls["batch_size"].value = 10
    bs_ex.controls["lr"].value = 1e-4
    diffs = []
    for seed in range(21):
        bs_ex.controls["seed"].value = seed
        diffs.append(bs_ex.result["loglik_batch"] - bs_ex.result["loglik_full"])
    # per point, a batch of 10 has sd about sqrt(1/10) ~ 0.32 nats; 21 seeds: se ~ 0.07
    assert abs(np.mean(diffs)) < 0.25
    bs_ex.controls["seed"].value = 0


def test_batch_explorer_above_the_limit_reports_divergence(bs_ex):
    bs_ex.controls["lr"].value = 10**-2.5
    r = bs_ex.result
    assert not r["success"]
    assert "diverged at step" in bs_ex.readout_text and "lr > 2σ²/n = 0.001" in bs_ex.readout_text
    bs_ex.controls["lr"].value = 1e-4


def test_batch_explorer_window_holds_the_k1_cloud_and_stays_fixed(bs_ex):
    ax = bs_ex.figure.axes[0]
    limits = (ax.get_xlim(), ax.get_ylim())
    bs_ex.controls["batch_size"].value = 1
    r = bs_ex.result
    (lo, hi), _ = limits
    # the 2-sd ellipse around the cloud's centre fits in the fixed window (3 sd of room)
    assert r["success"] and r["spread_predicted"] > 0.7
    assert lo < r["x"].min() and r["x"].max() < hi
    assert np.all(np.abs(np.array([lo, hi]) - 1.0) > 3 * r["spread_predicted"])
    assert (ax.get_xlim(), ax.get_ylim()) == limits  # no rescaling while sliders move
    bs_ex.controls["batch_size"].value = 10


# --- every slider at both ends, warnings recorded ------------------------------------------------


@pytest.mark.parametrize("which", ["lr", "opt", "bs"])
def test_every_control_at_both_ends_is_readable_and_warns_nothing(which, lr_ex, opt_ex, bs_ex):
    ex = {"lr": lr_ex, "opt": opt_ex, "bs": bs_ex}[which]
    start = ex.values
    for name, control in ex.controls.items():
        for value in slider_ends(control):
            assert set_controls(ex, **{name: value}) == [], (name, value)
            _clean(ex)
            numbers = [v for v in ex.result.values() if isinstance(v, float)]
            assert all(math.isfinite(v) or math.isnan(v) for v in numbers)
            assert "nan" not in ex.readout_text.lower().replace("nats", "")
        control.value = start[name]


@pytest.mark.parametrize("which", ["lr", "opt", "bs"])
def test_every_slider_move_changes_picture_and_readout(which, source, aniso):
    """What the browser journey needs: from the defaults, each step of any slider redraws
    the picture and rewrites the readout (six steps right, as the journey presses keys)."""
    make = {"lr": learning_rate_explorer, "opt": optimizer_explorer, "bs": batch_size_explorer}
    ex = make[which](*(aniso if which == "opt" else source))
    for control in ex.controls.values():
        if not hasattr(control, "step"):
            continue
        for _ in range(6):
            png, text = bytes(ex.image.value), ex.readout_text
            if hasattr(control, "base"):
                control.value = control.base ** (np.log10(control.value) + control.step)
            else:
                control.value = control.value + control.step
            assert bytes(ex.image.value) != png, (control.description, control.value)
            assert ex.readout_text != text, (control.description, control.value)


# --- bad input ------------------------------------------------------------------------------------

_X = np.random.default_rng(0).normal(size=(50, 2))
_V = {"X": _X, "cov": np.eye(2), "theta0": [-1.0, -1.0]}
_K = {"X": "sample2d", "cov": "array", "theta0": "location"}
_EXTRA = {"theta0": [[1.0, 2.0, 3.0]], "cov": [[[1.0, 2.0], [2.0, 1.0]]]}

_LR = {**_V, "lr": 1e-3, "n_steps": 30}
_OPT = {**_V, "method": "adam", "lr": 1e-2, "beta": 0.8, "n_steps": 50, "tol": 1e-3}
_BATCH = {**_V, "batch_size": 10, "lr": 1e-4, "seed": 0, "n_steps": 20, "n_runs": 10, "decay": 0.05}
BAD_INPUT = [
    *cases(learning_rate_explorer, _LR, {**_K, "lr": "scale", "n_steps": "count"},
           extra={**_EXTRA, "n_steps": [101]}),
    *beyond_the_ends(learning_rate_explorer, _LR),
    *cases(optimizer_explorer, _OPT,
           {**_K, "method": "choice", "lr": "scale", "beta": "number", "n_steps": "count",
            "tol": "scale"},
           extra={**_EXTRA, "beta": [1.0, -0.1], "n_steps": [10_001]}),
    *beyond_the_ends(optimizer_explorer, _OPT),
    *cases(batch_size_explorer, _BATCH,
           {**_K, "batch_size": "scale", "lr": "scale", "seed": "seed", "n_steps": "count",
            "n_runs": "count", "decay": "number"},
           extra={**_EXTRA, "batch_size": [51, 1.5], "seed": [21], "n_steps": [10_001],
                  "n_runs": [10_001], "decay": [-0.1]}),
    *beyond_the_ends(batch_size_explorer, _BATCH),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize("k", [100, 9000])
def test_real_batches_have_the_right_mean_and_spread(source, k):
    """At lr = sigma^2 / n each iterate is the mean of that step's batch: a window on the
    batches themselves (k > n/2 are drawn as the complement of n - k points)."""
    X, cov = source
    ex = batch_size_explorer(X, cov, batch_size=k, lr=SIGMA2 / N)
    means = ex.result["path"][1:]
    c = np.cov(X.T, bias=True)
    expected_var = np.diag(c) / k * (N - k) / (N - 1)
    se = np.sqrt(expected_var / len(means))
    assert np.all(np.abs(means.mean(axis=0) - X.mean(axis=0)) < 4 * se)
    # pooled over both coordinates: 200 draws, a standard error of about 10 %
    assert means.var(axis=0).mean() == pytest.approx(expected_var.mean(), rel=0.3)


@pytest.mark.parametrize("k", [2000, 5623])
def test_large_batches_drawn_by_mask_have_the_right_spread(source, k):
    X, cov = source
    ex = batch_size_explorer(X, cov, batch_size=k, lr=SIGMA2 / N)
    means = ex.result["path"][1:]
    expected_var = np.diag(np.cov(X.T, bias=True)) / k * (N - k) / (N - 1)
    # pooled over both coordinates: 200 draws, a standard error of about 10 %
    assert means.var(axis=0).mean() == pytest.approx(expected_var.mean(), rel=0.3)


def test_optimizer_defaults_beat_plain_gradient_and_the_tuning_is_faster(aniso):
    ex = optimizer_explorer(*aniso)
    r = ex.result
    assert r["method"] == "momentum" and r["steps_to_tol"] < r["gd_best_steps"]
    ex.controls["beta"].value = 0.5
    ex.controls["lr"].value = 10**-3.6  # two notches up, about 2.5e-4
    assert ex.result["steps_to_tol"] <= 30


def _reference_sgd_path(X, cov, seed, k, lr, n_steps=100, theta0=(-1.0, -1.0)):
    """The seeded run written plainly: every batch drawn up front (indices for a small
    subset, the m smallest of n uniform keys otherwise, a complement when k > n/2)."""
    n, prec, rng = len(X), np.linalg.inv(cov), np.random.default_rng(seed)
    m = min(k, n - k)
    if m <= n // 10:
        idx = np.stack([rng.choice(n, m, replace=False, shuffle=False) for _ in range(n_steps)])
        picked = X[idx].sum(axis=1)
    else:
        keys = rng.random((n_steps, n))
        picked = (keys <= np.partition(keys, m - 1, axis=1)[:, m - 1 : m]) @ X
    sums = picked if m == k else X.sum(axis=0) - picked
    path = [np.asarray(theta0, dtype=float)]
    for t in range(n_steps):
        path.append(path[-1] + lr * (n / k) * prec @ (sums[t] - k * path[-1]))
    return np.array(path)


@pytest.mark.parametrize("k", [37, 900, 5623, 9990])
def test_seeded_path_uses_real_batches_drawn_in_step_order(bs_ex, source, k):
    """The explorer draws batches a chunk at a time, as the path needs them; the path is
    the same as with every batch drawn up front."""
    bs_ex.controls["schedule"].value = "constant"
    assert set_controls(bs_ex, batch_size=k, lr=1e-4, seed=3) == []
    path = bs_ex.result["path"]
    np.testing.assert_allclose(path, _reference_sgd_path(*source, seed=3, k=k, lr=1e-4),
                               rtol=1e-12, atol=1e-12)  # fmt: skip
