"""Notebook 01's explorer (helpers.widgets.likelihood), driven the way a student drives it."""

from __future__ import annotations

import base64
import io
import itertools
import math
import warnings

import matplotlib as mpl
import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import assert_clean, beyond_the_ends, set_controls, slider_end
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers.data import load_old_faithful
from helpers.distributions import normal_loglik
from helpers.plotting import histogram_bins, use_style
from helpers.widgets.likelihood import WINDOW, _tick_text, _window, likelihood_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.fixture(scope="module")
def waiting():
    return load_old_faithful()["waiting"].to_numpy()


@pytest.fixture
def explorer(waiting):
    return likelihood_explorer(waiting, name="waiting", unit="min")


@pytest.fixture(scope="module")
def shared_explorer(waiting):
    return likelihood_explorer(waiting)


def assert_messages_inside_their_axes(explorer):
    """Every visible message on an axes (not titles, labels or tick labels) lies inside it."""
    renderer = explorer.figure.canvas.get_renderer()
    ticks = tick_artists(explorer)
    for ax in explorer.figure.axes:
        box = ax.get_window_extent(renderer)
        for text in ax.texts:
            if text.get_visible() and text.get_text() and text not in ticks:
                inner = text.get_window_extent(renderer)
                assert box.x0 <= inner.x0 and inner.x1 <= box.x1, text.get_text()
                assert box.y0 <= inner.y0 and inner.y1 <= box.y1, text.get_text()


def tick_artists(explorer):
    """The right panel's y tick labels: animated texts left of the axes (x < 0 in axes units)."""
    ax = explorer.figure.axes[1]
    return [t for t in ax.texts if t.get_animated() and t.get_position()[0] == 0 and t.get_text()]


def tick_texts(explorer):
    return [t.get_text() for t in tick_artists(explorer)]


def expected_gap(x, mu, sigma):
    """ell(x_bar, sigma) - ell(mu, sigma) = n (x_bar - mu)^2 / (2 sigma^2)."""
    return x.size * (x.mean() - mu) ** 2 / (2 * sigma**2)


def test_initial_state_is_a_deliberately_poor_fit(explorer, waiting):
    x_bar, sd = waiting.mean(), waiting.std()
    assert explorer.error is None
    assert set(explorer.result) == {
        "mu", "sigma", "loglik", "loglik_best_mu", "gap", "loglik_max", "window"
    }  # fmt: skip
    step = explorer.controls["mu"].step  # start values are snapped to the slider step
    assert explorer.values == {
        "mu": pytest.approx(x_bar + sd / 2, abs=step / 2),
        "sigma": pytest.approx(0.6 * sd, abs=step / 2),
    }
    assert explorer.result["gap"] > 0
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert explorer.readout_text.count("\n") == 3


def test_slider_ranges_cover_the_data(explorer, waiting):
    mu, sigma = explorer.controls["mu"], explorer.controls["sigma"]
    assert mu.min <= waiting.mean() <= mu.max
    assert mu.min == pytest.approx(waiting.min(), abs=0.05)
    assert mu.max == pytest.approx(waiting.max(), abs=0.05)
    assert sigma.min <= waiting.std() <= sigma.max
    assert sigma.min > 0


def test_mu_at_sample_mean_closes_the_gap(explorer, waiting):
    explorer.controls["mu"].value = waiting.mean()
    r = explorer.result
    assert explorer.error is None
    assert r["gap"] == pytest.approx(expected_gap(waiting, r["mu"], r["sigma"]), abs=1e-9)
    assert r["gap"] == pytest.approx(0.0, abs=1e-9)
    assert r["loglik"] == r["loglik_best_mu"]


def test_mu_on_the_slider_step_nearest_the_mean_has_a_tiny_gap(explorer, waiting):
    # In the browser the slider snaps to min + k * step: the gap there is not 0 but tiny.
    mu = explorer.controls["mu"]
    snapped = mu.min + round((waiting.mean() - mu.min) / mu.step) * mu.step
    mu.value = snapped
    r = explorer.result
    assert r["gap"] == pytest.approx(expected_gap(waiting, snapped, r["sigma"]), rel=1e-9)
    assert 0 <= r["gap"] <= waiting.size * (mu.step / 2) ** 2 / (2 * r["sigma"] ** 2)


