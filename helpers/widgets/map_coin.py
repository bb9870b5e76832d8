"""Notebook 04's explorer: a Beta prior, a coin's tosses, and the posterior they make.

Introduced in ``04_map_coin.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"); the maths is in :mod:`helpers.bayes`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from scipy.special import betaln, xlog1py, xlogy
from scipy.stats import norm

from helpers._validation import as_count
from helpers.bayes import (
    beta_interval,
    beta_mode,
    beta_posterior,
    coin_loglik,
    coin_map,
    predictive_heads,
)
from helpers.plotting import COLORS, new_figure
from helpers.widgets.explorer import Explorer, float_slider, int_slider, log_slider, seed_slider

__all__ = ["conjugacy_explorer", "gaussian_prior_explorer"]

_GRID = np.linspace(0.0005, 0.9995, 1000)  # open interval: a Beta with a < 1 is infinite at 0
_Y_TOP = 5.0  # fixed density axis; taller peaks get an "off the top" note
_Z95 = 1.959963984540054
# The prior-strength slider steps by a factor 2.5^(1/8) from 2: both 2 (the uniform prior at mean
# 0.5) and 5 (the start) are on its grid, so the front end never snaps the start to a neighbour
# (a base-10 step of 0.05 from 0.2 turned 5 into 5.02 in a live kernel). Ends 0.202 and 1930.
_LOG_STEP = float(np.log10(2.5)) / 8
_LOG_MIN = float(np.log10(2.0)) - 20 * _LOG_STEP
_LOG_MAX = _LOG_MIN + 80 * _LOG_STEP


def _beta_pdf(a, b):
    """Beta(a, b) density on the grid, through its log (no overflow for large a, b)."""
    return np.exp(xlogy(a - 1, _GRID) + xlog1py(b - 1, -_GRID) - betaln(a, b))


def conjugacy_explorer(*, n_max=500, strength=5.0, prior_mean=0.8, n_tosses=5, true_bias=0.3):
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
        Length of the seeded toss sequence (10 to 100,000); the tosses slider reveals its
        first n.
    strength, prior_mean, n_tosses, true_bias : float
        Starting values of the sliders, each within its slider's range (strength about 0.2
        to 1930, prior_mean and true_bias 0.05 to 0.95, n_tosses 0 to ``n_max``; 0 tosses is
        a valid start: the posterior is then the prior, and there is no MLE yet). The
        defaults (a prior worth 5 tosses with mean 0.8, 5 tosses of a coin with bias 0.3,
        seed 0: 3 heads) put the MLE (0.6), the predictive (0.7), the MAP (0.75) and the
        true bias apart from one another.

    Returns
    -------
    Explorer
        ``result`` is a dict with ``n``, ``heads``, ``a``, ``b``, ``a_post``, ``b_post``,
        ``mle`` (NaN before any toss: h/n is 0/0, and the readout and the figure say so),
        ``map`` (NaN when the posterior has no single mode, said the same way),
        ``predictive``, ``ci_low``, ``ci_high`` and ``width``.
    """
    n_max = as_count(n_max, "n_max", minimum=10, cap=100_000)  # every move redraws n_max widths
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
    interval = Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), fc=COLORS["model"],
                         alpha=0.15, hatch="//", ec="none", animated=True,
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
                            animated=True)  # fmt: skip
    truth_key = Line2D([], [], color="grey", lw=1, marker="x", ms=9, mew=2, label="true bias")
    # Below the axes, where no moving curve can hide it.
    fig.legend(handles=[prior, lik, post, interval, *marks.values(), truth_key],
               loc="outside lower center", ncols=8, fontsize="x-small", frameon=False)  # fmt: skip
    note = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize="small",
                   bbox={"fc": "white", "ec": "none", "alpha": 0.85}, animated=True)  # fmt: skip
    title = ax.set_title(" ", animated=True)

    ax_w.set_xscale("log")
    ax_w.set_yscale("log")
    ax_w.set_xlim(0.8, 1.25 * n_max)  # a margin on both sides, so the last point is visible
    ticks = [k for k in (1, 10, 100, 1000) if k < n_max / 2] + [n_max]
    ax_w.set_xticks(ticks, [f"{k:g}" for k in ticks])
    ax_w.tick_params(axis="x", which="minor", bottom=False)
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
        lik_pdf = _beta_pdf(h + 1.0, n - h + 1.0)  # likelihood / its integral
        lik.set_ydata(lik_pdf)
        post.set_ydata(post_pdf)
        # each marker on the curve it belongs to: the MLE on the likelihood's peak, the MAP on
        # the posterior's; the predictive is a probability, not a density: on the axis
        for key, x, curve in (("mle", mle, lik_pdf), ("map", mode, post_pdf), ("pred", pred, None)):
            if np.isfinite(x):
                y = 0.0 if curve is None else min(float(curve[np.abs(_GRID - x).argmin()]), _Y_TOP)
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

        gauss_width = 2 * _Z95 * np.sqrt(true_bias * (1 - true_bias) / max(n, 1))
        result = {"n": n, "heads": h, "a": a, "b": b, "a_post": a_post, "b_post": b_post,
                  "mle": mle, "map": mode, "predictive": pred, "ci_low": low, "ci_high": high,
                  "width": high - low}  # fmt: skip
        fmt = lambda x: f"{x:.3f}" if np.isfinite(x) else "undefined"  # noqa: E731
        lines = [
            f"{n} tosses: {h} heads, {n - h} tails (true bias {true_bias:.2f}, seed {seed});"
            f" prior Beta(a={a:.3g}, b={b:.3g}): mean {prior_mean:.2f}, a+b = {strength:.3g}",
            f"MLE h/n = {fmt(mle) if n else 'undefined (0/0: no tosses yet)'}"
            f"   MAP (h+a-1)/(n+a+b-2) = {fmt(mode)}"
            f"   predictive P(next is heads) = (h+a)/(n+a+b) = {pred:.3f}",
            f"95% credible interval [{low:.3f}, {high:.3f}], width {high - low:.3f}"
            + (f"; Gaussian width 2·1.96·√(θ(1-θ)/n) = {gauss_width:.3f}"
               f" at the true θ = {true_bias:.2f}" if n else ""),
        ]  # fmt: skip
        return result, lines

    controls = {
        # from 0.202 to 1930, with 2 (the uniform prior, at mean 0.5) and 5 (the start) on the steps
        "strength": log_slider(
            "prior strength a+b", strength, _LOG_MIN, _LOG_MAX, step=_LOG_STEP, name="strength"
        ),
        "prior_mean": float_slider(
            "prior mean a/(a+b)", prior_mean, 0.05, 0.95, 0.01, name="prior_mean"
        ),
        "n_tosses": int_slider("tosses n", n_tosses, 0, n_max, name="n_tosses"),
        "true_bias": float_slider(
            "true bias of the coin", true_bias, 0.05, 0.95, 0.01, name="true_bias"
        ),
        "seed": seed_slider(),
    }
    return Explorer(controls, view, fig, title="Beta prior + tosses = Beta posterior")


