"""Notebook 02's explorers (helpers.widgets.closed_form_mle), driven as a student drives them."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from explorer_checks import beyond_the_ends, set_controls
from PIL import Image

from helpers.data import load_penguins
from helpers.mle import variance_estimates
from helpers.widgets.closed_form_mle import outlier_explorer, variance_bias_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decode(png) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))


@pytest.fixture(scope="module")
def bill():
    df = load_penguins()
    return df.loc[df["species"] == "Adelie", "bill_length_mm"].to_numpy()


@pytest.fixture(scope="module")
def bias():
    return variance_bias_explorer(n_repeats=4_000)


@pytest.fixture
def outlier(bill):
    return outlier_explorer(bill, name="bill length", unit="mm", position=391.0)


# --- the variance-bias explorer ------------------------------------------------------------


def test_bias_explorer_starts_at_n_3(bias):
    assert bias.error is None
    assert bias.values == {"n": 3, "seed": 0}
    assert bytes(bias.image.value).startswith(PNG_SIGNATURE)
    assert bias.readout_text.count("\n") == 2
    assert "0.667" in bias.readout_text  # (n-1)/n at n = 3


@pytest.mark.parametrize("end", ["min", "max"])
@pytest.mark.parametrize("name", ["n", "seed"])
def test_bias_explorer_slider_ends_are_clean(bias, name, end):
    control = bias.controls[name]
    assert set_controls(bias, **{name: getattr(control, end)}) == []
    assert bias.error is None and bias.result is not None
    assert all(math.isfinite(v) for v in bias.result.values())
    assert not bias.readout_text.startswith("Cannot show")
    control.value = {"n": 3, "seed": 0}[name]


@pytest.mark.parametrize("n", [2, 3, 7, 30])
def test_bias_follows_the_theory(bias, n):
    bias.controls["n"].value = n
    r = bias.result
    assert r["n"] == n
    assert r["theory_mle"] == pytest.approx((n - 1) / n)
    assert r["ratio"] == pytest.approx((n - 1) / n, rel=1e-12)  # the same samples, rescaled
    se = np.sqrt(2 / n) * (n - 1) / n / np.sqrt(4_000)  # sd of the average of the MLE
    assert r["mean_mle"] == pytest.approx((n - 1) / n, abs=5 * se)
    assert r["mean_ddof1"] == pytest.approx(1.0, abs=5 * se * n / (n - 1))
    bias.controls["n"].value = 3


def test_bias_averages_equal_the_helper(bias):
    bias.controls["seed"].value = 4
    bias.controls["n"].value = 12
    est = variance_estimates(np.arange(2, 31), n_repeats=4_000, rng=4)
    assert bias.result["mean_mle"] == pytest.approx(est["mle"][10].mean(), rel=1e-12)
    assert bias.result["mean_ddof1"] == pytest.approx(est["ddof1"][10].mean(), rel=1e-12)
    bias.controls["seed"].value = 0
    bias.controls["n"].value = 3


@pytest.mark.parametrize(("n", "seed"), [(2, 4), (12, 4), (30, 7), (5, 7), (30, 4)])
def test_bias_histogram_shows_the_samples_behind_the_averages(bias, n, seed):
    # the right panel's samples are drawn per (n, seed); they must be the first n rows of the
    # draws behind the left panel's averages, or the two panels would show different samples
    bias.controls["seed"].value = seed
    bias.controls["n"].value = n
    alone = variance_estimates(n, n_repeats=4_000, rng=seed)
    assert bias.result["mean_mle"] == pytest.approx(alone["mle"].mean(), rel=1e-12)
    assert bias.result["mean_ddof1"] == pytest.approx(alone["ddof1"].mean(), rel=1e-12)
    edges = np.linspace(0, 4, 61)
    ax_hist = bias.figure.axes[1]
    for key, label in (("mle", "1/n (MLE)"), ("ddof1", "1/(n-1)")):
        line = next(line for line in ax_hist.lines if line.get_label() == label)
        counts, _ = np.histogram(alone[key], bins=edges)
        heights = np.repeat(counts / (4_000 * (edges[1] - edges[0])), 2)
        np.testing.assert_allclose(line.get_ydata(), heights, rtol=1e-12)
    bias.controls["seed"].value = 0
    bias.controls["n"].value = 3


def test_bias_theory_and_markers_do_not_hide_each_other(bias):
    ax_avg = bias.figure.axes[0]
    theory = next(line for line in ax_avg.lines if line.get_label().startswith("theory"))
    assert theory.get_linewidth() >= 4 and theory.get_alpha() < 0.5  # thick, light, behind
    markers = [line for line in ax_avg.lines if line.get_label().startswith(("1/n", "1/(n-1)"))]
    assert len(markers) == 2 and all(line.get_linestyle() == "None" for line in markers)


def test_bias_true_variance_is_a_band_behind_the_ddof1_average(bias):
    """The ddof=1 average sits at sigma^2: a dotted line there hid it (issue 16, c17)."""
    ax_hist = bias.figure.axes[1]
    truth = next(line for line in ax_hist.lines if line.get_label() == r"true $\sigma^2$")
    assert truth.get_linewidth() >= 4 and truth.get_alpha() < 0.5 and truth.get_zorder() < 1
    dashed = [line for line in ax_hist.lines if line.get_linestyle() == "--"]
    assert dashed and all(line.get_zorder() > truth.get_zorder() for line in dashed)


def test_bias_seed_changes_the_draws_and_returns(bias):
    png, text = decode(bias.image.value), bias.readout_text
    bias.controls["seed"].value = 1
    assert bias.readout_text != text
    assert not np.array_equal(decode(bias.image.value), png)
    bias.controls["seed"].value = 0
    assert bias.readout_text == text
    np.testing.assert_array_equal(decode(bias.image.value), png)


def test_bias_sigma_scales_everything():
    ex = variance_bias_explorer(n=5, n_repeats=2_000, sigma=3.0)
    r = ex.result
    assert r["var"] == 9.0 and r["theory_mle"] == pytest.approx(9.0 * 4 / 5)
    assert r["mean_mle"] == pytest.approx(7.2, rel=0.05)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"n": 40}, r"^n must be <= n_max = 30"), ({"n": 1}, r"^n must be >= 2"),
     ({"n_max": 2}, r"^n_max must be >= 3")],
)  # fmt: skip
def test_bias_explorer_rejects_impossible_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        variance_bias_explorer(**kwargs)


# --- the outlier explorer ------------------------------------------------------------------


def test_outlier_explorer_starts_with_the_slipped_decimal(outlier, bill):
    r = outlier.result
    assert outlier.error is None
    assert r["position"] == 391.0
    assert r["mean"] == pytest.approx(np.mean(np.append(bill, 391.0)), rel=1e-12)
    assert r["median"] == pytest.approx(np.median(np.append(bill, 391.0)), rel=1e-12)
    assert r["mean_shift"] > 2.0 and abs(r["median_shift"]) < 0.1


@pytest.mark.parametrize("position", [40.0, 60.0, 200.0, 391.0, 460.0])
def test_mean_moves_by_distance_over_n_plus_1(outlier, bill, position):
    outlier.controls["position"].value = position
    r = outlier.result
    n = bill.size
    assert r["mean_shift"] == pytest.approx((position - bill.mean()) / (n + 1), rel=1e-9)
    srt = np.sort(bill)
    lo, hi = srt[(n - 1) // 2 - 1], srt[n // 2 + 1]  # one rank either side
    assert lo <= r["median"] <= hi
    assert r["sigma_hat"] == pytest.approx(np.std(np.append(bill, position)), rel=1e-12)
    assert r["scale_hat"] == pytest.approx(
        np.mean(np.abs(np.append(bill, position) - r["median"])), rel=1e-12
    )


def test_far_outlier_moves_the_mean_far_more_than_the_median(outlier):
    outlier.controls["position"].value = outlier.controls["position"].max
    far = outlier.result
    assert far["mean_shift"] > 20 * abs(far["median_shift"])


@pytest.mark.parametrize("end", ["min", "max"])
def test_outlier_slider_ends_are_clean(outlier, end):
    control = outlier.controls["position"]
    assert set_controls(outlier, position=getattr(control, end)) == []
    assert outlier.error is None
    assert all(math.isfinite(v) for v in outlier.result.values())
    assert not outlier.readout_text.startswith("Cannot show")


def test_outlier_moves_change_the_picture(outlier):
    png, text = decode(outlier.image.value), outlier.readout_text
    outlier.controls["position"].value = 45.0
    assert outlier.readout_text != text
    assert not np.array_equal(decode(outlier.image.value), png)
    outlier.controls["position"].value = 391.0
    np.testing.assert_array_equal(decode(outlier.image.value), png)


def test_outlier_slider_range_and_default(bill):
    ex = outlier_explorer(bill)
    control = ex.controls["position"]
    assert control.min <= bill.min() and control.max >= 10 * bill.max()
    assert ex.values["position"] == pytest.approx(control.max)
    neg = outlier_explorer(-bill)  # negative data: the default reaches 10 ranges to the right
    assert neg.controls["position"].max >= -bill.min() + 10 * np.ptp(bill) - 1


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"x": [2.0, 2.0]}, r"^x has no spread"),
     ({"x": [1.0, 2.0], "max_position": 1.5}, r"^max_position must be > the largest x")],
)  # fmt: skip
def test_outlier_explorer_rejects_impossible_settings(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        outlier_explorer(**kwargs)


_BIAS = {"n": 3, "n_max": 30, "n_repeats": 50, "sigma": 1.0, "seed": 0}
_OUTLIER = {"x": [1.0, 2.0, 4.0], "position": 30.0, "max_position": 40.0, "bins": 5}
BAD_INPUT = [
    *cases(variance_bias_explorer, _BIAS,
           {"n": "count", "n_max": "count", "n_repeats": "count", "sigma": "scale",
            "seed": "seed"},
           # n above n_max; n_max past its cap; 30 x 400,000 numbers per seed; a seed off
           # the slider (0 to 20: every seed's averages are drawn up front; 1e9 used to loop
           # over a billion seeds)
           extra={"n": [31], "n_max": [1001], "n_repeats": [400_000], "seed": [21, 10**9]}),
    *beyond_the_ends(variance_bias_explorer, _BIAS),
    *cases(outlier_explorer, _OUTLIER,
           {"x": "sample", "position": "location", "max_position": "location", "bins": "count"},
           extra={"x": [[3.0, 3.0]], "max_position": [3.0], "bins": [[1.0], [3.0, 1.0, 5.0]]}),
    *beyond_the_ends(outlier_explorer, _OUTLIER),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_outlier_readout_gives_both_scales_before_and_after(outlier):
    outlier.controls["position"].value = 391.0
    last = outlier.readout_text.splitlines()[-1]
    assert "Gaussian fit: sd = 29.07 mm (without it 2.65 mm)" in last
    assert "Laplace fit: scale b = 4.54 mm (without it 2.16 mm)" in last
    assert "\u0302" not in last  # no combining hat: it rendered as "σˆ=" (issue 16)
    assert outlier.figure.axes[0].get_ylabel() == "density (per mm)"


def test_off_window_marker_clears_the_flattened_curve(outlier):
    """The right-edge marker sat on the Gaussian's tail along the axis (issue 16, c50)."""
    outlier.controls["position"].value = 391.0
    ax = outlier.figure.axes[0]
    arrow = next(line for line in ax.lines if line.get_marker() == ">")
    assert arrow.get_visible()
    y_marker = arrow.get_ydata()[0] * ax.get_ylim()[1]  # axes fraction to data (ylim from 0)
    curves = [line for line in ax.lines if len(line.get_xdata()) > 100]
    right_edge = max(float(np.max(line.get_ydata()[-20:])) for line in curves)
    assert y_marker > 2 * right_edge


def test_an_off_plot_point_is_marked_and_named(outlier):
    outlier.controls["position"].value = 391.0
    assert "off the left plot" in outlier.readout_text.splitlines()[0]
    outlier.controls["position"].value = 40.0
    assert outlier.readout_text.splitlines()[0] == "extra point at 40 mm"
    outlier.controls["position"].value = 391.0
