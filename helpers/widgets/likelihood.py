"""Notebook 01's explorer: fit a Gaussian to data by eye.

Introduced in ``01_likelihood.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers").
"""

from __future__ import annotations

import functools
import math

import matplotlib as mpl
import numpy as np
from matplotlib import transforms

from helpers._validation import as_location, as_sample, as_scale
from helpers.distributions import normal_loglik, normal_pdf
from helpers.plotting import COLORS, histogram_bins, new_figure, plot_histogram
from helpers.widgets.explorer import Explorer, float_slider, nice_step

__all__ = ["likelihood_explorer"]

#: Height of the right panel's window, in nats.
WINDOW = 800.0


def _factor(gap: float) -> str:
    """A gap of ``gap`` nats as a factor: the data are e**gap times more probable at the better."""
    if gap < 0.05:
        return "1× (no gap)"
    if gap < 2:
        return f"{math.exp(gap):.1f}× (under 2 nats: a close call)"
    if gap < 7:
        return f"{math.exp(gap):.0f}×"
    return f"10^{gap / math.log(10):.0f}×"


def _shift(peak: float) -> float:
    """How far (in nats) the right panel's window moves to show a curve peaking at ``peak``.

    0 while the peak is within 0.75 windows of the overall maximum (which then sits near the
    top); lower, a multiple of half a window, so the peak is in the top half of the window.
    """
    if peak >= -0.75 * WINDOW:
        return 0.0
    return math.ceil(peak / (WINDOW / 2)) * (WINDOW / 2)


def _window(peak: float) -> tuple[float, float]:
    """The window (nats relative to the overall maximum) that shows a curve peaking at ``peak``."""
    shift = _shift(peak)
    return (shift - WINDOW, shift + 0.1 * WINDOW)


def _tick_text(value: float) -> str:
    """A tick label of at most seven characters: -400, -12,000, -123.2k."""
    text = f"{value:,.0f}" if abs(value) < 100_000 else f"{value / 1e3:,.1f}k"
    return text.replace("-", "\N{MINUS SIGN}")


