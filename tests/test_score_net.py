"""Tests for helpers.score_net: the backward pass equals finite differences, the shapes, the
1/sigma output scaling, a known Gaussian answer, and the mixture result of issue 19 (annealed
Langevin with the learned score finds the 80/20 weights that plain Langevin with the exact
score misses)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy.special import expit

from helpers import optim
from helpers.langevin import annealed_langevin, geometric_sigmas, langevin
from helpers.mixture import mixture_sample
from helpers.score_net import (
    ScoreNet,
    adam_step,
    backward,
    dsm_loss_and_grad,
    dsm_loss_per_sigma,
    fit_score_net,
    forward,
    init_params,
)
from helpers.scores import mixture_score_nd

# --- helpers for the tests ------------------------------------------------------------------


def random_params(layer_sizes, seed=0):
    """init_params with every layer random (the last one starts at zero, which would make the
    hidden layers' gradients zero and their finite-difference check empty)."""
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng=rng)
    last = len(params) // 2
    params[f"W{last}"] = rng.standard_normal(params[f"W{last}"].shape) / 2
    for i in range(1, last + 1):
        params[f"b{i}"] = 0.3 * rng.standard_normal(params[f"b{i}"].shape)
    return params


def straight_line_score(params, x, sigma, center=0.0, scale=1.0):
    """The model written out for two hidden layers, with no loop and no cache."""
    sigma = np.broadcast_to(np.asarray(sigma, float).reshape(-1, 1), (x.shape[0], 1))
    h0 = np.column_stack([(x - center) / np.sqrt(scale**2 + sigma**2), np.log(sigma)])
    a1 = h0 @ params["W1"] + params["b1"]
    h1 = a1 * expit(a1)
    a2 = h1 @ params["W2"] + params["b2"]
    h2 = a2 * expit(a2)
    return (h2 @ params["W3"] + params["b3"]) / sigma


def central_differences(fn, params, h=1e-5):
    """d fn / d params[k][idx] for every entry of every parameter, by central differences."""
    fd = {}
    for key, value in params.items():
        fd[key] = np.empty_like(value)
        for idx in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[key][idx] += h
            down[key][idx] -= h
            fd[key][idx] = (fn(up) - fn(down)) / (2 * h)
    return fd


def max_relative_error(grads, fd):
    return max(
        float(np.max(np.abs(grads[k] - fd[k]) / np.maximum(np.abs(fd[k]), 1e-3))) for k in fd
    )


SIZES = (3, 6, 5, 2)  # 2-D points + log sigma, two hidden layers, 2-D score
X5 = np.random.default_rng(1).normal(0.0, 2.0, (5, 2))
SIGMA5 = np.array([0.3, 1.0, 2.0, 5.0, 0.7])


# --- the network ------------------------------------------------------------------------------


def test_init_params_shapes_and_a_zero_last_layer():
    params = init_params((3, 16, 8, 2), rng=0)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (3, 16), "b1": (16,), "W2": (16, 8), "b2": (8,), "W3": (8, 2), "b3": (2,),
    }  # fmt: skip
    assert not params["W3"].any() and not params["b3"].any()
    np.testing.assert_array_equal(init_params((3, 16, 2), rng=5)["W1"],
                                  init_params((3, 16, 2), rng=5)["W1"])  # fmt: skip


def test_forward_is_the_straight_line_formula_with_the_output_divided_by_sigma():
    params = random_params(SIZES)
    center, scale = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    score, _ = forward(params, X5, SIGMA5, center=center, scale=scale)
    expected = straight_line_score(params, X5, SIGMA5, center, scale)
    np.testing.assert_allclose(score, expected, rtol=1e-13)
    # the 1/sigma scaling: a network that ignores log sigma, fed the same rescaled input
    # (scale ~ 0, so the input is x / sigma) at sigma = 0.4 and at sigma = 4, gives a score
    # ten times smaller at the larger sigma
    p0 = {k: v.copy() for k, v in params.items()}
    p0["W1"][2] = 0.0
    big = 4.0
    s_small, _ = forward(p0, X5 * 0.4, 0.4, scale=1e-300)
    s_big, _ = forward(p0, X5 * big, big, scale=1e-300)
    np.testing.assert_allclose(s_big * 10, s_small, rtol=1e-12)


