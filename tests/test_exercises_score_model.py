"""Notebook 07's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from test_exercises import EXERCISES, assert_specific_hint

from helpers.exercises import score_model as ex07
from helpers.exercises.registry import _function_verdict
from helpers.score_net import backward, dsm_loss_and_grad, dsm_loss_per_sigma, forward, init_params

FUNCTIONS = {"07.5": ex07.DENSE_BACKWARD, "07.6": ex07.DSM_BATCH}


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("07.1", 3 * 128 + 2 * 128 * 128 + 128 * 2, "weight matrices only"),
        ("07.1", 2 * 128 + 128 + 2 * (128 * 128 + 128) + 128 * 2 + 2, "log sigma"),
        ("07.1", 3 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2, "three hidden layers"),
        ("07.2", 8 / 3, "1/2"),
        ("07.2", 1.5 * 0.25 / 2.25, "explains"),
        ("07.2", 1.5 * 2 / 2.5, "two variances"),  # sigma for sigma^2
        ("07.2", 1.5 * 1 / 1.25, "two variances"),  # v = 1, the lesson's case
        ("07.2", 0.5 * 2 / 2.25, "three coordinates"),
        ("07.2", 1.5 / 2.25, "units"),
        ("07.3", 2.0, "not sigma_i"),
        ("07.3", 0.1, "barely move"),
        ("07.3", 0.1 / 400, "Upside down"),
        ("07.4", "a", "cancels"),
        ("07.4", "c", "slows"),
        ("07.4", "d", "order one"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys)


def test_expected_values_agree_with_independent_computations():
    # 07.1: 3*128 + 128 + 2 * (128*128 + 128) + 128*2 + 2, counted by hand
    assert EXERCISES["07.1"].expected() == 384 + 128 + 2 * 16512 + 256 + 2 == 33794
    # 07.2: the exact blurred score's loss on many draws is the floor (d/2) v / (v + sigma^2)
    X = np.sqrt(2.0) * np.random.default_rng(0).standard_normal((20_000, 3))  # N(0, 2 I), 3-D
    floor = dsm_loss_per_sigma(lambda x, s: -x / (2 + s**2), X, [0.5], n_noise=4, rng=1)[0]
    assert floor == pytest.approx(EXERCISES["07.2"].expected(), abs=0.01)
    assert EXERCISES["07.2"].expected() == pytest.approx(4 / 3)
    # 07.3: annealed_langevin's schedule eps_i = eps sigma_i^2 / sigma_L^2 (lesson 06)
    assert EXERCISES["07.3"].expected() == pytest.approx(0.1 * 20**2)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_dense_reference_is_the_helpers_backward_for_the_hidden_layer(seed):
    """Through a two-layer net: the first layer's gradients are the dense layer's, fed the
    gradient that the second (linear) layer sends back."""
    rng = np.random.default_rng(seed)
    params = init_params((3, 5, 2), rng=seed)
    params["W2"] = rng.normal(size=(5, 2))
    x, sigma = rng.normal(size=(6, 2)), rng.uniform(0.5, 2, 6)
    _, cache = forward(params, x, sigma)
    g_s = rng.normal(size=(6, 2))
    grads = backward(params, cache, g_s)
    g_out = (g_s / sigma[:, None]) @ params["W2"].T  # dL/d(hidden output)
    dW, db, dh = ex07._dense_reference(cache["inputs"][0], params["W1"], cache["slopes"][0],
                                       g_out)  # fmt: skip
    np.testing.assert_allclose(dW, grads["W1"], rtol=1e-12)
    np.testing.assert_allclose(db, grads["b1"], rtol=1e-12)
    # dL/dh by central differences in h, the layer's input
    h, W, b = cache["inputs"][0], params["W1"], params["b1"]

    def loss(h):
        a = h @ W + b
        return float(np.sum(a / (1 + np.exp(-a)) * g_out))

    eps, num = 1e-6, np.zeros_like(h)
    for idx in np.ndindex(h.shape):
        e = np.zeros_like(h)
        e[idx] = eps
        num[idx] = (loss(h + e) - loss(h - e)) / (2 * eps)
    np.testing.assert_allclose(dh, num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_dsm_reference_is_the_helpers_loss_with_the_same_draws(seed):
    params = init_params((3, 8, 2), rng=seed)
    params["W2"] = np.random.default_rng(seed).normal(size=(8, 2))
    rng = np.random.default_rng(seed + 10)
    x, sigmas = rng.normal(size=(20, 2)), rng.choice([4.0, 2.0, 1.0, 0.5], 20)
    loss, _ = dsm_loss_and_grad(params, x, sigmas, rng=seed + 20)
    z = np.random.default_rng(seed + 20).standard_normal(x.shape)  # the helper's draws
    ref = ex07._dsm_reference(lambda x, s: forward(params, x, s)[0], x, sigmas, z)
    assert ref == pytest.approx(loss, rel=1e-12)


def _dense_backward(h, W, slope, g_out):
    delta = np.einsum("nm,nm->nm", g_out, slope)
    return np.einsum("ni,nm->im", h, delta), delta.sum(0), np.einsum("nm,im->ni", delta, W)


def _dsm_loss(score_fn, x, sigmas, z):
    total = 0.0
    for xi, si, zi in zip(x, sigmas, z, strict=True):
        s = score_fn((xi + si * zi)[None], np.array([si]))[0]
        total += si**2 / 2 * np.sum((s + zi / si) ** 2)
    return total / len(x)


def _dsm_at_clean_x(score_fn, x, sigmas, z):
    s = sigmas[:, None]
    return float(np.mean(s[:, 0] ** 2 / 2 * np.sum((score_fn(x, sigmas) + z / s) ** 2, 1)))


def _dsm_mean_over_coordinates(score_fn, x, sigmas, z):
    s = sigmas[:, None]
    return float(0.5 * np.mean((s * score_fn(x + s * z, sigmas) + z) ** 2))


def _dsm_weight_sigma(score_fn, x, sigmas, z):
    s = sigmas[:, None]
    return float(np.mean(s[:, 0] / 2 * np.sum((score_fn(x + s * z, sigmas) + z / s) ** 2, 1)))


def _dense_bias_mean(h, W, slope, g_out):
    g = g_out * slope
    return h.T @ g, g.mean(axis=0), g @ W.T


def _dense_no_transpose(h, W, slope, g_out):
    g = g_out * slope
    return h.T @ g, g.sum(axis=0), g @ W


@pytest.mark.parametrize(
    ("key", "fn", "says"),
    [
        ("07.6", _dsm_at_clean_x, "clean point"),
        ("07.6", _dsm_mean_over_coordinates, "sum over the coordinates"),
        ("07.6", _dsm_weight_sigma, "not sigma"),
        ("07.5", _dense_bias_mean, "do not average"),
        ("07.5", _dense_no_transpose, "transposed (shape (m, n_in))"),
    ],
)
def test_slips_written_the_students_way_get_their_own_hint(key, fn, says):
    """The second review's slips, written independently of the registry's wrong versions."""
    ok, msg = _function_verdict(FUNCTIONS[key], fn)
    assert not ok and says in msg and "Hint: " not in msg, msg


@pytest.mark.parametrize(("key", "fn"), [("07.5", _dense_backward), ("07.6", _dsm_loss)])
def test_correct_functions_written_another_way_are_accepted(key, fn):
    ok, msg = _function_verdict(FUNCTIONS[key], fn)
    assert ok and msg.startswith(f"[{key}] Correct"), msg
