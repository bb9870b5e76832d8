"""Notebook 02's explorers: the (n - 1)/n bias of the variance MLE, and one outlier.

Introduced in ``02_closed_form_mle.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"); the compute is
:func:`helpers.mle.variance_estimates`, :func:`helpers.mle.gaussian_mean_var_mle` and
:func:`helpers.mle.laplace_loc_scale_mle`.
"""

from __future__ import annotations

import functools

import numpy as np

from helpers._validation import (
    as_count,
    as_float_array,
    as_number,
    as_sample,
    as_scale,
    check_size,
)
from helpers.distributions import normal_pdf
from helpers.mle import gaussian_mean_var_mle, laplace_loc_scale_mle, variance_estimates
from helpers.plotting import COLORS, new_figure, plot_histogram
from helpers.widgets.explorer import (
    Explorer,
    fit_text,
    float_slider,
    int_slider,
    nice_step,
    seed_slider,
)

__all__ = ["outlier_explorer", "variance_bias_explorer"]

_MLE_STYLE = {"color": COLORS["model"], "ls": "-", "marker": "o"}
_DDOF1_STYLE = {"color": COLORS["estimate"], "ls": "--", "marker": "s"}


def variance_bias_explorer(*, n=3, n_max=30, n_repeats=10_000, sigma=1.0, seed=0):
    r"""A slider for the sample size ``n``: the 1/n variance MLE is low by (n - 1)/n on average.

    Draws ``n_repeats`` samples of size ``n`` from :math:`\mathcal N(0, \sigma^2)` and
    estimates the variance of each twice: dividing by ``n`` (the MLE, ``ddof=0``) and by
    ``n - 1`` (``ddof=1``). Left: the average of each estimate over the samples, for every
    sample size from 2 to ``n_max`` (markers only), beside the theory
    :math:`\frac{n-1}{n}\sigma^2` (a thick, light grey curve behind them) and :math:`\sigma^2`
    (dotted line); the current ``n`` is ringed. Right: the
    histograms of the two estimates at the current ``n`` with their averages.

    Introduced in ``02_closed_form_mle.ipynb``.

    Parameters
    ----------
    n : int, default 3
        Starting sample size, between 2 and ``n_max``.
    n_max : int, default 30
        Largest sample size on the slider (3 to 1000).
    n_repeats : int, default 10_000
        Samples per size; the averages are then within about
        :math:`3\sigma^2\sqrt{2/(n\,n_{repeats})}` of their expectations.
        ``n_max * n_repeats`` is at most 10 million (the draws of one seed).
    sigma : float, default 1.0
        True standard deviation; the plots are in units of :math:`\sigma^2`.
    seed : int, default 0
        Starting seed, 0 to 20 (a control: moving ``n`` adds points to the same samples).

    Returns
    -------
    Explorer
        ``result``: ``n``, ``mean_mle``, ``mean_ddof1``, ``theory_mle`` (=(n-1)/n sigma^2),
        ``var`` (sigma^2) and ``ratio`` (mean_mle / mean_ddof1, exactly (n-1)/n).
    """
    n_max = as_count(n_max, "n_max", minimum=3, cap=1000)  # a slider of 1000 sizes
    n = as_count(n, "n", minimum=2)
    if n > n_max:
        raise ValueError(f"n must be <= n_max = {n_max}, got {n}")
    n_repeats = as_count(n_repeats, "n_repeats")
    check_size(n_max * n_repeats, "n_max × n_repeats")  # one seed's draws
    sigma = float(as_scale(sigma, "sigma"))
    max_seed = 20  # the seed slider's end: every seed's averages are drawn up front
    seed = as_count(seed, "seed", minimum=0, cap=max_seed)
    var = sigma**2
    sizes = np.arange(2, n_max + 1)

    @functools.cache
    def averages(seed):
        """The average of each estimate over the samples, for every size (one seed)."""
        avg = variance_estimates(sizes, n_repeats=n_repeats, sigma=sigma, rng=seed, average=True)
        return avg["mle"], avg["ddof1"]

    # Every seed's averages up front, so that a seed move costs what an n move costs:
    # one histogram's samples. The sample of size n is the first n rows of the same draws
    # (numpy fills arrays in order from the stream), so both panels show the same samples.
    for s in range(max_seed + 1):
        averages(s)

    # The histogram's samples: the first n rows of the same draws (numpy fills arrays in order
    # from the stream, so rows drawn alone equal the first rows of variance_estimates' draws).
    # A seed move draws only the n rows it shows; the first move above them draws every row,
    # so later n moves at that seed only slice.
    block = {"seed": None, "x": np.empty((0, n_repeats))}

    def estimates_at(n, seed):
        """The n_repeats estimates of each kind at size n: (1/n, 1/(n-1)) sums of squares."""
        if block["seed"] != seed or block["x"].shape[0] < n:
            rows = n if block["seed"] != seed else n_max
            block["x"] = np.random.default_rng(seed).normal(0.0, sigma, size=(rows, n_repeats))
            block["seed"] = seed
        x = block["x"][:n]
        ss = np.maximum(np.sum(x**2, axis=0) - np.sum(x, axis=0) ** 2 / n, 0.0)
        return ss / n, ss / (n - 1)

    fig, (ax_avg, ax_hist) = new_figure(ncols=2)
    # Theory thick and light behind the data, the data as markers only: neither hides the other.
    ax_avg.plot(sizes, (sizes - 1) / sizes * var, color="grey", lw=5, alpha=0.4,
                label=r"theory $\frac{n-1}{n}\sigma^2$")  # fmt: skip
    ax_avg.axhline(var, color="k", ls=":", lw=1.2, label=r"true $\sigma^2$ (theory of ddof=1)")
    (avg_mle,) = ax_avg.plot([], [], ms=4.5, label="1/n (MLE, ddof=0)",
                             animated=True, **{**_MLE_STYLE, "ls": "none"})  # fmt: skip
    (avg_ddof1,) = ax_avg.plot([], [], ms=4, mfc="none", label="1/(n-1) (ddof=1)",
                               animated=True, **{**_DDOF1_STYLE, "ls": "none"})  # fmt: skip
    (ring,) = ax_avg.plot([], [], "o", ms=13, mfc="none", mec="k", mew=1.5, animated=True)
    ax_avg.set_xlim(1, n_max + 1)
    ax_avg.set_ylim(0.35 * var, 1.2 * var)
    ax_avg.set_xlabel("sample size n (points)")
    ax_avg.set_ylabel(r"average estimate of $\sigma^2$")
    ax_avg.set_title(f"average over {n_repeats:,} samples per n")
    ax_avg.legend(loc="lower right", fontsize="small", framealpha=0.9)

    edges = np.linspace(0, 4 * var, 61)
    centres = np.repeat(edges, 2)[1:-1]  # a step outline drawn with plain lines
    zeros = np.zeros_like(centres)
    y_top = 2.0 / var
    (hist_mle,) = ax_hist.plot(centres, zeros, lw=1.8, color=_MLE_STYLE["color"],
                               label="1/n (MLE)", animated=True)  # fmt: skip
    (hist_ddof1,) = ax_hist.plot(centres, zeros, lw=1.8, ls="--", color=_DDOF1_STYLE["color"],
                                 label="1/(n-1)", animated=True)  # fmt: skip
    mean_mle_line = ax_hist.axvline(0, color=_MLE_STYLE["color"], lw=1.2, animated=True)
    mean_ddof1_line = ax_hist.axvline(0, color=_DDOF1_STYLE["color"], lw=1.2, ls="--",
                                      animated=True)  # fmt: skip
    # a light band behind, so the ddof=1 average (dashed, at the same place) stays visible
    ax_hist.axvline(var, color="grey", lw=6, alpha=0.35, zorder=0, label=r"true $\sigma^2$")
    ax_hist.set_xlim(edges[0], edges[-1])
    ax_hist.set_ylim(0, y_top)
    ax_hist.set_xlabel(r"estimate of $\sigma^2$ (one per sample)")
    ax_hist.set_ylabel("density")
    ax_hist.legend(loc="upper right", fontsize="small", framealpha=0.9)
    ax_hist.set_title(f"at the current n: {n_repeats:,} estimates of each kind")
    note = ax_hist.text(0.97, 0.62, "", transform=ax_hist.transAxes, ha="right", va="top",
                        fontsize="small", animated=True)  # fmt: skip

    def view(n, seed):
        if n < 2:
            raise ValueError("n must be at least 2: with one point, ddof=1 divides by zero")
        mean_mle, mean_ddof1 = averages(seed)
        est_mle, est_ddof1 = estimates_at(n, seed)
        avg_mle.set_data(sizes, mean_mle)
        avg_ddof1.set_data(sizes, mean_ddof1)
        k = n - 2
        ring.set_data([n, n], [mean_mle[k], mean_ddof1[k]])
        dens_mle, _ = np.histogram(est_mle, bins=edges, density=False)
        dens_ddof1, _ = np.histogram(est_ddof1, bins=edges, density=False)
        width = edges[1] - edges[0]
        hist_mle.set_ydata(np.repeat(dens_mle / (n_repeats * width), 2))
        hist_ddof1.set_ydata(np.repeat(dens_ddof1 / (n_repeats * width), 2))
        mean_mle_line.set_xdata([mean_mle[k]] * 2)
        mean_ddof1_line.set_xdata([mean_ddof1[k]] * 2)
        beyond = float(np.mean(est_ddof1 > edges[-1]))
        peak = max(dens_mle.max(), dens_ddof1.max()) / (n_repeats * width)
        notes = [f"{beyond:.1%} of the 1/(n-1)\nestimates are beyond 4σ²"] if beyond else []
        if peak > y_top:
            notes.append(f"the histogram's peak ({peak:.1f})\nis off the top")
        note.set_text("\n".join(notes))
        theory = (n - 1) / n * var
        result = {
            "n": n, "mean_mle": float(mean_mle[k]), "mean_ddof1": float(mean_ddof1[k]),
            "theory_mle": theory, "var": var, "ratio": float(mean_mle[k] / mean_ddof1[k]),
        }  # fmt: skip
        lines = [
            f"n = {n} points per sample, {n_repeats:,} samples from N(0, σ²) with σ² = {var:g}",
            f"1/n (the MLE, ddof=0): average {mean_mle[k]:.3f}; theory (n-1)/n σ² = {theory:.3f}"
            f" (low by σ²/n = {var / n:.3f})",
            f"1/(n-1) (ddof=1):      average {mean_ddof1[k]:.3f}; theory σ² = {var:g} (unbiased)",
        ]
        return result, lines

    controls = {
        "n": int_slider("sample size n", n, 2, n_max),
        "seed": seed_slider(seed, max=max_seed, name="seed"),
    }
    return Explorer(controls, view, fig, title="The variance MLE is low by (n - 1)/n on average")


