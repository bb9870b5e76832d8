"""Notebook 04's explorers (helpers.widgets.map_coin), driven the way a student drives them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, beyond_the_ends, set_controls, slider_end, slider_ends
from scipy import stats

from helpers.bayes import coin_map
from helpers.widgets.map_coin import conjugacy_explorer, gaussian_prior_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SLIDERS = ["strength", "prior_mean", "n_tosses", "true_bias", "seed"]


@pytest.fixture(scope="module")
def explorer():
    return conjugacy_explorer()


@pytest.fixture(autouse=True)
def _reset(explorer):
    start = {"strength": 5.0, "prior_mean": 0.8, "n_tosses": 5, "true_bias": 0.3, "seed": 0}
    for name, value in start.items():
        explorer.controls[name].value = value


def reference(values, n_max=500):
    """The same tosses and posterior, computed independently with scipy.stats.beta."""
    u = np.random.default_rng(values["seed"]).random(n_max)
    n = values["n_tosses"]
    h = int(np.sum(u[:n] < values["true_bias"]))
    a = values["prior_mean"] * values["strength"]
    b = (1 - values["prior_mean"]) * values["strength"]
    post = stats.beta(a + h, b + n - h)
    return {"heads": h, "a_post": a + h, "b_post": b + n - h, "predictive": post.mean(),
            "interval": post.interval(0.95)}  # fmt: skip


def check_against_reference(ex):
    r, ref = ex.result, reference(ex.values)
    assert ex.error is None
    assert r["heads"] == ref["heads"]
    assert (r["a_post"], r["b_post"]) == pytest.approx((ref["a_post"], ref["b_post"]), rel=1e-14)
    assert r["predictive"] == pytest.approx(ref["predictive"], rel=1e-12)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(ref["interval"], rel=1e-9, abs=1e-12)
    if r["a_post"] > 1 and r["b_post"] > 1:  # a single interior mode: check it on a grid
        grid = np.linspace(0, 1, 200_001)
        mode = grid[np.argmax(stats.beta.logpdf(grid, r["a_post"], r["b_post"]))]
        assert r["map"] == pytest.approx(mode, abs=1e-5)


def test_defaults_show_prior_pulling_the_map_and_the_predictive_apart(explorer):
    check_against_reference(explorer)
    r = explorer.result
    assert (r["n"], r["heads"]) == (5, 3)
    # true bias < MLE < predictive < MAP < prior mean: the prior pulls, mean and mode differ
    assert 0.3 < r["mle"] < r["predictive"] < r["map"] < 0.8
    assert (r["mle"], r["predictive"], r["map"]) == pytest.approx((0.6, 0.7, 0.75), rel=1e-12)
    # the four markers are at least 0.05 apart: none hides another at the start
    assert np.diff(np.sort([0.3, r["mle"], r["predictive"], r["map"]])).min() >= 0.05 - 1e-12
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert len(explorer.readout_text.splitlines()) == 3


@pytest.mark.parametrize("name", SLIDERS)
@pytest.mark.parametrize("which", ["min", "max"])
def test_every_slider_at_both_ends_is_clean(explorer, name, which):
    control = explorer.controls[name]
    assert set_controls(explorer, **{name: slider_end(control, which)}) == []
    assert_clean(explorer)
    check_against_reference(explorer)


@pytest.mark.parametrize("strength", ["min", "max"])
@pytest.mark.parametrize("mean", ["min", "max"])
@pytest.mark.parametrize("n", ["min", "max"])
@pytest.mark.parametrize("bias", ["min", "max"])
def test_corners_are_clean(explorer, strength, mean, n, bias):
    c = explorer.controls
    corner = {"strength": strength, "prior_mean": mean, "n_tosses": n, "true_bias": bias}
    assert (
        set_controls(explorer, **{k: slider_end(c[k], which) for k, which in corner.items()}) == []
    )
    check_against_reference(explorer)
    r = explorer.result
    assert all(math.isfinite(r[k]) for k in ("predictive", "ci_low", "ci_high", "width"))


def test_no_tosses_means_posterior_is_prior_and_no_mle(explorer):
    explorer.controls["n_tosses"].value = 0
    r = explorer.result
    assert (r["a_post"], r["b_post"]) == (r["a"], r["b"])
    assert math.isnan(r["mle"]) and r["predictive"] == pytest.approx(0.8)  # the prior mean
    assert "MLE h/n = undefined (0/0: no tosses yet)" in explorer.readout_text


def test_starting_with_no_tosses_is_a_lesson_not_a_silent_nan():
    """0 tosses is a valid start (the posterior is the prior): the undefined MLE is said in
    the readout and on the figure, and no error or warning is shown."""
    ex = conjugacy_explorer(n_tosses=0)
    assert_clean(ex)
    assert math.isnan(ex.result["mle"]) and ex.result["n"] == 0
    assert "MLE h/n = undefined (0/0: no tosses yet)" in ex.readout_text
    notes = [t.get_text() for t in ex.figure.axes[0].texts if t.get_visible()]
    assert "no tosses yet: posterior = prior, no MLE" in notes


def test_u_shaped_posterior_has_no_map_and_says_so(explorer):
    explorer.controls["n_tosses"].value = 0
    explorer.controls["strength"].value = 1.0  # Beta(0.5, 0.5)
    assert math.isnan(explorer.result["map"]) and explorer.error is None
    assert "MAP (h+a-1)/(n+a+b-2) = undefined" in explorer.readout_text


def test_uniform_prior_makes_map_equal_mle(explorer):
    explorer.controls["strength"].value = 2.0  # a = b = 1
    explorer.controls["prior_mean"].value = 0.5
    for n in (7, 50, 300):
        explorer.controls["n_tosses"].value = n
        r = explorer.result
        assert r["map"] == pytest.approx(r["mle"], rel=1e-14)
        assert r["predictive"] == pytest.approx((r["heads"] + 1) / (n + 2), rel=1e-14)


def test_map_approaches_mle_as_data_grow(explorer):
    gaps = []
    for n in (10, 50, 250, 500):
        explorer.controls["n_tosses"].value = n
        gaps.append(abs(explorer.result["map"] - explorer.result["mle"]))
    assert np.all(np.diff(gaps) < 0) and gaps[-1] < 0.02


def test_map_approaches_mle_as_the_prior_weakens_towards_uniform(explorer):
    explorer.controls["prior_mean"].value = 0.5
    explorer.controls["n_tosses"].value = 30
    gaps = []
    for strength in (1000.0, 100.0, 10.0, 2.0):
        explorer.controls["strength"].value = strength
        gaps.append(abs(explorer.result["map"] - explorer.result["mle"]))
    assert np.all(np.diff(gaps) < 0) and gaps[-1] == pytest.approx(0, abs=1e-15)


def test_interval_shrinks_like_one_over_sqrt_n(explorer):
    explorer.controls["strength"].value = 2.0
    scaled = []
    for n in (100, 400):
        explorer.controls["n_tosses"].value = n
        r = explorer.result
        scaled.append(r["width"] * math.sqrt(n))
        assert r["width"] == pytest.approx(
            2 * 1.96 * math.sqrt(r["mle"] * (1 - r["mle"]) / n), rel=0.05
        )
    assert scaled[1] == pytest.approx(scaled[0], rel=0.1)  # 4x the tosses, half the width


def test_moving_n_reveals_the_same_sequence(explorer):
    heads = []
    for n in range(0, 60):
        explorer.controls["n_tosses"].value = n
        heads.append(explorer.result["heads"])
    steps = np.diff(heads)
    assert set(steps) <= {0, 1}  # each new toss adds 0 or 1 head: earlier tosses never change


def test_raising_the_true_bias_never_removes_heads(explorer):
    explorer.controls["n_tosses"].value = 200
    heads = []
    for bias in (0.1, 0.3, 0.5, 0.7, 0.9):
        explorer.controls["true_bias"].value = bias
        heads.append(explorer.result["heads"])
    assert np.all(np.diff(heads) > 0)


def test_seed_changes_the_sequence(explorer):
    explorer.controls["n_tosses"].value = 100
    h0 = explorer.result["heads"]
    found = set()
    for seed in range(1, 6):
        explorer.controls["seed"].value = seed
        found.add(explorer.result["heads"])
        check_against_reference(explorer)
    assert found - {h0}


@pytest.mark.parametrize("name", SLIDERS)
def test_moving_a_slider_changes_the_picture(explorer, name):
    png = bytes(explorer.image.value)
    control = explorer.controls[name]
    lo, hi = slider_ends(control)
    control.value = lo + 0.75 * (hi - lo)
    assert bytes(explorer.image.value) != png


def test_limits_stay_fixed_while_sliders_move(explorer):
    before = [tuple(ax.viewLim.bounds) for ax in explorer.figure.axes]
    for name in SLIDERS:
        control = explorer.controls[name]
        control.value = slider_end(control, "max")
    assert [tuple(ax.viewLim.bounds) for ax in explorer.figure.axes] == before


def test_snapshot_carries_picture_and_numbers(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Explorer (strength = 5, prior_mean = 0.8")
    assert "predictive P(next is heads)" in bundle["text/plain"]


_CONJ = {"n_max": 50, "strength": 5.0, "prior_mean": 0.8, "n_tosses": 5, "true_bias": 0.3}
BAD_INPUT = [
    *cases(conjugacy_explorer, _CONJ,
           {"n_max": "count", "strength": "scale", "prior_mean": "probability",
            "n_tosses": "count0", "true_bias": "probability"},
           extra={"n_max": [5, 100_001], "n_tosses": [51], "prior_mean": [0.0, 1.0],
                  "true_bias": [0.0, 1.0]}),
    *beyond_the_ends(conjugacy_explorer, _CONJ),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_a_strong_prior_outweighs_500_tosses(explorer):
    """What the notebook's "things to try" promises for the strongest prior."""
    c = explorer.controls
    c["n_tosses"].value, c["strength"].value = 500, slider_end(c["strength"], "max")
    r = explorer.result
    assert r["a"] + r["b"] == pytest.approx(2 * 2.5**7.5, rel=1e-9)  # about 1930
    assert abs(r["predictive"] - 0.8) < abs(r["predictive"] - r["mle"])  # 0.8: the prior mean
    c["n_tosses"].value = 50
    assert explorer.result["width"] / r["width"] < 1.2  # 10x fewer tosses, barely wider