@pytest.mark.parametrize("d", [-20.0, -3.0, -0.1, 0.1, 3.0, 20.0])
@pytest.mark.parametrize("sigma", [5.0, 13.5, 25.0])
def test_moving_mu_away_from_mean_lowers_loglik_by_the_formula(explorer, waiting, d, sigma):
    n, x_bar = waiting.size, waiting.mean()
    explorer.controls["sigma"].value = sigma
    explorer.controls["mu"].value = x_bar
    at_mean = explorer.result["loglik"]
    explorer.controls["mu"].value = x_bar + d
    r = explorer.result
    assert r["mu"] == pytest.approx(x_bar + d)
    assert r["loglik"] < at_mean
    drop = n * (r["mu"] - x_bar) ** 2 / (2 * sigma**2)
    assert at_mean - r["loglik"] == pytest.approx(drop, rel=1e-9, abs=1e-9)
    assert r["loglik"] == pytest.approx(float(normal_loglik(waiting, r["mu"], sigma)), rel=1e-12)
    assert r["gap"] == pytest.approx(drop, rel=1e-9, abs=1e-9)
    assert r["loglik_best_mu"] == pytest.approx(at_mean, rel=1e-12)


def test_mle_gives_the_overall_maximum(explorer, waiting):
    x_bar, sd = waiting.mean(), waiting.std(ddof=0)
    explorer.controls["mu"].value = x_bar
    explorer.controls["sigma"].value = sd
    best = explorer.result["loglik"]
    assert best == pytest.approx(float(normal_loglik(waiting, x_bar, sd)), rel=1e-12)
    assert "you are 0.0 nats below it" in explorer.readout_text.splitlines()[2]
    mu_c, sigma_c = explorer.controls["mu"], explorer.controls["sigma"]
    for mu in np.linspace(mu_c.min, mu_c.max, 7):
        for sigma in [*np.linspace(sigma_c.min, sigma_c.max, 7), 0.99 * sd, 1.01 * sd]:
            mu_c.value, sigma_c.value = mu, sigma
            assert explorer.result["loglik"] < best


def test_readout_text_reports_the_numbers(explorer, waiting):
    explorer.controls["mu"].value = 60.0
    explorer.controls["sigma"].value = 10.0
    r = explorer.result
    lines = explorer.readout_text.splitlines()
    assert lines[0] == f"log-likelihood  ℓ(μ=60.0, σ=10.0) = {r['loglik']:,.1f} nats"
    assert f"you are {r['gap']:,.1f} nats below it" in lines[1]
    assert f"{waiting.mean():.2f} min" in lines[1]
    assert f"σ = {waiting.std():.2f}" in lines[2]


@pytest.mark.parametrize("name", ["mu", "sigma"])
def test_moving_a_slider_changes_readout_and_image(explorer, name):
    text, png = explorer.readout_text, bytes(explorer.image.value)
    control = explorer.controls[name]
    control.value = control.min + 0.75 * (control.max - control.min)
    assert explorer.readout_text != text
    assert bytes(explorer.image.value) != bytes(png)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert not np.array_equal(decode(explorer.image.value), decode(png))
    assert "<div" in explorer.readout.value and "nats" in explorer.readout.value


def test_returning_to_a_setting_gives_the_same_picture(explorer):
    png = decode(explorer.image.value)
    start = explorer.controls["mu"].value
    explorer.controls["mu"].value = explorer.controls["mu"].min
    explorer.controls["mu"].value = start
    np.testing.assert_array_equal(decode(explorer.image.value), png)


@pytest.mark.parametrize("mu_end", ["min", "max"])
@pytest.mark.parametrize("sigma_end", ["min", "max"])
def test_slider_corners_are_clean(explorer, mu_end, sigma_end):
    c = explorer.controls
    corner = {"mu": slider_end(c["mu"], mu_end), "sigma": slider_end(c["sigma"], sigma_end)}
    assert set_controls(explorer, **corner) == []
    assert_clean(explorer)
    numbers = [v for k, v in explorer.result.items() if k != "window"]
    assert all(math.isfinite(v) for v in [*numbers, *explorer.result["window"]])
    assert explorer.result["gap"] >= 0
    assert_messages_inside_their_axes(explorer)
    assert not explorer.readout_text.startswith("Cannot show")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(u=st.floats(0, 1), v=st.floats(0, 1))
def test_gap_is_never_negative_and_matches_formula(shared_explorer, waiting, u, v):
    ex = shared_explorer  # one explorer per example would be slow
    mu_c, sigma_c = ex.controls["mu"], ex.controls["sigma"]
    mu_c.value = mu_c.min + u * (mu_c.max - mu_c.min)
    sigma_c.value = sigma_c.min + v * (sigma_c.max - sigma_c.min)
    r = ex.result
    assert ex.error is None
    assert r["gap"] >= 0
    expected = expected_gap(waiting, r["mu"], r["sigma"])
    assert r["gap"] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_repr_mimebundle_carries_picture_and_text(explorer):
    explorer.controls["mu"].value = 65.0
    bundle = explorer._repr_mimebundle_()
    assert isinstance(bundle["image/png"], str)
    assert base64.b64decode(bundle["image/png"]) == explorer.snapshot_png()  # plot + readout
    text = bundle["text/plain"]
    assert text.startswith("Explorer (")
    assert text.splitlines()[0] == f"Explorer (mu = 65, sigma = {explorer.values['sigma']:.4g})"
    assert text.endswith(explorer.readout_text)
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.model_id


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ([60.0, np.nan, 70.0], r"^waiting contains NaN"),
        ([], r"^waiting must not be empty"),
        ([[60.0, 70.0], [80.0, 90.0]], r"^waiting must have shape \(n_samples,\)"),
        ([60.0, np.inf], r"^waiting contains inf"),
        ("sixty", r"^waiting must be numeric"),
    ],
)
def test_bad_data_raises_naming_the_argument(data, pattern):
    with pytest.raises(ValueError, match=pattern):
        likelihood_explorer(data, name="waiting")


