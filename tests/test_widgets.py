"""Tests for the explorer framework (helpers.widgets.explorer): sliders, errors, snapshots."""

from __future__ import annotations

import base64
import io
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from bad_input import assert_rejects, cases
from PIL import Image

from helpers.plotting import new_figure
from helpers.widgets import (
    Explorer,
    choice,
    fit_text,
    float_slider,
    int_slider,
    log_slider,
    nice_step,
    seed_slider,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


# --- sliders ------------------------------------------------------------------------------------


def test_float_slider_settings():
    s = float_slider("mean", 2.0, 0.0, 5.0, 0.1)
    assert isinstance(s, widgets.FloatSlider)
    assert (s.value, s.min, s.max, s.step) == (2.0, 0.0, 5.0, 0.1)
    assert s.description == "mean"
    assert s.continuous_update is True


def test_log_slider_settings():
    s = log_slider("rate", 0.01, -4, 0)
    assert isinstance(s, widgets.FloatLogSlider)
    assert s.base == 10
    assert (s.min, s.max) == (-4, 0)
    assert s.value == pytest.approx(0.01)


# --- the likelihood explorer ----------------------------------------------------------------------


def test_int_seed_and_choice_controls():
    s = int_slider("steps", 10, 1, 100)
    assert isinstance(s, widgets.IntSlider) and (s.value, s.min, s.max) == (10, 1, 100)
    seed = seed_slider()
    assert isinstance(seed, widgets.IntSlider) and seed.min == 0 and seed.value == 0
    c = choice("optimiser", ["plain", "momentum", "adam"])
    assert isinstance(c, widgets.Dropdown) and c.value == "plain"


@pytest.mark.parametrize(("scale", "step"), [(13.6, 0.1), (1.0, 0.01), (0.05, 0.0001), (250, 1.0)])
def test_nice_step(scale, step):
    assert nice_step(scale) == pytest.approx(step)


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), "abc"])
def test_nice_step_rejects_bad_scales_naming_the_argument(scale):
    with pytest.raises(ValueError, match=r"^scale "):
        nice_step(scale)


# --- the Explorer base class ---------------------------------------------------------------


def _tiny(view, **controls):
    """An explorer with one animated line on a small new_figure."""
    fig, ax = new_figure(figsize=(2.0, 1.5), dpi=50)
    (line,) = ax.plot([0, 1], [0, 0], animated=True)
    ax.set_ylim(-1, 1)

    def wrapped(**values):
        line.set_ydata([0, values.get("a", 0.0)])
        return view(**values)

    controls = controls or {"a": float_slider("a", 0.0, -1.0, 1.0, 0.1)}
    return Explorer(controls, wrapped, fig, title="tiny")


def _ok_view(a):
    return {"a": a}, [f"a = {a:.2f}"]


def test_base_explorer_happy_path():
    ex = _tiny(_ok_view)
    assert ex.error is None
    assert ex.result == {"a": 0.0}
    assert ex.readout_text == "a = 0.00"
    ex.controls["a"].value = 0.5
    assert ex.result == {"a": 0.5}
    assert ex.values == {"a": 0.5}
    assert ex.readout_text == "a = 0.50"
    assert "l2l-explorer" in ex._dom_classes


def test_view_that_raises_is_shown_not_raised():
    def view(a):
        raise ValueError("boom")

    ex = _tiny(view)  # no exception escapes the constructor
    assert isinstance(ex.error, ValueError)
    assert str(ex.error) == "boom"
    assert ex.result is None
    assert "boom" in ex.readout_text
    assert ex.readout_text.startswith("Cannot show this setting: boom")
    assert "boom" in ex.readout.value
    assert bytes(ex.image.value).startswith(PNG_SIGNATURE)
    ex.controls["a"].value = 0.3  # and none escapes a slider move
    assert isinstance(ex.error, ValueError)


def test_error_shows_on_the_picture_and_clears_on_recovery():
    def view(a):
        if a > 0.5:
            raise ValueError("a is too large")
        return _ok_view(a)

    ex = _tiny(view)
    ok_picture = decode(ex.image.value)
    ex.controls["a"].value = 0.8
    assert str(ex.error) == "a is too large"
    assert ex.result is None
    # the message is drawn on the figure, so a frozen plot never hides the error
    assert not np.array_equal(decode(ex.image.value), ok_picture)
    ex.controls["a"].value = 0.0
    assert ex.error is None
    assert ex.result == {"a": 0.0}
    assert ex.readout_text == "a = 0.00"
    np.testing.assert_array_equal(decode(ex.image.value), ok_picture)


def test_view_that_warns_is_shown_as_a_message_not_propagated():
    def view(a):
        if a > 0:
            warnings.warn("careful: this is numerically fragile", RuntimeWarning, stacklevel=1)
        return _ok_view(a)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ex = _tiny(view)
        assert ex.error is None
        ex.controls["a"].value = 0.4
    assert caught == []
    assert isinstance(ex.error, RuntimeWarning)
    assert "careful" in str(ex.error)
    assert ex.result is None
    assert ex.readout_text.splitlines() == [
        "Cannot show this setting: careful: this is numerically fragile",
        "a = 0.40",
    ]


def test_numpy_floating_point_warning_is_caught():
    def view(a):
        return {"log": float(np.log(np.float64(a)))}, ["log"]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ex = _tiny(view)  # a = 0 -> divide by zero in log
    assert caught == []
    assert isinstance(ex.error, RuntimeWarning)
    assert "divide by zero" in ex.readout_text