def test_strength_slider_spans_0_2_to_1930_and_holds_the_uniform_prior_and_the_start(explorer):
    c = explorer.controls["strength"]
    assert slider_ends(c) == pytest.approx([0.2024, 1930.1], rel=1e-4)
    steps = c.base ** (c.min + c.step * np.arange(81))  # the values the slider can take
    assert np.isclose(steps[-1], c.base**c.max, rtol=1e-12)
    assert np.isclose(steps, 2.0, rtol=1e-12, atol=0).any()  # the uniform prior at mean 0.5
    # the start is on the grid, so a live front end does not snap it (5 became 5.02 before)
    assert np.isclose(steps, c.value, rtol=1e-12, atol=0).any() and c.value == 5.0


# --- the Gaussian-prior explorer -------------------------------------------------------

GAUSS_SLIDERS = ["prior_mean", "prior_sd", "copies"]


@pytest.fixture(scope="module")
def gauss():
    return gaussian_prior_explorer()


@pytest.fixture
def fresh_gauss(gauss):
    for name, value in {"prior_mean": 0.5, "prior_sd": 0.1, "copies": 1}.items():
        gauss.controls[name].value = value
    return gauss


def test_gauss_defaults_are_the_lesson_numbers(fresh_gauss):
    r = fresh_gauss.result
    assert fresh_gauss.error is None
    assert (r["heads"], r["n"]) == (3, 7) and r["mle"] == pytest.approx(3 / 7)
    assert r["map"] == pytest.approx(0.484363051702645, abs=1e-12)
    assert r["two_tails_plugin"] == pytest.approx((1 - r["map"]) ** 2)
    assert r["outside"] == pytest.approx(
        1 - (stats.norm.cdf(1, 0.5, 0.1) - stats.norm.cdf(0, 0.5, 0.1))
    )
    assert "MAP = 0.4844" in fresh_gauss.readout_text