def likelihood_explorer(x, *, name="x", unit="", mu=None, sigma=None):
    """Sliders for the mean and standard deviation of a Gaussian fitted to ``x``.

    Left: the histogram of ``x`` (edges on half-units for whole-number data, see
    :func:`helpers.plotting.histogram_bins`) with the density :math:`\\mathcal N(\\mu, \\sigma^2)`.
    Right: the log-likelihood :math:`\\ell(\\mu)` at the current ``sigma``, drawn relative to
    the overall maximum :math:`\\ell(\\bar x, \\hat\\sigma)` (so 0 is the best fit and the
    y-axis reads "nats below the best fit"), with a dot at the current ``mu`` and a dashed
    line at the sample mean (the curve's peak). When the curve's peak falls far below the
    overall maximum (small ``sigma``), the window moves down with it so the curve stays in
    view. It moves by shifting the curve and relabelling the ticks (animated artists), not by
    changing the axes limits, so every move is a fast redraw of the animated artists only.

    Introduced in ``01_likelihood.ipynb``.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The data.
    name, unit : str
        How to label the data in the plot and readout ("waiting", "min").
    mu, sigma : float, optional
        Starting values; default to a deliberately poor fit (mean + sd / 2,
        0.6 sd) so the first move of a slider shows the log-likelihood changing.
        Snapped to the slider step, which is about sd / 100 rounded to a power of ten.

    Returns
    -------
    Explorer
        ``result`` is a dict with ``mu``, ``sigma``, ``loglik``, ``loglik_best_mu``
        (the maximum over mu at this sigma), ``gap`` (their difference, >= 0),
        ``loglik_max`` (the overall maximum) and ``window`` (the right panel's y-limits,
        in nats relative to ``loglik_max``).

    Notes
    -----
    A gap of :math:`d` nats between two settings means the data are :math:`e^d` times
    more probable (have :math:`e^d` times the density) under the better one; the readout
    says so. At fixed :math:`\\sigma`, :math:`\\ell(\\bar x, \\sigma) - \\ell(\\mu, \\sigma)
    = n(\\mu - \\bar x)^2 / (2\\sigma^2)`.
    """
    x = as_sample(x, name)
    x_bar, sd = x.mean(), x.std()
    if sd == 0:
        raise ValueError(
            f"{name} has no spread (every value is {x_bar:g}); a Gaussian needs sd > 0"
        )
    # a starting value the caller gave must lie on its slider; a default is put there
    given = {"mu": None if mu is None else "mu", "sigma": None if sigma is None else "sigma"}
    mu = x_bar + sd / 2 if mu is None else float(as_location(mu, "mu"))
    sigma = 0.6 * sd if sigma is None else float(as_scale(sigma, "sigma"))
    u = f" {unit}" if unit else ""
    in_unit = f" ({unit})" if unit else ""
    ll_max = float(normal_loglik(x, x_bar, sd))  # the overall peak, at (x_bar, sd)

    # Steps scale with the data, so the sliders work for minutes and for millimetres alike;
    # the smallest sigma is one step above zero at least, never 0.
    step = nice_step(sd)
    digits = max(0, -int(np.floor(np.log10(step))))

    def snap(value):
        return round(round(value / step) * step, digits)

    fig, (ax_data, ax_ll) = new_figure(ncols=2)
    plot_histogram(x, ax=ax_data, bins=histogram_bins(x))
    pad = 0.25 * (x.max() - x.min())
    grid = np.linspace(x.min() - pad, x.max() + pad, 300)
    (density,) = ax_data.plot(grid, grid * 0, color=COLORS["model"], lw=2, animated=True)
    ax_data.set_xlabel(f"{name}{in_unit}")
    y_top = 1.6 * max(p.get_height() for p in ax_data.patches)
    ax_data.set_ylim(0, y_top)
    off_top = ax_data.text(0.97, 0.96, "", transform=ax_data.transAxes, ha="right", va="top",
                           color=COLORS["model"], animated=True)  # fmt: skip

    (ll_curve,) = ax_ll.plot(grid, grid * 0, color=COLORS["estimate"], lw=2, animated=True)
    (ll_dot,) = ax_ll.plot([], [], "o", color=COLORS["model"], ms=9, zorder=3, animated=True)
    ax_ll.axvline(x_bar, color="grey", ls="--", lw=1, label=rf"$\bar x$ = {x_bar:.{digits + 1}f}")
    max_line = ax_ll.axhline(0, color="grey", ls=":", lw=1.5, label="overall maximum",
                             animated=True)  # fmt: skip
    ax_ll.set_xlim(grid[0], grid[-1])
    # Fixed limits: the y-axis shows value - shift, and animated tick labels say the value.
    ax_ll.set_ylim(-WINDOW, 0.1 * WINDOW)
    ax_ll.set_xlabel(rf"$\mu${in_unit}")
    ax_ll.set_ylabel(r"$\ell(\mu) - \ell_{\max}$ (nats)")
    tick_positions = np.arange(-WINDOW, 1, WINDOW / 4)
    ax_ll.set_yticks(tick_positions)
    ax_ll.tick_params(axis="y", labelleft=False)
    pad = mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"]
    tick_labels = [
        ax_ll.text(0, y, "", ha="right", va="center", animated=True,
                   fontsize=mpl.rcParams["ytick.labelsize"], color=mpl.rcParams["ytick.color"],
                   transform=transforms.offset_copy(ax_ll.get_yaxis_transform(), fig, x=-pad,
                                                    units="points"))
        for y in tick_positions
    ]  # fmt: skip
    # Below the axes, where the curve never goes (inside, it would hide the curve's peak).
    ax_ll.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize="small",
                 frameon=False)  # fmt: skip
    text = {"transform": ax_ll.transAxes, "fontsize": "small", "animated": True,
            "bbox": {"boxstyle": "round", "fc": "white", "ec": "0.7", "alpha": 0.9}}  # fmt: skip
    above = ax_ll.text(0.03, 0.96, "", ha="left", va="top", **text)
    below = ax_ll.text(0.03, 0.04, "", va="bottom", **text)
    titles = [ax.set_title(" ", animated=True) for ax in (ax_data, ax_ll)]

    @functools.lru_cache(maxsize=1)
    def curve_at(sigma):
        """What depends on sigma alone: l(mu) - l_max over the grid, and l(x_bar) at this sigma."""
        return normal_loglik(x, grid, sigma) - ll_max, float(normal_loglik(x, x_bar, sigma))

    def view(mu, sigma):
        pdf = normal_pdf(grid, mu, sigma)
        density.set_ydata(pdf)
        off_top.set_text(f"peak {pdf.max():.3g}\nis off the top" if pdf.max() > y_top else "")
        right = mu < 0.5 * (grid[0] + grid[-1])  # write on the side away from the peak
        off_top.set(x=0.97 if right else 0.03, ha="right" if right else "left")
        curve, best = curve_at(sigma)  # recomputed only when sigma moves
        ll = float(normal_loglik(x, mu, sigma))
        shift = _shift(best - ll_max)  # the window follows the curve down
        window = _window(best - ll_max)
        ll_curve.set_ydata(curve - shift)
        ll_dot.set_data([mu], [ll - ll_max - shift])
        max_line.set_ydata([-shift, -shift])  # out of view (clipped) once the window moves
        for label, y in zip(tick_labels, tick_positions, strict=True):
            label.set_text(_tick_text(y + shift))
        above.set_text(f"overall maximum:\n{ll_max - best:,.0f} nats higher ↑" if shift else "")
        below.set_text(
            f"the dot is\n{window[0] - (ll - ll_max):,.0f} nats below ↓"
            if ll - ll_max < window[0] else ""
        )  # fmt: skip
        below.set(x=0.97 if mu > x_bar else 0.03, ha="right" if mu > x_bar else "left")
        for artist in (above, below):
            artist.set_visible(bool(artist.get_text()))  # no empty box
        titles[0].set_text(f"Gaussian with μ = {mu:.{digits}f}, σ = {sigma:.{digits}f}")
        titles[1].set_text(rf"$\ell(\mu)$ at σ = {sigma:.{digits}f}: peak at $\bar x$")
        result = {"mu": mu, "sigma": sigma, "loglik": ll, "loglik_best_mu": best,
                  "gap": best - ll, "loglik_max": ll_max, "window": window}  # fmt: skip
        lines = [
            f"log-likelihood  ℓ(μ={mu:.{digits}f}, σ={sigma:.{digits}f}) = {ll:,.1f} nats",
            f"best μ at this σ: the sample mean {x_bar:.{digits + 1}f}{u}, ℓ = {best:,.1f};"
            f" you are {best - ll:,.1f} nats below it",
            f"overall maximum: ℓ = {ll_max:,.1f} at μ = {x_bar:.{digits + 1}f},"
            f" σ = {sd:.{digits + 1}f}; you are {ll_max - ll:,.1f} nats below it",
            f"scale: d nats = data e^d times more probable; here {_factor(best - ll)}"
            f" at the best μ, {_factor(ll_max - ll)} at the maximum",
        ]
        return result, lines

    lo, hi = (
        round(np.floor(x.min() / step) * step, digits),
        round(np.ceil(x.max() / step) * step, digits),
    )
    fmt = f".{digits}f"
    controls = {
        "mu": float_slider(f"mean μ{in_unit}", snap(mu), lo, hi, step, readout_format=fmt,
                           name=given["mu"]),
        "sigma": float_slider(
            f"std dev σ{in_unit}", snap(sigma), max(step, snap(sd / 10)), snap(2 * sd), step,
            readout_format=fmt, name=given["sigma"],
        ),
    }  # fmt: skip
    # The layout is computed once and then frozen (helpers.plotting.BlitRenderer), but the
    # tick labels widen as the window moves down. So lay out with the widest labels the
    # sigma slider can reach, with the y-label just left of them, and freeze that layout.
    lowest = _shift(float(normal_loglik(x, x_bar, controls["sigma"].min)) - ll_max)
    for label, y in zip(tick_labels, tick_positions, strict=True):
        label.set_text(_tick_text(y + lowest))
    renderer = fig.canvas.get_renderer()
    widest = max(label.get_window_extent(renderer).width for label in tick_labels)
    ax_ll.yaxis.labelpad = widest * 72 / fig.dpi + pad + 4  # points, left of the spine
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return Explorer(controls, view, fig, title=f"Fit a Gaussian to {name} by eye")