def gaussian_prior_explorer(tosses=(0, 0, 1, 1, 0, 0, 1), *, prior_mean=0.5, prior_sd=0.1):
    """Sliders for a Gaussian prior on a coin's bias: MAP as log-likelihood plus log-prior.

    Left: the log-likelihood (dotted), the log-prior (dashed) and their sum, the
    log-posterior (solid), each shifted to peak at 0 nats, with the MLE and the MAP.
    Right: the MAP against the prior's standard deviation (log axis), as its share of the
    way from the MLE (0) to the prior mean (1), so that the curve fills the same fixed axis
    whatever the prior mean: a narrow prior gives 1, a flat one 0. The two readings of
    "N(0.5, 0.1)" (s = 0.1 and s = sqrt(0.1)) are marked.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    tosses : array-like of shape (n_tosses,), default the lesson's D
        0 = tails, 1 = heads; the "copies of the data" slider repeats them.
    prior_mean, prior_sd : float
        Starting values (``prior_sd`` is a standard deviation).

    Returns
    -------
    Explorer
        ``result`` is a dict with ``n``, ``heads``, ``prior_mean``, ``prior_sd``, ``mle``,
        ``map``, ``share`` ((MAP - MLE) / (prior mean - MLE), the height on the right),
        ``outside`` (the untruncated prior's mass outside [0, 1]) and ``two_tails_plugin``
        ((1 - MAP)^2).
    """
    a_flat, b_flat = beta_posterior(tosses)  # validates; Beta(1 + h, 1 + n - h)
    h0, n0 = int(a_flat) - 1, int(a_flat + b_flat) - 2
    if n0 == 0:
        raise ValueError("tosses must not be empty: the explorer shows the data's pull")
    theta = _GRID
    sds = np.geomspace(0.01, 10.0, 200)

    @functools.lru_cache(maxsize=1)
    def map_curve(prior_mean, copies):
        reps = np.r_[np.ones(h0 * copies), np.zeros((n0 - h0) * copies)]
        return reps, coin_map(reps, prior_mean=prior_mean, prior_sd=sds)

    fig, (ax, ax_m) = new_figure(ncols=2, figsize=(10.5, 4.1))
    ax.set_xlim(0, 1)
    ax.set_ylim(-12, 1)
    ax.set_xlabel(r"bias $\theta$ = P(heads)")
    ax.set_ylabel("nats below each curve's peak")
    (ll,) = ax.plot(theta, theta * 0, ":", color=COLORS["estimate"], lw=2,
                    label="log-likelihood", animated=True)  # fmt: skip
    (lp,) = ax.plot(theta, theta * 0, "--", color="grey", lw=1.5, label="log-prior",
                    animated=True)  # fmt: skip
    (lpost,) = ax.plot(theta, theta * 0, "-", color=COLORS["model"], lw=2.2,
                       label="log-posterior = sum", animated=True)  # fmt: skip
    # thin, solid and black, so it is not read as part of the dotted log-likelihood
    mle_line = ax.axvline(0.5, color="black", ls="-", lw=0.9, label="MLE",
                          animated=True)  # fmt: skip
    map_line = ax.axvline(0.5, color=COLORS["model"], ls="-.", lw=1.5, label="MAP",
                          animated=True)  # fmt: skip
    title = ax.set_title(" ", animated=True)
    # One legend per panel, below it, where no moving curve can hide it.
    ax.legend(handles=[ll, lp, lpost, mle_line, map_line], loc="upper center",
              bbox_to_anchor=(0.5, -0.17), ncols=3, fontsize="x-small", frameon=False)  # fmt: skip

    ax_m.set_xscale("log")
    ax_m.set_xlim(0.007, 15)  # a margin, so the tick label "10^1" is not cut off
    ax_m.set_ylim(-0.08, 1.08)
    ax_m.set_yticks([0, 0.25, 0.5, 0.75, 1], ["0\nMLE", "0.25", "0.5", "0.75", "1\nprior mean"])
    ax_m.set_xlabel("prior standard deviation s (log scale)")
    ax_m.set_ylabel("(MAP − MLE) / (prior mean − MLE)", fontsize="small")
    ax_m.axhline(0, color="black", ls="-", lw=0.9, label="MAP = MLE (0)")
    ax_m.axhline(1, color="grey", ls="--", lw=1.5, label="MAP = prior mean (1)")
    (curve,) = ax_m.plot(sds, sds * np.nan, "-", color=COLORS["model"], lw=2,
                         label="MAP's share of the way as s varies", animated=True)  # fmt: skip
    (dot,) = ax_m.plot([], [], "o", color=COLORS["model"], ms=8, label="current s",
                       animated=True)  # fmt: skip
    for s, text in ((0.1, "s = 0.1"), (np.sqrt(0.1), "s² = 0.1")):
        ax_m.axvline(s, color="black", lw=0.8, ls=(0, (1, 3)))
        ax_m.text(s, 0.5, f" {text}", rotation=90, va="center", ha="right", fontsize="small")
    ax_m.set_title("where the MAP sits, for every prior width s")
    ax_m.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2, fontsize="x-small",
                frameon=False)  # fmt: skip

    def view(prior_mean, prior_sd, copies):
        reps, maps = map_curve(prior_mean, copies)
        h, n = h0 * copies, n0 * copies
        mle, mode = h / n, coin_map(reps, prior_mean=prior_mean, prior_sd=prior_sd)
        log_lik = coin_loglik(theta, reps)
        log_prior = -((theta - prior_mean) ** 2) / (2 * prior_sd**2)
        log_post = log_lik + log_prior
        for line, y in ((ll, log_lik), (lp, log_prior), (lpost, log_post)):
            line.set_ydata(y - y.max())
        mle_line.set_xdata([mle, mle])
        map_line.set_xdata([mode, mode])
        curve.set_ydata((maps - mle) / (prior_mean - mle))
        share = (mode - mle) / (prior_mean - mle)
        dot.set_data([prior_sd], [share])
        title.set_text(f"{h} heads in {n}: MLE {mle:.3f}, MAP {mode:.3f}")
        outside = float(norm.cdf(0, prior_mean, prior_sd) + norm.sf(1, prior_mean, prior_sd))
        result = {"n": n, "heads": h, "prior_mean": prior_mean, "prior_sd": prior_sd,
                  "mle": mle, "map": mode, "share": share, "outside": outside,
                  "two_tails_plugin": (1 - mode) ** 2}  # fmt: skip
        lines = [
            f"prior: mean {prior_mean:.2f}, standard deviation s = {prior_sd:.3g}"
            f" (variance s² = {prior_sd**2:.3g}),"
            f" penalty weight λ = 1/(2s²) = {1 / (2 * prior_sd**2):.3g}",
            f"{h} heads in {n} tosses: MLE = {mle:.4f}, MAP = {mode:.4f}"
            f" ({share:.2f} of the way to the prior mean);"
            f" plug-in P(two tails) = (1 - MAP)² = {(1 - mode) ** 2:.4f}",
            f"prior mass outside [0, 1] before truncating: {outside:.2g}"
            " (truncating does not move the MAP)",
        ]  # fmt: skip
        return result, lines

    controls = {
        "prior_mean": float_slider("prior mean m", prior_mean, 0.05, 0.95, 0.01, name="prior_mean"),
        "prior_sd": log_slider("prior sd s", prior_sd, -2.0, 1.0, name="prior_sd"),
        "copies": int_slider("copies of the data", 1, 1, 30),
    }
    return Explorer(controls, view, fig, title="MAP = argmax of log-likelihood + log-prior")