def test_a_scalar_sigma_equals_the_same_sigma_per_row():
    params = random_params(SIZES)
    np.testing.assert_array_equal(forward(params, X5, 0.7)[0], forward(params, X5, [0.7] * 5)[0])


@pytest.mark.parametrize("sizes", [(3, 6, 5, 2), (2, 4, 1), (3, 7, 2)], ids=str)
def test_backward_equals_central_differences_for_every_parameter(sizes):
    params = random_params(sizes, seed=2)
    d = sizes[-1]
    x, weights = X5[:, :d], np.random.default_rng(3).normal(size=(5, d))

    def loss(p):  # a loss with a known gradient w.r.t. the score: sum(weights * s)
        return float(np.sum(weights * forward(p, x, SIGMA5)[0]))

    _, cache = forward(params, x, SIGMA5)
    grads = backward(params, cache, weights)
    fd = central_differences(loss, params)
    assert set(grads) == set(params)
    assert max_relative_error(grads, fd) < 1e-6


def test_dsm_loss_gradient_equals_central_differences():
    params = random_params(SIZES, seed=4)
    center, scale = np.array([0.3, 0.1]), np.array([1.5, 0.8])

    def loss(p):  # the same noise draws every call: rng=7
        return dsm_loss_and_grad(p, X5, SIGMA5, rng=7, center=center, scale=scale)[0]

    value, grads = dsm_loss_and_grad(params, X5, SIGMA5, rng=7, center=center, scale=scale)
    assert value == loss(params)
    assert max_relative_error(grads, central_differences(loss, params)) < 1e-6


def test_dsm_loss_is_the_weighted_formula_and_starts_at_half_the_squared_noise():
    params = random_params(SIZES, seed=5)
    z = np.random.default_rng(8).standard_normal(X5.shape)
    s, _ = forward(params, X5 + SIGMA5[:, None] * z, SIGMA5)
    expected = np.mean(0.5 * SIGMA5**2 * np.sum((s + z / SIGMA5[:, None]) ** 2, axis=1))
    assert dsm_loss_and_grad(params, X5, SIGMA5, rng=8)[0] == pytest.approx(expected, rel=1e-12)
    untrained = init_params(SIZES, rng=0)  # last layer zero: s = 0, the loss is |z|^2 / 2
    assert dsm_loss_and_grad(untrained, X5, SIGMA5, rng=8)[0] == pytest.approx(
        0.5 * np.mean(np.sum(z**2, axis=1)), rel=1e-12
    )


# --- the optimiser ------------------------------------------------------------------------------


def test_adam_step_equals_lesson_03s_adam_on_a_flat_vector():
    """Descent on L with gradient g is lesson 03's ascent on -L with gradient -g."""
    target = np.array([1.0, -2.0, 0.5, 3.0])

    def grad_loss(theta):  # L = sum((theta - target)^2 * [1, 10, 0.1, 1]) / 2
        return (theta - target) * np.array([1.0, 10.0, 0.1, 1.0])

    theta0 = np.zeros(4)
    ref = optim.adam_ascent(lambda th: -grad_loss(th), theta0, lr=0.05, n_steps=60)
    params, state = {"W1": theta0[:3].reshape(3, 1), "b1": theta0[3:]}, None
    for k in range(1, 61):
        flat = np.concatenate([params["W1"].ravel(), params["b1"]])
        g = grad_loss(flat)
        params, state = adam_step(params, {"W1": g[:3].reshape(3, 1), "b1": g[3:]}, state,
                                  lr=0.05)  # fmt: skip
        flat = np.concatenate([params["W1"].ravel(), params["b1"]])
        np.testing.assert_allclose(flat, ref.path[k], rtol=1e-13, atol=1e-15)
    assert state["t"] == 60