def test_readout_and_title_are_html_escaped():
    def view(a):
        return None, ["<script>alert(1)</script> & more"]

    fig, _ = new_figure(figsize=(2.0, 1.5), dpi=50)
    ex = Explorer({"a": float_slider("a", 0.0, 0.0, 1.0, 0.1)}, view, fig, title="<b>x</b>")
    assert "<script>" not in ex.readout.value
    assert "&lt;script&gt;" in ex.readout.value
    assert ex.readout_text == "<script>alert(1)</script> & more"  # plain text stays plain
    assert "&lt;b&gt;x&lt;/b&gt;" in ex.children[0].value


def test_base_explorer_mimebundle():
    ex = _tiny(_ok_view)
    bundle = ex._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle["text/plain"] == "Explorer (a = 0)\na = 0.00"
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


def test_mimebundle_with_a_dropdown_control():
    def view(kind):
        return kind, [f"kind = {kind}"]

    fig, _ = new_figure(figsize=(2.0, 1.5), dpi=50)
    ex = Explorer({"kind": widgets.Dropdown(options=["normal", "laplace"])}, view, fig)
    assert ex.error is None
    assert "kind = normal" in ex._repr_mimebundle_()["text/plain"]


BAD_INPUT = [
    *cases(nice_step, {"scale": 13.6}, {"scale": "scale"}),
    # a slider's start value, named by the explorer argument it came from
    *cases(lambda value: float_slider("mean", value, 0.0, 1.0, 0.1, name="value"),
           {"value": 0.5}, {"value": "probability"}, covers="float_slider start value"),
    *cases(lambda value: log_slider("rate", value, -6, 2, name="value"), {"value": 1e-3},
           {"value": "scale"}, extra={"value": [1e-7, 1e3]}, covers="log_slider start value"),
    *cases(lambda value: int_slider("steps", value, 1, 100, name="value"), {"value": 30},
           {"value": "count"}, extra={"value": [101]}, covers="int_slider start value"),
    *cases(lambda value: seed_slider(value, name="value"), {"value": 3}, {"value": "seed"},
           extra={"value": [21]}, covers="seed_slider start value"),
    *cases(lambda value: choice("method", [("Adam", "adam"), ("plain", "gradient")], value,
                                name="value"),
           # None is the factory's "first option"; an explorer refuses it itself
           {"value": "adam"}, {"value": "other"}, extra={"value": ["Adam", "no such", 1.0]},
           covers="choice start value"),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize("fontsize", [7, 9, 12, 16])
def test_fit_text_keeps_a_long_message_inside_its_axes(fontsize):
    fig, (ax, _) = new_figure(ncols=2, figsize=(9, 3))
    text = ax.text(0.03, 0.97, "", transform=ax.transAxes, va="top", fontsize=fontsize)
    message = "diverged at step 26: lr > 2σ²/n = 0.001; " * 4 + "averylongwordwithoutspaces"
    text.set_text(fit_text(text, message))
    fig.canvas.draw()
    box, inside = text.get_window_extent(), ax.get_window_extent()
    assert "\n" in text.get_text()
    assert box.x1 <= inside.x1, f"{box.x1:.0f} px beyond the axes' right edge {inside.x1:.0f}"
    # nothing is lost (a word longer than a line is split, so that it fits too)
    assert "".join(text.get_text().split()) == "".join(message.split())


def test_fit_text_keeps_existing_line_breaks_and_short_text():
    _, ax = new_figure(figsize=(6, 3))
    text = ax.text(0.5, 0.5, "")
    assert fit_text(text, "short") == "short"
    assert fit_text(text, "one\ntwo") == "one\ntwo"
    assert fit_text(text, "") == ""


def test_slider_start_values_off_the_slider_are_refused_by_the_argument_s_name():
    with pytest.raises(ValueError, match=r"^lr must be within \[1e-06, 100\], got 1000$"):
        log_slider("learning rate lr", 1e3, -6, 2, name="lr")
    with pytest.raises(ValueError, match=r"^n_steps must be within \[1, 100\], got 1000$"):
        int_slider("steps", 1000, 1, 100, name="n_steps")
    with pytest.raises(ValueError, match=r"^n_steps must be a whole number, got 2.5$"):
        int_slider("steps", 2.5, 1, 100, name="n_steps")
    with pytest.raises(ValueError, match=r"^method must be one of 'adam', 'gradient'; got 'x'$"):
        choice("optimiser", [("Adam", "adam"), ("plain", "gradient")], "x", name="method")


def test_slider_ends_are_valid_start_values():
    assert float_slider("m", 1.0, 0.0, 1.0, 0.1, name="m").value == 1.0
    assert log_slider("r", 100.0, -6, 2, name="r").value == pytest.approx(100.0)
    assert log_slider("r", 10**-6, -6, 2, name="r").value == pytest.approx(1e-6)
    assert int_slider("k", 1, 1, 8, name="k").value == 1
    assert seed_slider(20, name="seed").value == 20


def test_a_computed_start_value_is_still_kept_on_the_slider_without_a_name():
    """Without ``name`` (a default the explorer computed), ipywidgets keeps the value on the
    slider as before; only a non-number is refused, by the slider's description."""
    assert float_slider("mean", 1.3, 0.0, 1.0, 0.1).value == 1.0
    assert int_slider("steps", 500, 1, 100).value == 100
    for bad in ("abc", float("nan"), float("inf"), None):
        with pytest.raises(ValueError, match=r"^steps must be a finite number"):
            int_slider("steps", bad, 1, 100)


def test_choice_defaults_to_the_first_option_s_value():
    assert choice("optimiser", [("Adam", "adam"), ("plain", "gradient")]).value == "adam"
    assert choice("kind", ["normal", "laplace"]).value == "normal"
