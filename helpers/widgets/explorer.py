"""The explorer framework: sliders wired to a pure compute function and a figure updated in place.

Introduced in ``01_likelihood.ipynb``; every lesson's explorers (``helpers/widgets/<topic>.py``)
are built from the pieces here.

Every explorer has three layers (see CONTRIBUTING.md):

1. a pure, tested compute function elsewhere in ``helpers`` (``normal_loglik``...);
2. artists drawn once on a :func:`helpers.plotting.new_figure`;
3. a thin wiring function here that builds the sliders and a ``view(**values)``
   callback which updates the artists and returns ``(result, readout_lines)``.

:class:`Explorer` does the rest, the same way for every lesson:

* The figure is rendered to PNG by Agg and shown in an ``ipywidgets.Image``: the
  fastest redraw path measured in JupyterLab (see ``tests/reports/slider_latency.md``)
  and a plain picture, so it needs no front-end extension beyond ipywidgets. Artists
  made with ``animated=True`` are the only ones redrawn on a move
  (:class:`helpers.plotting.BlitRenderer`); keep axes limits fixed where you can,
  since a change of limits costs a full redraw.
* Anything the callback raises or warns becomes a readable message on the figure and
  in the readout (``explorer.error`` keeps the exception for tests). A slider never
  produces a traceback or a wall of warnings, and a frozen plot never hides an error.
* The saved notebook shows a static picture with the readout written under it when
  there is no kernel (GitHub, nbviewer, an untrusted notebook): the display bundle
  carries that ``image/png`` (:meth:`Explorer.snapshot_png`) and the readout as
  ``text/plain`` beside the widget view.
* Tests drive it like a student would: ``ex.controls["mu"].value = 3; ex.result``.

Bad arguments are refused by name before anything is drawn: check counts and numbers at the
top of the explorer (:func:`helpers._validation.as_count` and its siblings), and pass each
slider the ``name`` of the keyword argument its start value came from, so that ``lr="abc"``
or ``lr=1e3`` on a slider ending at 100 is ``ValueError("lr must be ...")``, never a
traitlets ``TraitError`` or a value silently moved to the slider's end.
``tests/test_bad_input_coverage.py`` requires every explorer argument to be declared.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import warnings
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers._validation import as_choice, as_number, as_scale
from helpers.plotting import BlitRenderer, figure_to_png

__all__ = [
    "Explorer",
    "choice",
    "fit_text",
    "float_slider",
    "int_slider",
    "log_slider",
    "nice_step",
    "seed_slider",
]


def _common(description, readout_format) -> dict:
    """Keyword arguments every course slider shares: a label column wide enough to read
    (so sliders line up and "learning r..." is never cut off), a fixed width, live updates.
    Each slider gets its own ``Layout``, so resizing one never resizes the others."""
    return {
        "description": description,
        "readout_format": readout_format,
        "continuous_update": True,
        "style": {"description_width": "140px"},
        "layout": widgets.Layout(width="480px"),
    }


def _start(value, name, description, low, high, *, whole=False):
    """Check a slider's starting value before ipywidgets sees it.

    ipywidgets raises a ``TraitError`` for text and silently moves NaN, inf or a value
    beyond the ends to an end. An explorer's starting values are its keyword arguments, so
    give the argument's ``name``: the value must then lie within the slider's range
    (``lr must be within [1e-06, 100], got 1000``). Without a name (a value the explorer
    computed itself), only a number is required and ipywidgets keeps it within the ends.
    """
    label = name or description
    if name is None:
        low = high = None
    number = as_number(value, label, low=low, high=high)
    if whole and number != int(number):
        raise ValueError(f"{label} must be a whole number, got {value!r}")
    return int(number) if whole else number


def float_slider(description, value, min, max, step, *, readout_format=".2f", name=None):
    """A ``FloatSlider`` with the course's layout.

    ``name``: the explorer's keyword argument ``value`` came from, if any; it is then
    checked to lie within ``[min, max]`` (a ``ValueError`` naming it), never moved silently.
    """
    value = _start(value, name, description, min, max)
    return widgets.FloatSlider(
        value=value, min=min, max=max, step=step, **_common(description, readout_format)
    )


def log_slider(description, value, min_exp, max_exp, *, step=0.05, readout_format=".3g",
               name=None):  # fmt: skip
    """A ``FloatLogSlider`` from ``10**min_exp`` to ``10**max_exp`` (for rates and scales).

    ``name`` as :func:`float_slider` (the range is checked to 1e-9 relative).
    """
    low, high = 10.0**min_exp, 10.0**max_exp
    value = _start(value, name, description, low * (1 - 1e-9), high * (1 + 1e-9))
    if name is not None and value <= 0:  # unreachable with the range, kept for clarity
        raise ValueError(f"{name} must be > 0, got {value:g}")
    return widgets.FloatLogSlider(
        value=value, base=10, min=min_exp, max=max_exp, step=step,
        **_common(description, readout_format),
    )  # fmt: skip


def int_slider(description, value, min, max, step=1, *, name=None):
    """An ``IntSlider`` with the course's layout (counts: steps, samples, components).

    ``name`` as :func:`float_slider`; the value must also be a whole number.
    """
    value = _start(value, name, description, min, max, whole=True)
    return widgets.IntSlider(value=value, min=min, max=max, step=step, **_common(description, "d"))


def seed_slider(value=0, max=20, description="seed", *, name=None):
    """A seed as a control: the explorer's ``view`` builds ``np.random.default_rng(seed)``,
    so moving another slider moves the same draws instead of drawing new noise.

    ``name`` as :func:`int_slider` (a seed from 0 to ``max``)."""
    return int_slider(description, value, 0, max, name=name)


def choice(description, options, value=None, *, name=None):
    """A ``Dropdown`` for a discrete choice (an optimiser, a prior family).

    ``options`` are values or ``(label, value)`` pairs; a ``value`` not among them is a
    ``ValueError`` naming ``name`` (or the description) and listing the values.
    """
    options = list(options)
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    value = values[0] if value is None else as_choice(value, name or description, values)
    return widgets.Dropdown(
        description=description, options=options, value=value,
        style={"description_width": "140px"}, layout=widgets.Layout(width="480px"),
    )  # fmt: skip


def fit_text(artist, text: str, *, fraction: float = 0.9) -> str:
    """Wrap ``text`` at word boundaries so that ``artist`` fits inside its axes (or figure).

    Use it instead of ``Text(wrap=True)`` for text that changes on a slider move:
    matplotlib's wrapping measures the text word by word on every draw, about 6 ms per
    move, where this estimates the characters per line once from the font size (0.6 em
    per character, a safe upper bound for the default sans-serif font) and costs
    microseconds. Existing line breaks are kept.
    """
    container = artist.axes if artist.axes is not None else artist.figure
    box = container.get_window_extent() if artist.axes is not None else container.bbox
    px_per_char = 0.6 * artist.get_fontsize() * artist.figure.dpi / 72
    width = max(12, int(fraction * box.width / px_per_char))
    return "\n".join(textwrap.fill(line, width) or line for line in str(text).split("\n"))


def _fmt(value) -> str:
    """A control value for the plain-text snapshot: 4 significant digits for numbers."""
    is_number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    return f"{value:.4g}" if is_number else str(value)


def nice_step(scale: float) -> float:
    """A slider step about 1/100 of ``scale``, rounded to a power of ten (13.6 -> 0.1).

    Raises ``ValueError`` naming ``scale`` unless it is a finite number > 0.
    """
    scale = float(as_scale(scale, "scale"))
    return float(10.0 ** (np.floor(np.log10(scale)) - 2))


class Explorer(widgets.VBox):
    """Sliders, a figure redrawn as a PNG, and a text readout, kept in sync.

    Parameters
    ----------
    controls : mapping of str to ipywidgets value widgets
        Keyword name of each control, as ``view`` expects it.
    view : callable
        ``view(**values) -> (result, lines)``. Updates the figure's artists in place
        and returns whatever the explorer computes (``result``, kept in
        ``self.result`` for tests) and the readout as a list of text lines.
    fig : matplotlib.figure.Figure
        The figure ``view`` draws on, made by :func:`helpers.plotting.new_figure`.
    title : str, optional
        A short heading shown above the sliders.

    Attributes
    ----------
    result : object
        What ``view`` returned last (``None`` after an error).
    error : Exception or None
        The exception or warning the last update produced, if any.
    readout_text : str
        The readout as plain text (also what the saved notebook shows as text).
    """

    def __init__(self, controls: Mapping, view: Callable, fig, *, title: str = ""):
        self.controls = dict(controls)
        self.figure = fig
        self._view = view
        self._message = fig.text(
            0.5, 0.5, "", ha="center", va="center", fontsize=12, zorder=10,
            bbox={"boxstyle": "round", "fc": "#fff3cd", "ec": "#b08900"}, visible=False,
            animated=True,
        )  # fmt: skip
        self._renderer = BlitRenderer(fig)
        width = int(fig.get_figwidth() * fig.dpi)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px"))
        self.readout = widgets.HTML()
        self.result = None
        self.error = None
        self.readout_text = ""
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        super().__init__(
            [*header, widgets.VBox(list(self.controls.values())), self.image, self.readout]
        )
        self.add_class("l2l-explorer")
        self.image.add_class("l2l-explorer-image")
        self.readout.add_class("l2l-explorer-readout")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    @property
    def values(self) -> dict:
        """The current value of every control, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change) -> None:
        self.update()

    def update(self) -> None:
        """Recompute, redraw and refresh the readout from the current control values."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result, lines = self._view(**self.values)
                error = caught[0].message if caught else None
            except Exception as exc:  # shown to the student, kept for tests
                result, lines, error = None, [], exc
        self.result, self.error = (result, None) if error is None else (None, error)
        if error is not None:
            lines = [f"Cannot show this setting: {error}", *lines]
        self._message.set_text(fit_text(self._message, error) if error is not None else "")
        self._message.set_visible(error is not None)
        self.readout_text = "\n".join(lines)
        self.image.value = self._renderer.render()
        body = "<br>".join(html.escape(line) for line in lines)
        self.readout.value = f"<div style='font-family: monospace; line-height: 1.5'>{body}</div>"

    def snapshot_png(self) -> bytes:
        """The current picture with the readout written underneath, as one PNG.

        This is what a reader without a kernel sees in place of the live explorer
        (viewers show the image, not the ``text/plain`` beside it), so the numbers
        of the readout are part of the picture.
        """
        from PIL import Image

        plot = Image.open(io.BytesIO(bytes(self.image.value))).convert("RGB")
        lines = self.readout_text.splitlines() or [""]
        dpi = self.figure.dpi
        caption = Figure(figsize=(plot.width / dpi, (0.25 * len(lines) + 0.15)), dpi=dpi)
        FigureCanvasAgg(caption)
        caption.text(0.01, 0.5, "\n".join(lines), fontsize=10,
                     va="center", linespacing=1.6)  # fmt: skip
        text = Image.open(io.BytesIO(figure_to_png(caption))).convert("RGB")
        both = Image.new("RGB", (plot.width, plot.height + text.height), "white")
        both.paste(plot, (0, 0))
        both.paste(text, (0, plot.height))
        buf = io.BytesIO()
        both.save(buf, format="png")
        return buf.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        # Without a kernel (GitHub, nbviewer, an untrusted notebook) the widget view
        # cannot render; these two let the saved notebook still show the picture and
        # the numbers. With a kernel, JupyterLab prefers the live widget view.
        data["image/png"] = base64.b64encode(self.snapshot_png()).decode("ascii")
        values = ", ".join(f"{k} = {_fmt(v)}" for k, v in self.values.items())
        data["text/plain"] = f"Explorer ({values})\n{self.readout_text}"
        return data