def test_bad_data_default_name_is_x():
    with pytest.raises(ValueError, match=r"^x contains NaN"):
        likelihood_explorer([1.0, np.nan])


def test_explorer_accepts_a_pandas_column():
    ex = likelihood_explorer(load_old_faithful()["eruptions"], name="eruptions", unit="min")
    assert ex.error is None
    assert "eruptions" in ex.children[0].value  # the title


def test_sigma_slider_minimum_is_valid_for_small_scale_data(rng):
    ex = likelihood_explorer(rng.normal(0.0, 0.3, 100))
    ex.controls["sigma"].value = ex.controls["sigma"].min
    assert ex.error is None


def test_snapshot_shows_the_plot_with_the_readout_underneath(explorer):
    """What GitHub and nbviewer show in place of the live explorer: picture plus numbers."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        snapshot = explorer.snapshot_png()
    assert not caught, [str(w.message) for w in caught]  # e.g. a glyph missing from a font
    plot = Image.open(io.BytesIO(bytes(explorer.image.value)))
    both = Image.open(io.BytesIO(snapshot))
    assert both.width == plot.width
    assert both.height >= plot.height + 20 * len(explorer.readout_text.splitlines())
    bundle = explorer._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == snapshot


_LIK = {"x": [1.0, 2.0, 4.0], "mu": 2.0, "sigma": 1.0}
BAD_INPUT = [
    *cases(likelihood_explorer, _LIK, {"x": "sample", "mu": "location", "sigma": "scale"},
           extra={"x": [[3.0, 3.0, 3.0]], "mu": [100.0], "sigma": [100.0]}),
    *beyond_the_ends(likelihood_explorer, _LIK),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


# --- small sigma: the window follows the curve, messages stay inside, labels never overlap ---


@pytest.mark.parametrize("mu_end", ["min", "max"])
def test_at_the_smallest_sigma_the_curve_stays_in_view(explorer, mu_end):
    explorer.controls["sigma"].value = explorer.controls["sigma"].min
    explorer.controls["mu"].value = getattr(explorer.controls["mu"], mu_end)
    r = explorer.result
    low, high = r["window"]
    peak = r["loglik_best_mu"] - r["loglik_max"]
    assert peak < -10_000  # far below the overall maximum: the old fixed window was empty
    assert low + 0.25 * WINDOW <= peak <= high - 0.05 * WINDOW  # in view, with room below
    assert tick_texts(explorer) == [_tick_text(v) for v in np.arange(low, high - 1, WINDOW / 4)]
    assert_messages_inside_their_axes(explorer)
    texts = [t.get_text() for t in explorer.figure.axes[1].texts if t.get_visible()]
    assert any("nats higher" in t for t in texts)  # where the overall maximum went
    assert any("the dot is" in t for t in texts)  # and where the dot went


@pytest.mark.parametrize("style", [False, True])
@pytest.mark.parametrize("sigma_end", ["min", "max"])
def test_y_label_never_overlaps_the_tick_labels(waiting, sigma_end, style):
    """Also in the notebooks' style (larger fonts), which is what a student sees."""
    with mpl.rc_context():
        if style:
            use_style()
        explorer = likelihood_explorer(waiting, name="waiting", unit="min")
        explorer.controls["sigma"].value = getattr(explorer.controls["sigma"], sigma_end)
    ax = explorer.figure.axes[1]
    renderer = explorer.figure.canvas.get_renderer()
    label = ax.yaxis.label.get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in tick_artists(explorer)]
    assert len(ticks) == 5
    assert all(label.x1 < t.x0 for t in ticks)
    assert len(set(tick_texts(explorer))) == len(ticks)  # all distinct
    assert (
        label.x0 > explorer.figure.axes[0].get_window_extent(renderer).x1
    )  # clear of the left panel


def test_axes_limits_never_move_so_every_redraw_is_fast(explorer):
    """The window moves by relabelling animated ticks: no full redraw at any sigma."""
    ax = explorer.figure.axes[1]
    limits = ax.get_ylim()
    background = explorer._renderer._background
    sigma = explorer.controls["sigma"]
    for value in np.linspace(sigma.min, sigma.max, 9):
        sigma.value = value
        assert ax.get_ylim() == limits
    assert explorer._renderer._background is background  # never redrawn in full