def test_gauss_variance_reading_gives_one_over_sqrt_5(fresh_gauss):
    fresh_gauss.controls["prior_sd"].value = math.sqrt(0.1)
    assert fresh_gauss.result["map"] == pytest.approx(1 / math.sqrt(5), abs=1e-12)
    assert fresh_gauss.result["outside"] == pytest.approx(0.11385, abs=1e-4)


@pytest.mark.parametrize("name", GAUSS_SLIDERS)
@pytest.mark.parametrize("which", ["min", "max"])
def test_gauss_every_slider_at_both_ends_is_clean(fresh_gauss, name, which):
    control = fresh_gauss.controls[name]
    assert set_controls(fresh_gauss, **{name: slider_end(control, which)}) == []
    assert_clean(fresh_gauss)
    r = fresh_gauss.result
    tosses = [1] * r["heads"] + [0] * (r["n"] - r["heads"])
    assert r["map"] == pytest.approx(
        coin_map(tosses, prior_mean=r["prior_mean"], prior_sd=r["prior_sd"]), abs=1e-12
    )
    assert (
        min(r["mle"], r["prior_mean"]) - 1e-12 <= r["map"] <= max(r["mle"], r["prior_mean"]) + 1e-12
    )
    assert -1e-9 <= r["share"] <= 1 + 1e-9  # the right panel's fixed axis holds every value


