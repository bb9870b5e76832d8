"""Tests for helpers.plotting: style, plot_* functions, PNG rendering and BlitRenderer."""

from __future__ import annotations

import importlib
import io

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from bad_input import assert_rejects, cases
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

import helpers.plotting
from helpers.distributions import normal_loglik, normal_logpdf, normal_pdf
from helpers.plotting import (
    COLORS,
    BlitRenderer,
    figure_to_png,
    new_figure,
    plot_histogram,
    plot_loglik_surface,
    plot_normal_density,
    rgba_to_png,
    use_style,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def n_drawn(ax) -> int:
    return len(ax.lines) + len(ax.patches) + len(ax.collections)


# --- style ---------------------------------------------------------------------------------


def test_import_does_not_change_rcparams():
    before = dict(mpl.rcParams)
    importlib.reload(helpers.plotting)
    assert dict(mpl.rcParams) == before


def test_use_style_applies_course_style_and_can_be_undone():
    before = dict(mpl.rcParams)
    with mpl.rc_context():
        assert use_style() is None
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.spines.right"] is False
        assert tuple(mpl.rcParams["figure.figsize"]) == (7.0, 3.6)
        assert mpl.rcParams["figure.dpi"] == 96
        assert mpl.rcParams["savefig.bbox"] in (None, "standard")
        use_style(context="talk")  # other seaborn contexts work too
        assert mpl.rcParams["axes.spines.top"] is False
    assert dict(mpl.rcParams) == before


# --- new_figure and figure_to_png ------------------------------------------------------------


def test_new_figure_is_not_registered_with_pyplot():
    before = plt.get_fignums()
    fig, ax = new_figure()
    assert plt.get_fignums() == before
    assert isinstance(fig, Figure)
    assert isinstance(ax, Axes)
    assert fig.canvas.figure is fig
    assert fig.get_size_inches() == pytest.approx((9.0, 3.6))
    assert fig.dpi == 96


@pytest.mark.parametrize("ncols", [2, 3])
def test_new_figure_ncols(ncols):
    fig, axes = new_figure(ncols, figsize=(4, 2), dpi=50)
    assert len(axes) == ncols
    assert all(isinstance(ax, Axes) for ax in axes)
    assert fig.get_size_inches() == pytest.approx((4, 2))
    assert fig.dpi == 50


def test_figure_to_png_returns_png_bytes_of_the_figure_size():
    fig, ax = new_figure(figsize=(3, 2), dpi=50)
    ax.plot([0, 1], [0, 1])
    png = figure_to_png(fig)
    assert isinstance(png, bytes)
    assert png.startswith(PNG_SIGNATURE)
    assert decode(png).shape == (100, 150, 4)


def test_figure_to_png_reflects_changes():
    fig, ax = new_figure(figsize=(3, 2), dpi=50)
    (line,) = ax.plot([0, 1], [0, 1])
    first = decode(figure_to_png(fig))
    assert np.array_equal(first, decode(figure_to_png(fig)))
    line.set_ydata([1, 0])
    assert not np.array_equal(first, decode(figure_to_png(fig)))


# --- plot_* functions --------------------------------------------------------------------------


@pytest.mark.parametrize("bins", ["auto", 10, 30])
def test_plot_histogram_returns_given_ax_and_is_density_normalised(rng, bins):
    _, ax = new_figure()
    x = rng.normal(5.0, 2.0, 500)
    out = plot_histogram(x, ax=ax, bins=bins)
    assert out is ax
    assert len(ax.patches) > 0
    area = sum(p.get_height() * p.get_width() for p in ax.patches)
    assert area == pytest.approx(1.0, rel=1e-9)
    assert ax.get_ylabel() == "density"
    assert ax.patches[0].get_label() == "data"
    assert mpl.colors.same_color(ax.patches[0].get_facecolor()[:3], COLORS["data"])


def test_plot_histogram_kwargs_override_style(rng):
    _, ax = new_figure()
    plot_histogram(rng.normal(size=50), ax=ax, bins=5, color="red", label="mine")
    assert mpl.colors.same_color(ax.patches[0].get_facecolor()[:3], "red")
    assert ax.patches[0].get_label() == "mine"


@pytest.mark.parametrize(
    ("x", "pattern"),
    [([], r"^x must not be empty"), ([1.0, np.nan], r"^x contains NaN"), ([[1.0]], r"^x must")],
)
def test_plot_histogram_rejects_bad_sample(x, pattern):
    _, ax = new_figure()
    with pytest.raises(ValueError, match=pattern):
        plot_histogram(x, ax=ax)


@pytest.mark.parametrize("log", [False, True])
def test_plot_normal_density_draws_the_density(log):
    _, ax = new_figure()
    out = plot_normal_density(2.0, 0.5, ax=ax, log=log)
    assert out is ax
    assert len(ax.lines) == 1
    line = ax.lines[0]
    grid, y = line.get_data()
    assert len(grid) == 400
    assert grid[0] == pytest.approx(0.0) and grid[-1] == pytest.approx(4.0)  # mu +/- 4 sigma
    expected = normal_logpdf(grid, 2.0, 0.5) if log else normal_pdf(grid, 2.0, 0.5)
    np.testing.assert_allclose(y, expected)
    assert ax.get_ylabel() == ("log density" if log else "density")
    assert "2" in line.get_label() and "0.5" in line.get_label()


def test_plot_normal_density_custom_grid_label_and_color():
    _, ax = new_figure()
    grid = np.linspace(-1, 1, 7)
    plot_normal_density(0.0, 1.0, ax=ax, grid=grid, label="model", color="k")
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), grid)
    assert line.get_label() == "model"
    assert mpl.colors.same_color(line.get_color(), "k")