@pytest.mark.parametrize("sigma", np.linspace(1.4, 27.1, 40))
def test_the_window_always_holds_the_curves_peak(shared_explorer, sigma):
    shared_explorer.controls["sigma"].value = sigma
    r = shared_explorer.result
    low, high = r["window"]
    assert low < r["loglik_best_mu"] - r["loglik_max"] < high
    assert high - low == pytest.approx(1.1 * WINDOW)


def test_the_window_moves_only_in_steps(explorer, waiting):
    """The window moves in steps of half a window (round tick labels, few jumps)."""
    sigma = explorer.controls["sigma"]
    values = np.arange(sigma.min, sigma.max + sigma.step / 2, sigma.step)
    peaks = normal_loglik(waiting, waiting.mean(), values) - explorer.result["loglik_max"]
    windows = [_window(p) for p in peaks]  # what view() sets, without drawing each one
    assert all((w[1] - 0.1 * WINDOW) % (WINDOW / 2) == 0 for w in windows)
    changes = sum(a != b for a, b in itertools.pairwise(windows))
    assert changes < 0.25 * len(values)
    sigma.value = values[3]
    assert explorer.result["window"] == windows[3]  # and view() sets exactly that


def test_a_fit_that_hugs_one_bump_is_650_nats_below_the_maximum(explorer):
    """The notebook's "things to try": mu = 80, sigma = 6 looks good and is not."""
    explorer.controls["mu"].value = 80.0
    explorer.controls["sigma"].value = 6.0
    r = explorer.result
    assert r["loglik_max"] - r["loglik"] == pytest.approx(650.7, abs=0.05)
    assert r["window"][0] < r["loglik"] - r["loglik_max"]  # the dot is in view
    assert "10^283× at the maximum" in explorer.readout_text.splitlines()[3]


@pytest.mark.parametrize(
    ("gap", "says"),
    [(0.0, "1× (no gap)"), (1.0, "2.7× (under 2 nats: a close call)"), (3.0, "20×"),
     (95.9, "10^42×")],
)  # fmt: skip
def test_readout_gives_gaps_a_scale(explorer, waiting, gap, says):
    """A gap of d nats: the data are e^d times more probable at the best mu."""
    sigma = explorer.controls["sigma"].value
    mu = waiting.mean() + sigma * np.sqrt(2 * gap / waiting.size)  # gap = n d^2 / (2 sigma^2)
    result, lines = explorer._view(mu=mu, sigma=sigma)  # off the slider's step: the exact gap
    assert result["gap"] == pytest.approx(gap)
    assert f"here {says} at the best μ" in lines[3]


def test_histogram_bins_sit_on_half_minutes(explorer, waiting):
    edges = sorted({p.get_x() for p in explorer.figure.axes[0].patches})
    assert np.allclose(np.mod(edges, 1), 0.5)
    widths = {round(p.get_width(), 9) for p in explorer.figure.axes[0].patches}
    assert widths == {2.0}  # every bar holds exactly two whole minutes


# --- helpers.plotting.histogram_bins (appended to plotting.py for this lesson) ---------------


def test_histogram_bins_for_whole_numbers_every_bin_holds_the_same_values(waiting):
    edges = histogram_bins(waiting)
    assert len(edges) - 1 <= 30
    assert edges[0] == waiting.min() - 0.5 and edges[-1] >= waiting.max() + 0.5
    possible = np.arange(waiting.min(), waiting.max() + 1)
    counts, _ = np.histogram(possible, edges)
    assert set(counts[:-1]) == {2}  # whole minutes per bin (the last may hold fewer)


def test_histogram_bins_for_other_data_are_equal_width(rng):
    x = rng.normal(size=100)
    np.testing.assert_allclose(histogram_bins(x, max_bins=12), np.histogram_bin_edges(x, 12))


@pytest.mark.parametrize(("x", "max_bins", "width"), [([1, 2, 3], 30, 1.0), ([0, 99], 10, 10.0)])
def test_histogram_bins_width_is_a_whole_number(x, max_bins, width):
    edges = histogram_bins(x, max_bins=max_bins)
    assert np.all(np.diff(edges) == width) and len(edges) - 1 <= max_bins


def test_histogram_bins_constant_data_gives_one_bin():
    np.testing.assert_array_equal(histogram_bins([3, 3, 3]), [2.5, 3.5])


BAD_INPUT_BINS = cases(histogram_bins, {"x": [1.0, 2.0, 4.0], "max_bins": 10},
                       {"x": "sample", "max_bins": "count"})  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT_BINS)
def test_histogram_bins_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)