def test_gauss_map_moves_from_prior_mean_to_mle_as_the_prior_flattens(fresh_gauss):
    fresh_gauss.controls["prior_mean"].value = 0.8
    maps = []
    for sd in (0.01, 0.1, 1.0, 10.0):
        fresh_gauss.controls["prior_sd"].value = sd
        maps.append(fresh_gauss.result["map"])
    assert maps[0] == pytest.approx(0.8, abs=0.01) and maps[-1] == pytest.approx(3 / 7, abs=1e-3)
    assert np.all(np.diff(maps) < 0)


def test_gauss_map_moves_to_the_mle_as_data_grow(fresh_gauss):
    gaps = []
    for copies in (1, 5, 30):
        fresh_gauss.controls["copies"].value = copies
        gaps.append(abs(fresh_gauss.result["map"] - fresh_gauss.result["mle"]))
    assert np.all(np.diff(gaps) < 0)


@pytest.mark.parametrize("name", GAUSS_SLIDERS)
def test_gauss_moving_a_slider_changes_the_picture(fresh_gauss, name):
    png = bytes(fresh_gauss.image.value)
    control = fresh_gauss.controls[name]
    lo, hi = slider_ends(control)
    control.value = lo + 0.75 * (hi - lo)
    assert bytes(fresh_gauss.image.value) != png


def test_gauss_limits_stay_fixed(fresh_gauss):
    before = [tuple(ax.viewLim.bounds) for ax in fresh_gauss.figure.axes]
    for name in GAUSS_SLIDERS:
        fresh_gauss.controls[name].value = slider_end(fresh_gauss.controls[name], "max")
    assert [tuple(ax.viewLim.bounds) for ax in fresh_gauss.figure.axes] == before


def test_gauss_rejects_empty_tosses():
    with pytest.raises(ValueError, match=r"^tosses must not be empty"):
        gaussian_prior_explorer([])


_GAUSS = {"tosses": [0, 1, 1], "prior_mean": 0.5, "prior_sd": 0.1}
GAUSS_BAD_INPUT = [
    *cases(gaussian_prior_explorer, _GAUSS,
           {"tosses": "array", "prior_mean": "probability", "prior_sd": "scale"},
           extra={"tosses": [[0, 2], [0.5], [True, "a"], []], "prior_sd": [100.0]}),
    *beyond_the_ends(gaussian_prior_explorer, _GAUSS),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), GAUSS_BAD_INPUT)
def test_gauss_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_gauss_share_is_the_map_s_place_between_mle_and_prior_mean(fresh_gauss):
    r = fresh_gauss.result
    assert r["share"] == pytest.approx((r["map"] - r["mle"]) / (0.5 - r["mle"]), rel=1e-12)
    assert 0.75 < r["share"] < 0.8  # s = 0.1: the prior wins most of the tug of war
    fresh_gauss.controls["prior_sd"].value = math.sqrt(0.1)
    assert fresh_gauss.result["share"] == pytest.approx(
        (1 / math.sqrt(5) - 3 / 7) / (0.5 - 3 / 7), rel=1e-9
    )
