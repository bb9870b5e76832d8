"""Notebook 07's explorers (helpers.widgets.score_model), driven the way a student drives them:
every slider to both ends with warnings recorded, and results that follow the maths."""

from __future__ import annotations

import time

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, set_controls, slider_ends

from helpers.langevin import annealed_langevin, geometric_sigmas
from helpers.mixture import mixture_sample
from helpers.score_net import fit_score_net
from helpers.scores import mixture_score_nd
from helpers.widgets.score_model import noise_explorer, training_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
W, M = np.array([0.8, 0.2]), np.array([[5.0, 5.0], [-5.0, -5.0]])
C = np.stack([np.eye(2)] * 2)
MIX = {"weights": W, "means": M, "covariances": C}
X, _ = mixture_sample(600, W, M, C, rng=0)
MODEL = fit_score_net(X, geometric_sigmas(20.0, 1.0, 6), rng=0, n_steps=1500,
                      checkpoints=(0, 300, 1500))  # fmt: skip


@pytest.fixture(scope="module")
def tex():
    return training_explorer(MODEL, **MIX, n_chains=100, n_steps_per_level=10)


@pytest.fixture(scope="module")
def nex():
    return noise_explorer(MODEL, X, **MIX, n_points=200)


def _move(explorer, name, value):
    assert set_controls(explorer, **{name: value}) == []
    assert_clean(explorer)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("end", [0, 1])
def test_training_slider_ends_are_clean(tex, end):
    _move(tex, "checkpoint", slider_ends(tex.controls["checkpoint"])[end])
    _move(tex, "checkpoint", 2)


def test_training_checkpoints_are_counted_from_one(tex):
    """The slider and the readout count the same way: 1 to 3 for three checkpoints."""
    assert slider_ends(tex.controls["checkpoint"]) == [1, 3]
    _move(tex, "checkpoint", 3)
    assert "after 1,500 training steps (checkpoint 3 of 3)" in tex.readout_text
    _move(tex, "checkpoint", 1)
    assert "after 0 training steps (checkpoint 1 of 3)" in tex.readout_text


