"""Notebook 04's explorer: a Beta prior, a coin's tosses, and the posterior they make.

Introduced in ``04_map_coin.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"); the maths is in :mod:`helpers.bayes`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle
from scipy.special import betaln, xlog1py, xlogy

from helpers._validation import as_count
from helpers.bayes import beta_interval, beta_mode, beta_posterior, predictive_heads
from helpers.plotting import COLORS, new_figure
from helpers.widgets.explorer import Explorer, float_slider, int_slider, log_slider, seed_slider

__all__ = ["conjugacy_explorer"]

_GRID = np.linspace(0.0005, 0.9995, 1000)  # open interval: a Beta with a < 1 is infinite at 0
_Y_TOP = 10.0  # fixed density axis; taller peaks get an "off the top" note
_Z95 = 1.959963984540054
_LOG_MIN = float(np.log10(0.2))


def _beta_pdf(a, b):
    """Beta(a, b) density on the grid, through its log (no overflow for large a, b)."""
    return np.exp(xlogy(a - 1, _GRID) + xlog1py(b - 1, -_GRID) - betaln(a, b))


def conjugacy_explorer(*, n_max=500, strength=10.0, prior_mean=0.5, n_tosses=10, true_bias=0.3):
    """Sliders for a Beta prior (strength a + b, mean) and for a coin's seeded tosses.

    Left: the prior (dashed), the likelihood rescaled to area 1 (dotted) and the posterior
    (solid) over the bias theta, with the MLE, the MAP (posterior mode), the predictive
    probability of heads (posterior mean), the true bias and the 95% credible interval
    (hatched). Right: the width of that interval against the number of tosses, on log-log
    axes, beside the 1/sqrt(n) line it follows.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    n_max : int, default 500
        Length of the seeded toss sequence; the tosses slider reveals its first n.
    strength, prior_mean, n_tosses, true_bias : float
        Starting values of the sliders.

    Returns
    -------
    Explorer
        ``result`` is a dict with ``n``, ``heads``, ``a``, ``b``, ``a_post``, ``b_post``,
        ``mle`` (NaN before any toss), ``map`` (NaN when the posterior has no single mode),
        ``predictive``, ``ci_low``, ``ci_high`` and ``width``.
    """
    n_max = as_count(n_max, "n_max", minimum=10)
    ns = np.arange(1, n_max + 1)

    @functools.lru_cache(maxsize=4)
    def uniforms(seed):
        """One seeded U(0, 1) per toss: toss i is heads when u_i < true bias, so moving the
        bias or n moves the same draws instead of drawing new noise."""
        return np.random.default_rng(seed).random(n_max)

    @functools.lru_cache(maxsize=1)
    def widths(a, b, true_bias, seed):
        """What depends on everything but n: the 95% interval width after every n."""
        heads = np.cumsum(uniforms(seed) < true_bias)
        low, high = beta_interval(a + heads, b + ns - heads)
        return heads, high - low

    fig, (ax, ax_w) = new_figure(ncols=2, figsize=(10.5, 4.1))
    fig.get_layout_engine().set(w_pad=0.1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, _Y_TOP)
    ax.set_xlabel(r"bias $\theta$ = P(heads)")
    ax.set_ylabel(r"density over $\theta$")
    interval = Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), fc=COLORS["data"],
                         alpha=0.35, hatch="//", ec="none", animated=True,
                         label="95% credible interval")  # fmt: skip
    ax.add_patch(interval)
    (prior,) = ax.plot(_GRID, _GRID * 0, "--", color="grey", lw=1.5, label="prior", animated=True)
    (lik,) = ax.plot(_GRID, _GRID * 0, ":", color=COLORS["estimate"], lw=2,
                     label="likelihood (area 1)", animated=True)  # fmt: skip
    (post,) = ax.plot(_GRID, _GRID * 0, "-", color=COLORS["model"], lw=2.2, label="posterior",
                      animated=True)  # fmt: skip
    marks = {
        "mle": ax.plot([], [], "v:", color=COLORS["estimate"], ms=8, label="MLE h/n",
                       animated=True)[0],
        "map": ax.plot([], [], "s-.", color=COLORS["model"], ms=7, label="MAP (mode)",
                       animated=True)[0],
        "pred": ax.plot([], [], "D--", color="black", ms=6, mfc="white",
                        label="predictive (mean)", animated=True)[0],
    }  # fmt: skip
    truth = ax.axvline(0.3, color="grey", lw=1, ls="-", animated=True)
    (truth_mark,) = ax.plot([], [], "x", color="grey", ms=9, mew=2, clip_on=False,
                            label="true bias", animated=True)  # fmt: skip
    # Below the axes, where no moving curve can hide it.
    fig.legend(handles=[prior, lik, post, interval, *marks.values(), truth_mark],
               loc="outside lower center", ncols=8, fontsize="x-small", frameon=False)  # fmt: skip
    note = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize="small",
                   bbox={"fc": "white", "ec": "none", "alpha": 0.85}, animated=True)  # fmt: skip
    title = ax.set_title(" ", animated=True)

    ax_w.set_xscale("log")
    ax_w.set_yscale("log")
    ax_w.set_xlim(1, n_max)
    ax_w.set_ylim(0.01, 1.0)
    ax_w.set_xlabel("number of tosses n")
    ax_w.set_ylabel("width of the 95% interval")
    (width_curve,) = ax_w.plot(ns, ns * 0.0 + np.nan, "-", color=COLORS["model"], lw=1.5,
                               label="this sequence", animated=True)  # fmt: skip
    (sqrt_line,) = ax_w.plot(ns, ns * 0.0 + np.nan, "--", color="grey",
                             label=r"$2 \times 1.96\sqrt{\theta(1-\theta)/n}$",
                             animated=True)  # fmt: skip
    (width_dot,) = ax_w.plot([], [], "o", color=COLORS["model"], ms=7, animated=True)
    ax_w.legend(loc="lower left", fontsize="x-small", framealpha=0.9)
    w_note = ax_w.text(0.97, 0.97, "", transform=ax_w.transAxes, ha="right", va="top",
                       fontsize="small", animated=True)  # fmt: skip
    ax_w.set_title("the interval shrinks like 1/√n")

    def view(strength, prior_mean, n_tosses, true_bias, seed):
        a, b = prior_mean * strength, (1 - prior_mean) * strength
        heads_all, width_all = widths(a, b, true_bias, seed)
        n = int(n_tosses)
        h = int(heads_all[n - 1]) if n else 0
        tosses = np.r_[np.ones(h), np.zeros(n - h)]  # only the counts matter
        a_post, b_post = beta_posterior(tosses, a, b)
        pred = predictive_heads(tosses, a, b)
        mode = beta_mode(a_post, b_post)
        mle = h / n if n else np.nan
        low, high = beta_interval(a_post, b_post)

        post_pdf = _beta_pdf(a_post, b_post)
        prior.set_ydata(_beta_pdf(a, b))
        lik.set_ydata(_beta_pdf(h + 1.0, n - h + 1.0))  # likelihood / its integral
        post.set_ydata(post_pdf)
        for key, x in (("mle", mle), ("map", mode), ("pred", pred)):
            if np.isfinite(x):
                y = min(float(post_pdf[np.abs(_GRID - x).argmin()]), _Y_TOP)
                marks[key].set_data([x, x], [0, y])
            else:
                marks[key].set_data([], [])
        truth.set_xdata([true_bias, true_bias])
        truth_mark.set_data([true_bias], [0])
        interval.set_x(low)
        interval.set_width(high - low)
        notes = []
        if post_pdf.max() > _Y_TOP:
            notes.append(f"posterior peak {post_pdf.max():.3g} is off the top")
        if not n:
            notes.append("no tosses yet: posterior = prior, no MLE")
        if not np.isfinite(mode):
            notes.append("posterior flat or U-shaped: no single mode (MAP)")
        note.set_text("\n".join(notes))
        note.set_visible(bool(notes))
        title.set_text(
            f"Beta({a:.3g}, {b:.3g}) + {h} H, {n - h} T → Beta({a_post:.3g}, {b_post:.3g})"
        )

        width_curve.set_ydata(width_all)
        sqrt_line.set_ydata(2 * _Z95 * np.sqrt(true_bias * (1 - true_bias) / ns))
        width_dot.set_data(([n], [high - low]) if n else ([], []))
        w_note.set_text("" if n else "n = 0 is off this log axis")

        result = {"n": n, "heads": h, "a": a, "b": b, "a_post": a_post, "b_post": b_post,
                  "mle": mle, "map": mode, "predictive": pred, "ci_low": low, "ci_high": high,
                  "width": high - low}  # fmt: skip
        fmt = lambda x: f"{x:.3f}" if np.isfinite(x) else "undefined"  # noqa: E731
        lines = [
            f"{n} tosses: {h} heads, {n - h} tails (true bias {true_bias:.2f}, seed {seed});"
            f" prior Beta(a={a:.3g}, b={b:.3g}): mean {prior_mean:.2f}, a+b = {strength:.3g}",
            f"MLE h/n = {fmt(mle)}   MAP (h+a-1)/(n+a+b-2) = {fmt(mode)}"
            f"   predictive P(next is heads) = (h+a)/(n+a+b) = {pred:.3f}",
            f"95% credible interval [{low:.3f}, {high:.3f}], width {high - low:.3f}"
            + (f"; 2·1.96·√(θ(1-θ)/n) = {2 * _Z95 * np.sqrt(true_bias * (1 - true_bias) / n):.3f}"
               if n else ""),
        ]  # fmt: skip
        return result, lines

    controls = {
        # from 0.2 to 2000, with 2 (the uniform prior, at mean 0.5) and 20, 200 on the steps
        "strength": log_slider("prior strength a+b", strength, _LOG_MIN, _LOG_MIN + 4),
        "prior_mean": float_slider("prior mean a/(a+b)", prior_mean, 0.05, 0.95, 0.01),
        "n_tosses": int_slider("tosses n", n_tosses, 0, n_max),
        "true_bias": float_slider("true bias of the coin", true_bias, 0.05, 0.95, 0.01),
        "seed": seed_slider(),
    }
    return Explorer(controls, view, fig, title="Beta prior + tosses = Beta posterior")
