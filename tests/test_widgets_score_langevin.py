"""Notebook 06's explorers (helpers.widgets.score_langevin), driven the way a student drives them:
every slider to both ends with warnings recorded, and results that follow the maths."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, set_controls

from helpers.langevin import langevin_gaussian, rhat, ula_gaussian_variance
from helpers.scores import mixture_score
from helpers.widgets.score_langevin import langevin_explorer, noise_scale_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def lex():
    return langevin_explorer()


@pytest.fixture(scope="module")
def nex():
    return noise_scale_explorer()


def _move(explorer, name, value):
    assert set_controls(explorer, **{name: value}) == []
    assert_clean(explorer)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)


def test_langevin_defaults_are_the_source_example(lex):
    assert lex.values == {"step_size": pytest.approx(0.005), "n_steps": 3000, "seed": 0}
    steps = lex.controls["n_steps"]
    assert steps.min < steps.value < steps.max  # a first move either way changes the picture
    r = lex.result
    assert not r["diverged"]
    assert r["var_theory"] == pytest.approx(ula_gaussian_variance(0.5, 0.005))
    assert "R-hat" in lex.readout_text and "KS distance" in lex.readout_text


@pytest.mark.parametrize("name", ["step_size", "n_steps", "seed"])
@pytest.mark.parametrize("end", ["min", "max"])
def test_langevin_slider_ends_are_clean(lex, name, end):
    control = lex.controls[name]
    _move(lex, name, getattr(control, end))
    _move(lex, name, {"step_size": 0.005, "n_steps": 3000, "seed": 0}[name])


def test_langevin_results_follow_the_maths(lex):
    _move(lex, "step_size", 0.1)
    _move(lex, "n_steps", 2000)
    r = lex.result
    path = langevin_gaussian(1.0, 0.5, np.full(200, -5.0), step_size=0.1, n_steps=3000, rng=0,
                             return_path=True)[1]  # fmt: skip
    assert r["mean"] == pytest.approx(path[2000].mean(), rel=1e-9)
    assert r["var"] == pytest.approx(path[2000].var(), rel=1e-9)
    assert r["rhat"] == pytest.approx(rhat(path[1000:2001]), rel=1e-9)
    assert r["var_theory"] == pytest.approx(0.3125)
    _move(lex, "step_size", 1e-4)
    assert lex.result["rhat"] > 1.5  # far from converged: the start is not forgotten
    _move(lex, "step_size", 0.005)
    _move(lex, "n_steps", 3000)


@pytest.mark.parametrize("eps", [0.5012, 0.7943, 1.0])
def test_langevin_diverges_from_two_sigma_squared(lex, eps):
    _move(lex, "step_size", eps)
    assert lex.result["diverged"]
    assert "diverged" in lex.readout_text or "run off" in lex.readout_text
    _move(lex, "step_size", 0.3981)
    assert not lex.result["diverged"]
    _move(lex, "step_size", 0.005)


def test_noise_explorer_follows_the_maths(nex):
    for s in (0.01, 0.3, 1.0, 3.0, 10.0):
        _move(nex, "noise_sigma", s)
        r = nex.result
        np.testing.assert_allclose(r["component_sigma"], np.sqrt(0.09 + s**2))
        want = float(mixture_score(0.0, [0.2, 0.8], [-4.0, 4.0], np.sqrt([0.09 + s**2] * 2)))
        assert r["score_at_midpoint"] == pytest.approx(want)
    _move(nex, "noise_sigma", 0.01)
    low_small = nex.result["low_fraction_noisy"]
    _move(nex, "noise_sigma", 3.0)
    assert nex.result["low_fraction_noisy"] < low_small  # noise fills the empty regions
    assert nex.result["low_fraction_clean"] == pytest.approx(low_small, abs=0.02)


@pytest.mark.parametrize("end", ["min", "max"])
def test_noise_slider_ends_are_clean(nex, end):
    _move(nex, "noise_sigma", getattr(nex.controls["noise_sigma"], end))


def test_snapshots_carry_the_readout(lex, nex):
    for ex in (lex, nex):
        bundle = ex._repr_mimebundle_()
        assert bundle["text/plain"].startswith("Explorer (")
        assert bundle["text/plain"].endswith(ex.readout_text)


_NOISE = {
    "weights": [0.5, 0.5],
    "mu": [-2.0, 2.0],
    "sigma": [0.5, 0.5],
    "weights_2d": [0.5, 0.5],
    "means_2d": [[-1.0, 0.0], [1.0, 0.0]],
    "covariances_2d": [np.eye(2), 0.5 * np.eye(2)],
}
BAD_INPUT = [
    *cases(langevin_explorer, {"mu": 1.0, "sigma": 0.5, "x0": -5.0, "n_chains": 20,
                               "max_steps": 40, "n_traces": 3},
           {"mu": "location", "sigma": "scale", "x0": "location", "n_chains": "count",
            "max_steps": "count", "n_traces": "count"},
           # 100,001 chains; 20 x 500,001 numbers per run; 21 traces
           extra={"n_chains": [100_001], "max_steps": [500_000], "n_traces": [21]}),
    *cases(noise_scale_explorer, _NOISE,
           {"weights": "weights", "mu": "location", "sigma": "scale", "weights_2d": "weights",
            "means_2d": "location", "covariances_2d": "scale"},
           extra={"mu": [[1.0, 2.0, 3.0], [0.0, 1e200], [0.0, 1000.0]],
                  "weights_2d": [[0.2, 0.3, 0.5]],
                  "means_2d": [[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]],
                  "covariances_2d": [[[[1.0, 2.0], [2.0, 1.0]]] * 2, [np.eye(3)] * 2]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_the_issue_s_inputs_are_refused_by_name_not_ignored_or_hung():
    """Issue 14's cases: covariances_2d=inf alone was silently replaced by the default
    mixture; one 2-D argument without the others is refused as well."""
    with pytest.raises(ValueError, match=r"^covariances_2d contains inf"):
        noise_scale_explorer(covariances_2d=np.inf)
    with pytest.raises(ValueError, match=r"^covariances_2d given without weights_2d and means_2d"):
        noise_scale_explorer(covariances_2d=[np.eye(2)])
    with pytest.raises(ValueError, match=r"^max_steps must be at most 100,000, got 1000000000$"):
        langevin_explorer(max_steps=10**9)


# Issue 18's explorer items: the R-hat readout, the note when every chain is off the window,
# and arrows that shrink as the noise grows.


def test_langevin_readout_gives_the_r_hat_of_converged_chains_not_the_long_chain_bar():
    ex = langevin_explorer()
    r = ex.result
    a, half = 1 - 0.005 / 0.25, (3000 - 1500 + 1) // 2
    assert r["rhat_converged"] == pytest.approx(np.sqrt(1 + (1 + a) / (1 - a) / half))
    assert abs(r["rhat"] - r["rhat_converged"]) < 0.01  # converged, and R-hat says so
    assert f"{r['rhat_converged']:.3f}" in ex.readout_text and "usual bar" not in ex.readout_text
    _move(ex, "step_size", 1e-4)
    _move(ex, "n_steps", 10)
    assert "too short to judge" in ex.readout_text


def test_langevin_note_says_where_the_chains_are_when_none_is_in_the_window():
    ex = langevin_explorer()
    _move(ex, "step_size", 1e-4)
    _move(ex, "n_steps", 10)
    first = ex.result["note"]
    assert first.startswith("all 200 chains outside this window") and "mean -4.9" in first
    _move(ex, "seed", 3)
    assert ex.result["note"] != first  # the seed changes something visible


def test_noise_explorer_arrows_shrink_as_the_noise_grows(nex):
    lengths = {}
    for sigma in (0.3, 1.0, 3.0, 10.0):
        _move(nex, "noise_sigma", sigma)
        lengths[sigma] = nex.result["longest_arrow"]
    assert lengths[0.3] <= nex.result["grid_step"]  # capped at one grid step
    assert lengths[1.0] == pytest.approx(0.6 * nex.result["grid_step"])  # the reference
    assert lengths[1.0] > lengths[3.0] > lengths[10.0] > 0
    _move(nex, "noise_sigma", 1.0)