def test_training_explorer_shows_the_checkpoints_samples(tex):
    _move(tex, "checkpoint", 1)
    r = tex.result
    assert r["step"] == 0 and np.isnan(r["loss"]) and "untrained" in tex.readout_text
    untrained_error = r["field_error"]
    _move(tex, "checkpoint", 3)
    r = tex.result
    assert r["step"] == 1500 and r["loss"] == pytest.approx(MODEL.loss_history_[1400:].mean())
    assert r["field_error"] < untrained_error
    # the samples are annealed Langevin with that checkpoint, from the explorer's starts
    x0 = np.random.default_rng(0).uniform(-8, 8, (100, 2))
    x = annealed_langevin(MODEL.score, x0, sigmas=MODEL.sigmas, step_size=0.1,
                          n_steps_per_level=10, rng=1)  # fmt: skip
    nearest = np.argmin(((x[:, None, :] - M[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_allclose(r["fractions"], np.bincount(nearest, minlength=2) / 100)
    assert r["fractions"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["sigma", "seed"])
@pytest.mark.parametrize("end", [0, 1])
def test_noise_slider_ends_are_clean(nex, name, end):
    _move(nex, name, slider_ends(nex.controls[name])[end])
    _move(nex, name, {"sigma": 1.0, "seed": 0}[name])


def test_noise_explorer_follows_the_maths(nex):
    for sigma in (1.0, 4.0, 20.0):
        _move(nex, "sigma", sigma)
        r = nex.result
        assert r["sigma"] == pytest.approx(sigma, rel=1e-9)
        # the floor is the exact score's loss on the same draws: at large sigma it is about
        # (d/2) v / (v + sigma^2), v the data's variance per coordinate (about 26)
        assert r["loss"] > 0 and r["floor"] > 0
        assert r["loss"] > r["floor"] - 0.1
    assert nex.result["floor"] == pytest.approx(26.0 / (26.0 + 400.0), abs=0.05)
    _move(nex, "sigma", 1.0)


def test_noise_explorer_starts_at_the_given_sigma_inside_the_models_range():
    ex = noise_explorer(MODEL, X, **MIX, n_points=50, sigma=4.0)
    assert ex.controls["sigma"].value == pytest.approx(4.0)
    assert ex.result["sigma"] == pytest.approx(4.0) and "σ = 4:" in ex.readout_text
    with pytest.raises(ValueError, match="sigma must be within"):
        noise_explorer(MODEL, X, **MIX, sigma=0.5)  # below the ladder's smallest level


def test_training_explorer_reports_how_far_the_samples_are_from_the_means(tex):
    """The shares count each sample towards its nearest mean wherever it is; the spread says
    whether the samples have gathered there."""
    _move(tex, "checkpoint", 3)
    x0 = np.random.default_rng(0).uniform(-8, 8, (100, 2))
    x = annealed_langevin(MODEL.score, x0, sigmas=MODEL.sigmas, step_size=0.1,
                          n_steps_per_level=10, rng=1)  # fmt: skip
    d = np.sqrt(((x[:, None, :] - M[None]) ** 2).sum(axis=2)).min(axis=1)
    assert tex.result["spread"] == pytest.approx(np.median(d), rel=1e-12)
    assert "wherever they are" in tex.readout_text
    assert f"nearest mean: {np.median(d):.1f}" in tex.readout_text
    trained = tex.result["spread"]
    _move(tex, "checkpoint", 1)  # untrained: pure noise, far from both means
    assert tex.result["spread"] > 2 * trained


def test_noise_explorer_without_the_mixture_shows_the_learned_field_only():
    ex = noise_explorer(MODEL, X, n_points=50)
    _move(ex, "sigma", 3.0)
    assert set(ex.result) == {"sigma", "loss", "spread"}


@pytest.mark.parametrize("make", ["training", "noise"])
def test_a_move_only_redraws(tex, nex, make):
    """Kernel time of a move (the browser median must stay under 100 ms): the samples are
    precomputed, the fields are one forward pass on a 15 x 15 grid."""
    ex, name, values = {"training": (tex, "checkpoint", [1, 2, 3]),
                        "noise": (nex, "sigma", [1.0, 2.0, 5.0])}[make]  # fmt: skip
    times = []
    for v in values * 3:
        t = time.perf_counter()
        set_controls(ex, **{name: v})
        times.append(time.perf_counter() - t)
    assert np.median(times) < 0.25  # generous: a loaded CI machine; about 15 ms idle


def test_exact_field_is_the_blurred_mixture_score(nex):
    _move(nex, "sigma", 2.0)
    s = mixture_score_nd(np.array([[0.0, 0.0]]), W, M, C + 4.0 * np.eye(2))
    assert np.all(np.isfinite(s))
    _move(nex, "sigma", 1.0)


_SMALL = fit_score_net(X[:20], [2.0, 1.0], rng=0, n_steps=2, checkpoints=(0, 2))
BAD_INPUT = [
    *cases(training_explorer,
           {"model": _SMALL, **MIX, "sigma": 1.0, "n_chains": 5, "n_steps_per_level": 2,
            "step_size": 0.1, "seed": 0},
           {"model": "other", "weights": "weights", "means": "location",
            "covariances": "location", "sigma": "scale", "n_chains": "count",
            "n_steps_per_level": "count", "step_size": "scale", "seed": "seed"}),
    *cases(noise_explorer,
           {"model": _SMALL, "X": X[:20], **MIX, "n_points": 10, "seed": 0, "sigma": 1.5},
           {"model": "other", "X": "sample2d", "weights": "weights", "means": "location",
            "covariances": "location", "n_points": "count", "seed": "seed",
            "sigma": "scale"}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"model": "net"}, "model must be a ScoreNet"),
        ({"means": [[5.0, 5.0]]}, "means must have shape"),
        ({"step_size": 2.0}, "step_size must be at most 1"),
    ],
)
def test_wrong_models_and_shapes_are_explained(kwargs, says):
    with pytest.raises(ValueError, match=says):
        training_explorer(**({"model": _SMALL, **MIX} | kwargs))


def test_a_model_without_checkpoints_is_explained():
    bare = fit_score_net(X[:20], [2.0, 1.0], rng=0, n_steps=2)
    with pytest.raises(ValueError, match="no checkpoints"):
        training_explorer(bare, **MIX)
    with pytest.raises(ValueError, match="all three or none"):
        noise_explorer(bare, X[:20], weights=W)


def test_every_noise_level_of_the_ladder_is_on_the_slider_grid(nex):
    """Three key presses from one level to the next: a start at a ladder level does not snap
    to a neighbour on the first key press."""
    slider = nex.controls["sigma"]
    for sigma in MODEL.sigmas:
        k = (np.log10(sigma) - slider.min) / slider.step
        assert abs(k - round(k)) < 1e-6, (sigma, k)
    assert round((slider.max - slider.min) / slider.step) == 3 * (len(MODEL.sigmas) - 1)


def test_the_noise_readout_moves_with_the_seed_even_at_large_sigma(nex):
    """At sigma = 16 the loss hardly depends on the draws (a browser journey saw the same
    three-decimal readout for two seeds); the noisy points' spread always does."""
    _move(nex, "sigma", 16.0)
    texts = set()
    for seed in (0, 13):
        _move(nex, "seed", seed)
        r = nex.result
        data_var = float(X.var(axis=0).mean())
        assert r["spread"] == pytest.approx(np.sqrt(data_var + 16.0**2), rel=0.1)
        texts.add(nex.readout_text)
    assert len(texts) == 2
    _move(nex, "seed", 0)
    _move(nex, "sigma", 1.0)