def outlier_explorer(x, *, name="x", unit="", position=None, max_position=None, bins=25):
    r"""A slider for the position of one extra point: the mean follows it, the median barely moves.

    The data ``x`` plus one outlier at the slider's position are fitted twice by maximum
    likelihood: a Gaussian (its MLE of the location is the **mean**) and a Laplace (its MLE
    is the **median**). Left: the data's histogram (a fixed window around the data) with
    both fitted densities and their locations. Right: each location estimate against the
    outlier's position over the slider's whole range, with the current position marked.

    Introduced in ``02_closed_form_mle.ipynb``.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The clean data (at least two distinct values).
    name, unit : str
        Labels for the plot and readout ("bill length", "mm").
    position : float, optional
        Starting position of the outlier, on the slider (from about ``min(x)`` to
        ``max_position``); default ``max_position``.
    max_position : float, optional
        Right end of the slider; default 10 times the largest ``x`` (a slipped decimal
        point) when that is positive, else ``max(x) + 10 * (max(x) - min(x))``.
    bins : int or array-like, default 25
        The histogram's bins (``np.histogram``'s argument: a count up to 1000, or
        increasing edges). For rounded data, pass edges
        halfway between recorded values, so every bin holds the same number of them.

    Returns
    -------
    Explorer
        ``result``: ``position``, ``mean``, ``median``, ``mean_shift`` and ``median_shift``
        (the moves caused by the outlier), ``sigma_hat`` and ``scale_hat``.
    """
    x = as_sample(x, name)
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        raise ValueError(f"{name} has no spread (every value is {lo:g}); give at least two values")
    span = hi - lo
    if max_position is None:
        max_position = 10 * hi if hi > 0 and 10 * hi > hi + span else hi + 10 * span
    max_position = float(as_float_array(max_position, "max_position", allow_empty=False,
                                        allow_inf=False))  # fmt: skip
    if max_position <= hi:
        raise ValueError(
            f"max_position must be > the largest {name} ({hi:g}), got {max_position:g}"
        )
    step = nice_step(max_position - lo)
    digits = max(0, -int(np.floor(np.log10(step))))
    slider_lo = float(np.floor(lo / step) * step)
    slider_hi = float(np.ceil(max_position / step) * step)
    if position is None:
        position = max_position
    position = as_number(position, "position", low=slider_lo, high=slider_hi)
    if np.ndim(bins) == 0 and not isinstance(bins, str):
        bins = as_count(bins, "bins", cap=1000)
    elif not isinstance(bins, str):  # edges (a name such as "auto" is numpy's to check)
        bins = as_sample(bins, "bins")
        if bins.size < 2 or (np.diff(bins) <= 0).any():
            raise ValueError("bins must be at least two edges in increasing order")
    u = f" {unit}" if unit else ""
    in_unit = f" ({unit})" if unit else ""
    mean0, var0 = gaussian_mean_var_mle(x)
    median0, scale0 = laplace_loc_scale_mle(x)
    n = x.size

    fig, (ax_data, ax_est) = new_figure(ncols=2)
    plot_histogram(x, ax=ax_data, bins=bins, label=f"data ({n} points)")
    window = (lo - 0.3 * span, hi + 0.3 * span)
    grid = np.linspace(*window, 400)
    y_top = 1.5 * max(p.get_height() for p in ax_data.patches)
    (gauss,) = ax_data.plot(grid, grid * 0, color=COLORS["model"], ls="--", lw=2,
                            label="Gaussian MLE", animated=True)  # fmt: skip
    (laplace,) = ax_data.plot(grid, grid * 0, color=COLORS["estimate"], lw=2,
                              label="Laplace MLE", animated=True)  # fmt: skip
    mean_line = ax_data.axvline(mean0, color=COLORS["model"], ls="--", lw=1.2, animated=True)
    median_line = ax_data.axvline(median0, color=COLORS["estimate"], lw=1.2, animated=True)
    (outlier_dot,) = ax_data.plot([], [], "kv", ms=10, label="the extra point", animated=True)
    ax_data.set_xlim(*window)
    ax_data.set_ylim(0, y_top)
    ax_data.set_xlabel(f"{name}{in_unit}")
    ax_data.set_ylabel(f"density (per {unit})" if unit else "density")
    ax_data.legend(loc="upper left", fontsize="small", framealpha=0.9)
    # Beyond the window the extra point is an arrow at the right edge (a marker is far
    # cheaper to redraw than text); the right panel and the readout give its position.
    (beyond,) = ax_data.plot([0.985], [0.14], ">", color="k", ms=10, transform=ax_data.transAxes,
                             visible=False, animated=True)  # fmt: skip
    off = ax_data.text(0.98, 0.60, "", transform=ax_data.transAxes, ha="right", va="top",
                       fontsize="small", animated=True,
                       bbox={"fc": "white", "ec": "none", "alpha": 0.8})  # fmt: skip

    # The right panel depends on the data only: every slider position at once, drawn once.
    positions = np.linspace(slider_lo, slider_hi, 400)
    stacked = np.concatenate([np.tile(x, (positions.size, 1)), positions[:, None]], axis=1)
    ax_est.plot(positions, stacked.mean(axis=1), color=COLORS["model"], ls="--", lw=2,
                label="mean (Gaussian MLE)")  # fmt: skip
    ax_est.plot(positions, np.median(stacked, axis=1), color=COLORS["estimate"], lw=2,
                label="median (Laplace MLE)")  # fmt: skip
    (est_dots,) = ax_est.plot([], [], "ko", ms=7, mfc="white", animated=True)
    where = ax_est.axvline(position, color="grey", lw=1, animated=True)
    ax_est.set_xlabel(f"position of the extra point{in_unit}")
    ax_est.set_ylabel(f"location estimate{in_unit}")
    ax_est.set_title(f"with the extra point: {n + 1} points")
    ax_est.legend(loc="upper left", fontsize="small", framealpha=0.9)
    ax_data.set_title(f"{n} points + one extra (▼, or ▶ when beyond the window)")

    def view(position):
        both = np.concatenate([x, [position]])
        mean, var = gaussian_mean_var_mle(both)
        median, scale = laplace_loc_scale_mle(both)
        sigma = np.sqrt(var)
        gauss.set_ydata(normal_pdf(grid, mean, sigma))
        laplace.set_ydata(np.exp(-np.abs(grid - median) / scale) / (2 * scale))
        mean_line.set_xdata([mean] * 2)
        median_line.set_xdata([median] * 2)
        inside = window[0] <= position <= window[1]
        outlier_dot.set_data([position] if inside else [], [0.04 * y_top] if inside else [])
        beyond.set_visible(not inside)
        beyond_text = f"mean {mean:.2f}{u}, off to the right" if mean > window[1] else ""
        off.set_text(fit_text(off, beyond_text))
        est_dots.set_data([position, position], [mean, median])
        where.set_xdata([position] * 2)
        result = {
            "position": position, "mean": mean, "median": median,
            "mean_shift": mean - mean0, "median_shift": median - median0,
            "sigma_hat": float(sigma), "scale_hat": scale,
        }  # fmt: skip
        lines = [
            f"extra point at {position:.{digits}f}{u}"
            + ("" if inside else " (off the left plot: ▶ marks it at the right edge)"),
            f"mean (Gaussian MLE):  {mean:.2f}{u}, moved {mean - mean0:+.2f}{u} by one point"
            f" (without it {mean0:.2f}{u})",
            f"median (Laplace MLE): {median:.2f}{u}, moved {median - median0:+.2f}{u}"
            f" (without it {median0:.2f}{u})",
            f"Gaussian fit: sd = {sigma:.2f}{u} (without it {np.sqrt(var0):.2f}{u});"
            f" Laplace fit: scale b = {scale:.2f}{u} (without it {scale0:.2f}{u})",
        ]
        return result, lines

    fmt = f".{digits}f"
    start = float(np.clip(round(position / step) * step, slider_lo, slider_hi))
    controls = {
        "position": float_slider(f"extra point{in_unit}", start, slider_lo, slider_hi, step,
                                 readout_format=fmt),
    }  # fmt: skip
    return Explorer(controls, view, fig, title=f"One extra point in {name}: mean against median")