def test_plot_normal_density_rejects_bad_sigma():
    _, ax = new_figure()
    with pytest.raises(ValueError, match=r"^sigma must be > 0"):
        plot_normal_density(0.0, -1.0, ax=ax, grid=np.linspace(-1, 1, 5))


def test_plot_loglik_surface_marks_the_grid_maximum(rng):
    fig, ax = new_figure()
    x = rng.normal(3.0, 2.0, 200)
    mu_grid, sigma_grid = np.linspace(0, 6, 61), np.linspace(0.5, 5, 46)
    out = plot_loglik_surface(x, mu_grid, sigma_grid, ax=ax, levels=12)
    assert out is ax
    assert len(ax.collections) >= 1  # the filled contours
    assert len(fig.axes) == 2  # plus a colorbar
    star = ax.lines[-1]
    assert star.get_label() == "grid maximum"
    mu_mesh, sigma_mesh = np.meshgrid(mu_grid, sigma_grid)
    ll = normal_loglik(x, mu_mesh, sigma_mesh)
    i, j = np.unravel_index(np.argmax(ll), ll.shape)
    assert star.get_xdata()[0] == mu_mesh[i, j]
    assert star.get_ydata()[0] == sigma_mesh[i, j]
    assert abs(star.get_xdata()[0] - x.mean()) <= 0.05 + 1e-12  # half a grid step
    assert ax.get_legend() is not None
    assert ax.get_xlabel() == r"$\mu$" and ax.get_ylabel() == r"$\sigma$"


def test_plot_loglik_surface_clips_colour_scale_60_nats_below_peak(rng):
    _, ax = new_figure()
    x = rng.normal(0.0, 1.0, 500)
    mu_grid, sigma_grid = np.linspace(-5, 5, 41), np.linspace(0.2, 5, 30)
    plot_loglik_surface(x, mu_grid, sigma_grid, ax=ax)
    cs = ax.collections[0]
    ll = normal_loglik(x, *np.meshgrid(mu_grid, sigma_grid))
    top = ll.max()
    assert ll.min() < top - 1000  # without the clip the scale would span > 1000 nats
    step = cs.levels[1] - cs.levels[0]  # contour levels are rounded outwards by a step
    assert top - 60 - step <= cs.levels.min()
    assert top <= cs.levels.max() <= top + step


@pytest.mark.parametrize(
    "call",
    [
        lambda ax: plot_histogram([1.0, 2.0, 2.5, 3.0], ax=ax),
        lambda ax: plot_normal_density(0.0, 1.0, ax=ax),
        lambda ax: plot_loglik_surface([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.5, 1.0, 2.0], ax=ax),
    ],
    ids=["histogram", "normal_density", "loglik_surface"],
)
def test_every_plot_function_returns_given_ax_and_draws(call):
    fig, ax = new_figure()
    assert n_drawn(ax) == 0
    assert call(ax) is ax
    assert n_drawn(ax) > 0
    assert figure_to_png(fig).startswith(PNG_SIGNATURE)  # and it renders


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_histogram([1.0, 2.0, 3.0]),
        lambda: plot_normal_density(0.0, 1.0),
        lambda: plot_loglik_surface([1.0, 2.0, 3.0], [1.0, 2.0], [0.5, 1.0]),
    ],
    ids=["histogram", "normal_density", "loglik_surface"],
)
def test_plot_functions_make_their_own_axes_when_none_given(call):
    before = set(plt.get_fignums())
    ax = call()
    try:
        assert isinstance(ax, Axes)
        assert n_drawn(ax) > 0
        assert set(plt.get_fignums()) - before == {ax.figure.number}
    finally:
        plt.close(ax.figure)


