"""Notebook 01's explorer: fit a Gaussian to data by eye.

Introduced in ``01_likelihood.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers").
"""

from __future__ import annotations

import functools

import numpy as np

from helpers._validation import as_location, as_sample, as_scale
from helpers.distributions import normal_loglik, normal_pdf
from helpers.plotting import COLORS, new_figure, plot_histogram
from helpers.widgets.explorer import Explorer, float_slider, nice_step

__all__ = ["likelihood_explorer"]


def likelihood_explorer(x, *, name="x", unit="", mu=None, sigma=None):
    """Sliders for the mean and standard deviation of a Gaussian fitted to ``x``.

    Left: the histogram of ``x`` with the density :math:`\\mathcal N(\\mu, \\sigma^2)`.
    Right: the log-likelihood :math:`\\ell(\\mu)` at the current ``sigma``, with a dot
    where the current ``mu`` sits and a dashed line at the sample mean (its peak).

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
        (the maximum over mu at this sigma) and ``gap`` (their difference, >= 0).
    """
    x = as_sample(x, name)
    x_bar, sd = x.mean(), x.std()
    if sd == 0:
        raise ValueError(
            f"{name} has no spread (every value is {x_bar:g}); a Gaussian needs sd > 0"
        )
    mu = x_bar + sd / 2 if mu is None else float(as_location(mu, "mu"))
    sigma = 0.6 * sd if sigma is None else float(as_scale(sigma, "sigma"))
    u = f" {unit}" if unit else ""
    in_unit = f" ({unit})" if unit else ""
    ll_max = float(normal_loglik(x, x_bar, sd))  # the overall peak, at (x_bar, sd)
    window = 400.0  # nats shown below the overall peak

    # Steps scale with the data, so the sliders work for minutes and for millimetres alike;
    # the smallest sigma is one step above zero at least, never 0.
    step = nice_step(sd)
    digits = max(0, -int(np.floor(np.log10(step))))

    def snap(value):
        return round(round(value / step) * step, digits)

    fig, (ax_data, ax_ll) = new_figure(ncols=2)
    plot_histogram(x, ax=ax_data, bins=30)
    pad = 0.25 * (x.max() - x.min())
    grid = np.linspace(x.min() - pad, x.max() + pad, 300)
    (density,) = ax_data.plot(grid, grid * 0, color=COLORS["model"], lw=2, animated=True)
    ax_data.set_xlabel(f"{name}{in_unit}")
    y_top = 1.6 * max(p.get_height() for p in ax_data.patches)
    ax_data.set_ylim(0, y_top)
    off_top = ax_data.text(0.98, 0.96, "", transform=ax_data.transAxes, ha="right", va="top",
                           color=COLORS["model"], animated=True)  # fmt: skip

    (ll_curve,) = ax_ll.plot(grid, grid * 0, color=COLORS["estimate"], lw=2, animated=True)
    (ll_dot,) = ax_ll.plot([], [], "o", color=COLORS["model"], ms=9, zorder=3, animated=True)
    ax_ll.axvline(x_bar, color="grey", ls="--", lw=1, label=rf"$\bar x$ = {x_bar:.{digits + 1}f}")
    ax_ll.axhline(ll_max, color="grey", ls=":", lw=1, label="overall maximum")
    ax_ll.set_xlim(grid[0], grid[-1])
    ax_ll.set_ylim(ll_max - window, ll_max + 0.12 * window)
    ax_ll.set_xlabel(rf"$\mu${in_unit}")
    ax_ll.set_ylabel(r"log-likelihood $\ell(\mu)$ (nats)")
    ax_ll.legend(loc="upper right", fontsize="small", framealpha=0.9)
    below = ax_ll.text(0.5, 0.5, "", transform=ax_ll.transAxes, ha="center", animated=True)
    titles = [ax.set_title(" ", animated=True) for ax in (ax_data, ax_ll)]

    @functools.lru_cache(maxsize=1)
    def curve_at(sigma):
        """What depends on sigma alone: l(mu) over the grid and its peak, l(x_bar)."""
        return normal_loglik(x, grid, sigma), float(normal_loglik(x, x_bar, sigma))

    def view(mu, sigma):
        pdf = normal_pdf(grid, mu, sigma)
        density.set_ydata(pdf)
        off_top.set_text(f"peak {pdf.max():.3g} is off the top" if pdf.max() > y_top else "")
        curve, best = curve_at(sigma)  # recomputed only when sigma moves
        ll = float(normal_loglik(x, mu, sigma))
        ll_curve.set_ydata(curve)
        ll_dot.set_data([mu], [ll])
        low = ll_max - window
        if best < low:
            below.set_text(f"the whole curve is {low - best:,.0f} nats below this window")
        elif ll < low:
            below.set_text(f"the dot is {low - ll:,.0f} nats below this window")
        else:
            below.set_text("")
        titles[0].set_text(f"Gaussian with μ = {mu:.{digits}f}, σ = {sigma:.{digits}f}")
        titles[1].set_text(f"ℓ(μ) at σ = {sigma:.{digits}f}: peak at the sample mean")
        result = {"mu": mu, "sigma": sigma, "loglik": ll, "loglik_best_mu": best, "gap": best - ll}
        lines = [
            f"log-likelihood  ℓ(μ={mu:.{digits}f}, σ={sigma:.{digits}f}) = {ll:,.1f} nats",
            f"best μ at this σ: the sample mean {x_bar:.{digits + 1}f}{u}, where ℓ = {best:,.1f};"
            f" you are {best - ll:,.1f} nats below it",
            f"overall maximum: ℓ = {ll_max:,.1f} at μ = {x_bar:.{digits + 1}f},"
            f" σ = {sd:.{digits + 1}f} (the dotted line); you are {ll_max - ll:,.1f} nats below it",
        ]
        return result, lines

    lo, hi = (
        round(np.floor(x.min() / step) * step, digits),
        round(np.ceil(x.max() / step) * step, digits),
    )
    fmt = f".{digits}f"
    controls = {
        "mu": float_slider(f"mean μ{in_unit}", snap(mu), lo, hi, step, readout_format=fmt),
        "sigma": float_slider(
            f"std dev σ{in_unit}", snap(sigma), max(step, snap(sd / 10)), snap(2 * sd), step,
            readout_format=fmt,
        ),
    }  # fmt: skip
    return Explorer(controls, view, fig, title=f"Fit a Gaussian to {name} by eye")