def test_adam_step_leaves_its_inputs_alone():
    params = random_params(SIZES)
    before = {k: v.copy() for k, v in params.items()}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    new, _ = adam_step(params, grads, lr=0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_allclose(new[k], before[k] - 0.1, rtol=1e-6)  # first step: lr * sign


# --- the loss per noise scale, and its floor ---------------------------------------------


def test_dsm_loss_per_sigma_at_the_exact_gaussian_score_is_the_closed_form_floor():
    v, d = 2.0, 2
    X = np.random.default_rng(0).normal(0.0, np.sqrt(v), (4000, d))
    sigmas = np.array([3.0, 1.0, 0.3])
    floor = dsm_loss_per_sigma(lambda x, s: -x / (v + s**2), X, sigmas, n_noise=8, rng=1)
    np.testing.assert_allclose(floor, d / 2 * v / (v + sigmas**2), rtol=0.03)


def test_dsm_loss_per_sigma_uses_the_same_noise_for_every_score_function():
    X = np.random.default_rng(0).normal(size=(50, 2))
    a = dsm_loss_per_sigma(lambda x, s: -x, X, [1.0, 0.5], rng=3)
    assert np.array_equal(a, dsm_loss_per_sigma(lambda x, s: -x, X, [1.0, 0.5], rng=3))
    one_d = dsm_loss_per_sigma(lambda x, s: -x, X[:, 0], [1.0], rng=3)
    assert one_d.shape == (1,)


# --- the trained model: shapes, a known answer, the mixture ---------------------------------------


@pytest.fixture(scope="module")
def gaussian_model():
    """Data N(0, I) in 2-D: the exact score at noise sigma is -x / (1 + sigma^2)."""
    X = np.random.default_rng(0).standard_normal((2000, 2))
    sigmas = geometric_sigmas(3.0, 0.3, 6)
    return fit_score_net(X, sigmas, rng=0, n_steps=6000, checkpoints=(0, 100, 6000))


def test_shapes_of_the_learned_score(gaussian_model):
    m = gaussian_model
    x = np.random.default_rng(1).normal(size=(7, 2))
    assert m.score(x, 0.5).shape == (7, 2)
    assert m.score(x[0], 0.5).shape == (2,)
    np.testing.assert_allclose(m.score(x[0], 0.5), m.score(x, 0.5)[0], rtol=1e-13)
    per_row = np.linspace(0.3, 3.0, 7)
    looped = np.array([m.score(x[i], per_row[i]) for i in range(7)])
    np.testing.assert_allclose(m.score(x, per_row), looped, rtol=1e-12)
    with pytest.raises(ValueError, match="x must have shape"):
        m.score(np.zeros(3), 0.5)


def test_one_dimensional_data_may_be_a_1d_array():
    X = np.random.default_rng(0).standard_normal(300)
    m = fit_score_net(X, [2.0, 1.0], rng=0, n_steps=20)
    assert m.n_features_in_ == 1
    x = np.linspace(-2, 2, 5)
    assert m.score(x, 1.0).shape == (5,)
    assert m.score(x[:, None], 1.0).shape == (5, 1)
    np.testing.assert_array_equal(m.score(x, 1.0), m.score(x[:, None], 1.0)[:, 0])
    same = fit_score_net(X[:, None], [2.0, 1.0], rng=0, n_steps=20)
    np.testing.assert_array_equal(same.score(x, 1.0), m.score(x, 1.0))


def test_the_trained_net_learns_the_gaussian_score(gaussian_model):
    m = gaussian_model
    x = np.random.default_rng(2).normal(size=(400, 2))
    for sigma in m.sigmas:
        # in the network's own units, sigma * s (which predicts -z, of RMS sqrt(2)); at small
        # sigma the fit also follows the 2,000-point sample (its KDE score), not only N(0, I)
        err = sigma * np.sqrt(np.mean((m.score(x, sigma) + x / (1 + sigma**2)) ** 2))
        assert err < 0.08, f"RMS error of sigma * s: {err:.3f} at sigma = {sigma:.2f}"


def test_loss_history_and_checkpoints(gaussian_model):
    m = gaussian_model
    assert m.loss_history_.shape == (6000,)
    assert sorted(m.checkpoints_) == [0, 100, 6000]
    untrained = m.at_step(0)
    assert not np.any(untrained.score(np.ones((3, 2)), 1.0))  # s = 0 before training
    assert untrained.loss_history_.size == 0 and m.at_step(100).loss_history_.size == 100
    for k, v in m.params_.items():
        np.testing.assert_array_equal(m.at_step(6000).params_[k], v)
    # the first batch's loss is |z|^2 / 2 averaged over 64 rows: 1 = d/2, give or take 0.125
    assert abs(m.loss_history_[0] - 1.0) < 0.4
    # and ends at the floor, averaged over the levels: (d/2) v / (v + sigma^2) with v = 1
    floor = np.mean(1 / (1 + m.sigmas**2))
    assert abs(m.loss_history_[-1000:].mean() - floor) < 0.03
    with pytest.raises(ValueError, match="step 50 was not stored"):
        m.at_step(50)


W_MIX, M_MIX = np.array([0.8, 0.2]), np.array([[5.0, 5.0], [-5.0, -5.0]])
C_MIX = np.stack([np.eye(2)] * 2)
SIGMAS_MIX = geometric_sigmas(20.0, 1.0, 10)


def exact_mixture_score(x, sigma):
    return mixture_score_nd(x, W_MIX, M_MIX, C_MIX + sigma**2 * np.eye(2))


@pytest.fixture(scope="module")
def mixture_fit():
    """Issue 19's measurement: defaults, 2,000 draws of 0.8 N((5,5), I) + 0.2 N((-5,-5), I)."""
    X, _ = mixture_sample(2000, W_MIX, M_MIX, C_MIX, rng=0)
    t_cpu = time.process_time()
    model = fit_score_net(X, SIGMAS_MIX, rng=0)
    return X, model, time.process_time() - t_cpu


def test_annealed_langevin_with_the_learned_score_finds_the_mode_weights(mixture_fit):
    _, model, _ = mixture_fit
    x0 = np.random.default_rng(100).uniform(-8, 8, (2000, 2))
    x = annealed_langevin(model.score, x0, sigmas=model.sigmas, step_size=0.1,
                          n_steps_per_level=100, rng=200)  # fmt: skip
    heavy = float(np.mean(x.sum(axis=1) > 0))
    assert abs(heavy - 0.8) < 0.05, heavy


def test_plain_langevin_with_the_exact_score_keeps_the_starts_split():
    """Lesson 06: without annealing, each chain stays in the basin it starts in (about half)."""
    x0 = np.random.default_rng(100).uniform(-8, 8, (2000, 2))
    x = langevin(lambda x: exact_mixture_score(x, 0.0), x0, step_size=0.1, n_steps=1000, rng=200)
    heavy = float(np.mean(x.sum(axis=1) > 0))
    assert abs(heavy - 0.5) < 0.05, heavy


def test_learned_loss_is_close_to_the_floor_at_every_sigma(mixture_fit):
    X, model, _ = mixture_fit
    learned = dsm_loss_per_sigma(model.score, X, model.sigmas, n_noise=8, rng=1)
    floor = dsm_loss_per_sigma(exact_mixture_score, X, model.sigmas, n_noise=8, rng=1)
    # same noise draws: the gap is the model's, not Monte Carlo's
    assert np.all(learned - floor > -0.002), learned - floor
    assert np.all(learned - floor < 0.02), learned - floor


def test_training_the_defaults_takes_under_30_seconds(mixture_fit):
    """CPU time (all threads) of the defaults on 2,000 2-D points; measured 3-6 s. CPU time
    rather than wall time: other processes on a busy machine stretch the latter, not the former."""
    _, _, cpu_seconds = mixture_fit
    assert cpu_seconds < 30.0


# --- bad input: the shared parametrized checks (tests/bad_input.py) ----------------------

_P = init_params((3, 4, 2), rng=0)
_CACHE = forward(_P, [[0.0, 1.0]], 1.0)[1]
_X = [[0.0, 1.0], [2.0, 0.5], [1.0, 1.0]]
_BROKEN = {"W1": np.ones((3, 4)), "b1": np.ones(4), "W2": np.ones((5, 2)), "b2": np.ones(2)}
_MODEL = fit_score_net(_X, [2.0, 1.0], rng=0, n_steps=2, checkpoints=[1])
BAD_PARAMS = [{}, [1.0], _BROKEN, {"W1": np.ones((3, 4)), "c1": np.ones(4)}]

BAD_INPUT = [
    *cases(init_params, {"layer_sizes": (3, 4, 2), "rng": 0}, {"layer_sizes": "count"},
           extra={"layer_sizes": [(3,), (3, 0, 2), (3, 1.5, 2), "abc"]}),
    *cases(forward, {"params": _P, "x": _X, "sigma": 1.0, "center": 0.0, "scale": 1.0},
           {"x": "sample2d", "sigma": "scale", "center": "location", "scale": "scale",
            "params": "count"},
           extra={"params": BAD_PARAMS, "x": [[[[1.0, 2.0]]], [[1.0, 2.0, 3.0]]],
                  "sigma": [[1.0, 2.0]]}),
    *cases(backward, {"params": _P, "cache": _CACHE, "grad_score": [[1.0, 1.0]]},
           {"grad_score": "sample2d", "params": "count"},
           extra={"params": BAD_PARAMS, "grad_score": [[[1.0, 1.0, 1.0]]]}),
    *cases(dsm_loss_and_grad, {"params": _P, "x_batch": _X, "sigma_batch": [1.0, 2.0, 0.5],
                               "rng": 0},
           {"x_batch": "sample2d", "sigma_batch": "scale", "params": "count"},
           extra={"params": BAD_PARAMS, "sigma_batch": [[1.0, 2.0]]}),
    *cases(dsm_loss_per_sigma, {"score_fn": lambda x, s: -x, "X": _X, "sigmas": [2.0, 1.0],
                                "n_noise": 2, "rng": 0},
           {"X": "array", "sigmas": "scale", "n_noise": "count", "score_fn": "count"},
           extra={"X": [[], [[1.0, np.inf]], [[[1.0]]]], "sigmas": [[[1.0]]],
                  "score_fn": [lambda x, s: x[:1]]}),
    *cases(adam_step, {"params": _P, "grads": _P, "lr": 0.1, "beta1": 0.9, "beta2": 0.999,
                       "eps": 1e-8},
           {"lr": "scale", "beta1": "probability", "beta2": "probability", "eps": "scale",
            "params": "count", "grads": "count"},
           extra={"beta1": [1.0], "beta2": [1.0], "params": BAD_PARAMS,
                  "grads": [{}, {"W1": 1.0}]}),
    *cases(fit_score_net, {"X": _X, "sigmas": [2.0, 1.0], "rng": 0, "n_steps": 2,
                           "batch_size": 2, "lr": 1e-3, "lr_decay": 0.0,
                           "hidden_sizes": (4,), "checkpoints": (0, 2)},
           {"X": "array", "sigmas": "scale", "n_steps": "count", "batch_size": "count",
            "lr": "scale", "lr_decay": "location", "hidden_sizes": "count",
            "checkpoints": "count"},
           extra={"X": [[], [[1.0, np.inf]], [[[1.0]]]],
                  "sigmas": [[1.0, 2.0], [2.0, 2.0], [[2.0, 1.0]]],
                  "lr_decay": [-1.0], "hidden_sizes": [(0,), (), "abc"],
                  "checkpoints": [[-1], [3], [1.5]]}),
    *cases(lambda x, sigma: _MODEL.score(x, sigma), {"x": _X, "sigma": 1.0},
           {"x": "sample2d", "sigma": "scale"}, covers="helpers.score_net.ScoreNet",
           extra={"x": [[1.0, 2.0, 3.0]], "sigma": [[1.0, 2.0]]}),
    *cases(lambda step: _MODEL.at_step(step), {"step": 1}, {"step": "count"},
           covers="helpers.score_net.ScoreNet.at_step", extra={"step": [2]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_score_net_is_a_frozen_record():
    assert isinstance(_MODEL, ScoreNet)
    with pytest.raises(AttributeError):
        _MODEL.sigmas = np.array([1.0])