# --- BlitRenderer ------------------------------------------------------------------------------


def _blit_scene(animated: bool):
    """A small deterministic figure: a static curve, and a line and a title a slider would move.

    The moving line stays inside the axes, away from the spines, so that drawing it "on top"
    (as a blit does) and drawing it in z-order (as a full draw does) give the same pixels.
    """
    fig, ax = new_figure(figsize=(4, 3), dpi=72)
    t = np.linspace(0.1, 0.9, 50)
    ax.plot(t, t**2 - 0.5, color="C0")
    (line,) = ax.plot(t, 0 * t, color="C1", lw=2, animated=animated)
    title = ax.set_title("start", animated=animated)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, 1)
    return fig, ax, line, title


def _move(line, title, k):
    line.set_ydata(np.linspace(0.1, 0.9, 50) * k - 0.3)
    title.set_text(f"moved {k}")


def _reference_png(moves, ylim=None):
    """Full draw of an equivalent figure with nothing animated, layout frozen the same way."""
    fig, ax, line, title = _blit_scene(animated=False)
    fig.canvas.draw()  # constrained layout computed on the initial state, as in the renderer
    fig.set_layout_engine("none")
    for k in moves:
        _move(line, title, k)
    if ylim is not None:
        ax.set_ylim(*ylim)
    return figure_to_png(fig)


def test_blit_render_returns_png_bytes():
    fig, *_ = _blit_scene(animated=True)
    png = BlitRenderer(fig).render()
    assert png.startswith(PNG_SIGNATURE)
    assert decode(png).shape == (216, 288, 4)


def test_blit_first_render_equals_later_render_when_nothing_changed():
    fig, *_ = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    first = decode(renderer.render())
    for _ in range(3):
        np.testing.assert_array_equal(decode(renderer.render()), first)


def test_blit_first_render_equals_full_draw():
    fig, *_ = _blit_scene(animated=True)
    # exact equality holds here
    np.testing.assert_array_equal(decode(BlitRenderer(fig).render()), decode(_reference_png([])))


def test_blit_animated_change_changes_pixels_and_equals_full_draw():
    fig, _, line, title = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    first = decode(renderer.render())
    _move(line, title, 1.0)
    moved = decode(renderer.render())
    assert (moved != first).any(axis=-1).sum() > 100
    np.testing.assert_array_equal(moved, decode(_reference_png([1.0])))  # exact
    # moving again does not leave a trail of the previous position
    _move(line, title, -0.5)
    np.testing.assert_array_equal(decode(renderer.render()), decode(_reference_png([-0.5])))


def test_blit_hidden_animated_artist_is_not_drawn():
    fig, _, line, _ = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    shown = decode(renderer.render())
    line.set_visible(False)
    hidden = decode(renderer.render())
    assert (shown != hidden).any()
    ref_fig, _, ref_line, _ = _blit_scene(animated=False)
    ref_fig.canvas.draw()
    ref_fig.set_layout_engine("none")
    ref_line.set_visible(False)
    np.testing.assert_array_equal(hidden, decode(figure_to_png(ref_fig)))


def test_blit_reuses_background_for_non_animated_changes():
    # Proves blitting really happens: a change to a static artist with unchanged limits is
    # not redrawn (the documented contract: mark what a slider changes as animated).
    fig, ax, *_ = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    first = decode(renderer.render())
    ax.lines[0].set_color("black")
    np.testing.assert_array_equal(decode(renderer.render()), first)


def test_blit_limit_change_triggers_full_redraw():
    fig, ax, line, title = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    renderer.render()
    _move(line, title, 1.0)
    before = decode(renderer.render())
    ax.set_ylim(-3, 3)
    after = decode(renderer.render())
    # The tick labels, left of the axes, are only redrawn by a full draw.
    x0 = int(np.floor(ax.get_window_extent().x0))
    assert (after[:, :x0] != before[:, :x0]).any()
    # and the result is the truth: equal to a full draw of the same state (exact)
    np.testing.assert_array_equal(after, decode(_reference_png([1.0], ylim=(-3, 3))))
    # later renders at the new limits blit from the new background
    np.testing.assert_array_equal(decode(renderer.render()), after)


def test_blit_freezes_layout_after_first_render():
    fig, ax, _, title = _blit_scene(animated=True)
    renderer = BlitRenderer(fig)
    renderer.render()
    position = ax.get_position().bounds
    title.set_text("a much longer title\nover two lines")
    renderer.render()
    ax.set_ylim(-1e6, 1e6)  # wide tick labels, full redraw: still no layout change
    renderer.render()
    assert ax.get_position().bounds == position


def test_blit_animated_drawn_on_top_of_spines_small_difference():
    # A blit draws animated artists above everything; a full draw respects z-order, so where
    # an animated line crosses a spine a handful of pixels differ. Documented tolerance.
    def scene(animated):
        fig, ax = new_figure(figsize=(4, 3), dpi=72)
        t = np.linspace(0, 1, 50)
        ax.plot(t, 0 * t, color="C1", animated=animated)
        ax.set_xlim(0, 1)
        ax.set_ylim(-1, 1)
        return fig

    blit = decode(BlitRenderer(scene(True)).render())
    ref_fig = scene(False)
    ref_fig.canvas.draw()
    ref_fig.set_layout_engine("none")
    ref = decode(figure_to_png(ref_fig))
    n_diff = (blit != ref).any(axis=-1).sum()
    assert n_diff <= 10  # measured: 2 to 4 pixels, where the line meets the spines


# --- bad input: the shared parametrized checks (tests/bad_input.py) -------------------------

BAD_INPUT = [
    *cases(new_figure, {"ncols": 2, "figsize": (4.0, 2.0), "dpi": 50},
           {"ncols": "count", "figsize": "scale", "dpi": "count"},
           extra={"ncols": [13], "figsize": [(4.0,), (1e3, 2.0)], "dpi": [5, 601]}),
    *cases(plot_histogram, {"x": [1.0, 2.0, 3.0]}, {"x": "sample"}),
    *cases(plot_normal_density, {"mu": 0.0, "sigma": 1.0, "grid": [-1.0, 0.0, 1.0]},
           {"mu": "location", "sigma": "scale", "grid": "sample"}),
    *cases(plot_loglik_surface,
           {"x": [1.0, 2.0, 4.0], "mu_grid": [1.0, 2.0, 3.0], "sigma_grid": [0.5, 1.0, 2.0],
            "levels": 10},
           {"x": "sample", "mu_grid": "location", "sigma_grid": "scale", "levels": "count"},
           extra={"levels": [[0.0, np.nan]]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


# --- rgba_to_png: the explorers' encoder ---------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (393, 1008)])
def test_rgba_to_png_round_trips_exactly_through_pillow(shape, rng):
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    png = rgba_to_png(rgba)
    assert png.startswith(PNG_SIGNATURE)
    decoded = Image.open(io.BytesIO(png))
    decoded.load()  # verifies every chunk's CRC and the zlib stream
    assert decoded.mode == "RGBA" and decoded.size == (shape[1], shape[0])
    np.testing.assert_array_equal(np.asarray(decoded), rgba)


def test_blit_renderer_output_decodes_to_the_canvas_pixels():
    fig, ax = new_figure(figsize=(3.0, 2.0), dpi=50)
    ax.plot([0, 1], [0, 1], animated=True)
    png = BlitRenderer(fig).render()
    np.testing.assert_array_equal(
        np.asarray(Image.open(io.BytesIO(png))), np.asarray(fig.canvas.buffer_rgba())
    )


NOT_RGBA = [np.zeros((2, 3, 3), np.uint8), np.zeros((2, 3, 4))]  # RGB; float
BAD_INPUT_PNG = cases(rgba_to_png, {"rgba": np.zeros((2, 3, 4), np.uint8)}, {"rgba": "array"},
                      extra={"rgba": NOT_RGBA})  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT_PNG)
def test_rgba_to_png_rejects_what_is_not_rgba_bytes(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)
