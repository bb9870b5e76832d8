"""Notebook 06's explorers: the Langevin step size, and the noise scale.

Introduced in ``06_score_langevin.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"): the samplers and scores are the tested
functions of :mod:`helpers.langevin` and :mod:`helpers.scores`; here they are only wired.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

from helpers._validation import as_count, as_location, as_scale, as_weights, check_size
from helpers.langevin import (
    effective_sample_size,
    langevin_gaussian,
    rhat,
    ula_gaussian_variance,
)
from helpers.plotting import COLORS, new_figure
from helpers.scores import mixture_logpdf, mixture_logpdf_nd, mixture_score, mixture_score_nd
from helpers.widgets.explorer import Explorer, fit_text, int_slider, log_slider, seed_slider

__all__ = ["langevin_explorer", "noise_scale_explorer"]

#: Beyond this distance from the target's mean a chain is counted as diverged.
_FAR = 1e6


def langevin_explorer(*, mu=1.0, sigma=0.5, x0=-5.0, n_chains=200, max_steps=4000, n_traces=5):
    r"""Sliders for the step size :math:`\\varepsilon` and the number of steps of Langevin
    dynamics on the Gaussian target :math:`\\mathcal N(\\mu, \\sigma^2)`, all chains from ``x0``.

    Left: a few chains' traces against the step number. Right: where all ``n_chains``
    chains are after the chosen number of steps, against the target density. The readout
    gives the diagnostics: split R-hat and effective sample size of the second half of the
    run, the KS distance of the chains to the target, and the measured variance against
    the one unadjusted Langevin converges to, :math:`\\sigma^2/(1-\\varepsilon/(2\\sigma^2))`.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    mu, sigma : float
        The target's mean and standard deviation.
    x0 : float
        Where every chain starts.
    n_chains, max_steps, n_traces : int
        Chains (2 to 100,000), the longest run (20 to 100,000 steps; one run holds
        ``(max_steps + 1) * n_chains`` numbers, at most 10 million) and the traces drawn
        (at most 20). The steps slider starts at three quarters of ``max_steps`` (3,000 of
        4,000 by default, the notes' run), so a student can move it either way.

    Returns
    -------
    Explorer
        ``result``: a dict with ``step_size``, ``n_steps``, ``diverged`` (bool), and when
        not diverged ``rhat``, ``ess``, ``ks``, ``var``, ``var_theory``, ``mean``, ``note``
        (the histogram's window note) and ``rhat_converged``, the split R-hat that converged
        chains of this length would give, :math:`\\sqrt{1 + \\tau/n}`.
    """
    mu = float(as_location(mu, "mu"))
    sigma = float(as_scale(sigma, "sigma"))
    x0 = float(as_location(x0, "x0"))
    n_chains = as_count(n_chains, "n_chains", minimum=2, cap=100_000)
    max_steps = as_count(max_steps, "max_steps", minimum=20, cap=100_000)
    check_size((max_steps + 1) * n_chains, "(max_steps + 1) × n_chains")  # one cached run
    n_traces = min(as_count(n_traces, "n_traces", cap=20), n_chains)
    start_steps = max(10, 3 * max_steps // 40 * 10)  # below the end: room to move up
    target = stats.norm(mu, sigma)
    limit = 2 * sigma**2

    @functools.lru_cache(maxsize=4)
    def run(step_size, seed):
        """Every chain's path for the longest run: the steps slider only slices it."""
        _, path = langevin_gaussian(mu, sigma, np.full(n_chains, x0), step_size=step_size,
                                    n_steps=max_steps, rng=seed, return_path=True)  # fmt: skip
        return path

    lo, hi = min(x0, mu - 4 * sigma) - 0.5, mu + 4 * sigma
    fig, (ax_tr, ax_h) = new_figure(ncols=2, figsize=(9.0, 3.6))
    stride = max(1, max_steps // 300)  # traces drawn at <= 300 points: a zig-zag is slow to draw
    steps_axis = np.arange(0, max_steps + 1, stride)
    traces = [ax_tr.plot(steps_axis, steps_axis * 0.0, lw=1, animated=True,
                         ls=("-", "--", ":", "-.")[i % 4])[0] for i in range(n_traces)]  # fmt: skip
    ax_tr.axhline(mu, color="k", lw=1, ls="--", label=f"target mean μ = {mu:g}")
    ax_tr.set_xlim(0, 1.03 * max_steps)  # room for the 'now' line at k = max_steps
    ax_tr.set_ylim(lo, hi)
    ax_tr.set_xlabel("step k")
    ax_tr.set_ylabel("position x")
    ax_tr.legend(loc="lower right", fontsize="small")
    now = ax_tr.axvline(0, color=COLORS["model"], lw=1.5, animated=True)
    edges = np.linspace(mu - 4 * sigma, mu + 4 * sigma, 17)  # 16 bins of width σ/2
    grid = np.linspace(edges[0], edges[-1], 300)
    y_top = 1.8 * target.pdf(mu)
    ax_h.plot(grid, target.pdf(grid), "k--", lw=1.5, label=f"target N({mu:g}, {sigma:g}²)")
    hist = ax_h.stairs(np.zeros(edges.size - 1), edges, fill=True, color=COLORS["data"],
                       label=f"{n_chains} chains at step k", animated=True)  # fmt: skip
    ax_h.set_xlim(edges[0], edges[-1])
    ax_h.set_ylim(0, y_top)
    ax_h.set_xlabel("position x")
    ax_h.set_ylabel("density")
    ax_h.legend(loc="upper left", fontsize="small")
    # Static titles: the sliders name ε and k, and the vertical line on the left marks k
    ax_tr.set_title(f"{n_traces} of the {n_chains} chains")
    ax_h.set_title(f"all {n_chains} chains at step k")
    # below the legend's two lines, right of the bulk: a note never sits on the legend
    message = ax_h.text(0.98, 0.62, "", transform=ax_h.transAxes, ha="right", va="top",
                        fontsize="small", animated=True)  # fmt: skip

    def view(step_size, n_steps, seed):
        path = run(step_size, seed)
        xk = path[n_steps]
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(xk - mu) < _FAR)
            few = path[::stride, :n_traces]
            shown = np.where(np.abs(few) < _FAR, few, np.nan)
        diverged = bool(bad.any()) or step_size >= limit
        for i, line in enumerate(traces):
            line.set_ydata(np.where(steps_axis <= n_steps, shown[:, i], np.nan))
        now.set_xdata([n_steps, n_steps])
        result = {"step_size": step_size, "n_steps": n_steps, "diverged": diverged}
        if diverged:
            hist.set_data(np.zeros(edges.size - 1))
            message.set_text(fit_text(message, f"diverged: ε = {step_size:.3g} ≥ 2σ² = {limit:g}"))
            lines = [
                f"ε = {step_size:.3g} ≥ 2σ² = {limit:g}: each step multiplies the distance to μ "
                f"by 1 - ε/σ² = {1 - step_size / sigma**2:.3g}, of size ≥ 1, so the chains "
                f"run off (|x - μ| > {_FAR:.0e} for {int(bad.sum())} of {n_chains} after k steps).",
                "Move ε below 2σ²: there the chain converges, with variance σ²/(1 - ε/(2σ²)).",
            ]
            return result, lines
        counts, _ = np.histogram(xk, edges)
        density = counts / (n_chains * np.diff(edges))
        hist.set_data(np.minimum(density, y_top))
        outside = int(n_chains - counts.sum())
        if outside == n_chains:  # nothing to see in the window: say where the chains are
            note = (f"all {n_chains} chains outside this window:\n"
                    f"mean {xk.mean():.4f}, sd {xk.std():.4f}")  # fmt: skip
        else:
            note = f"{outside} chains outside this window" if outside else ""
        message.set_text(note)
        result["note"] = note
        draws = path[n_steps // 2 : n_steps + 1]
        r_hat, ess = rhat(draws), effective_sample_size(draws)
        ks_test = stats.ks_1samp(xk, target.cdf)
        ks, ks_p = float(ks_test.statistic), float(ks_test.pvalue)
        var_theory = ula_gaussian_variance(sigma, step_size)
        var, mean = float(xk.var()), float(xk.mean())
        result |= {"rhat": r_hat, "ess": ess, "ks": ks, "ks_pvalue": ks_p, "var": var,
                   "var_theory": var_theory, "mean": mean}  # fmt: skip
        a = 1 - step_size / sigma**2
        tau = (1 + a) / (1 - a)  # autocorrelation time of the chain, in steps
        half = draws.shape[0] // 2  # split R-hat compares half-chains of this length
        floor = float(np.sqrt(1 + tau / half))  # R-hat of converged chains (half >> tau)
        result["rhat_converged"] = floor
        judge = (
            f"converged chains this short give about {floor:.3f}"
            if half >= 2 * tau
            else f"half-chains of {half} draws, under 2τ = {2 * tau:,.0f}: too short to judge"
        )
        lines = [
            f"after k = {n_steps} steps: mean {mean:.3f} (target {mu:g}), "
            f"variance {var:.4f} (target σ² = {sigma**2:.4g})",
            f"unadjusted Langevin converges to variance σ²/(1 − ε/(2σ²)) = {var_theory:.4g}",
            f"second half: split R-hat {r_hat:.3f}; {judge}",
            f"(the bar R-hat < 1.01 is for a few long chains); effective sample size "
            f"{ess:,.0f} of {draws.size:,} draws",
            f"KS distance of the {n_chains} chains to the target: {ks:.3f}, p-value {ks_p:.2g}",
            "(p < 0.05 happens 1 time in 20 by chance)",
        ]
        return result, lines

    controls = {
        "step_size": log_slider("step size ε", 0.005, -4, 0, step=0.1),
        "n_steps": int_slider("steps k", start_steps, 10, max_steps, step=10),
        "seed": seed_slider(),
    }
    return Explorer(controls, view, fig, title="Langevin dynamics on N(μ, σ²): step size and steps")


def _mixture_2d(weights_2d, means_2d, covariances_2d):
    """The right panel's 2-D mixture: the default, or all three arguments given and checked.

    Each given argument is checked by name first (so ``covariances_2d=inf`` is refused as
    such, not silently replaced by the default because ``weights_2d`` was not given).
    """
    given = {"weights_2d": weights_2d, "means_2d": means_2d, "covariances_2d": covariances_2d}
    # covariances: finite here; positive definite is checked by the density below
    checks = {"weights_2d": as_weights, "means_2d": as_location, "covariances_2d": as_location}
    given = {k: checks[k](v, k) for k, v in given.items() if v is not None}
    if not given:
        return (
            np.array([0.5, 0.3, 0.2]),
            np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.5]]),
            np.array([np.diag([0.3, 0.3]), np.diag([0.5, 0.2]), [[0.4, 0.2], [0.2, 0.3]]]),
        )
    missing = [k for k in checks if k not in given]
    if missing:
        raise ValueError(
            f"{', '.join(given)} given without {' and '.join(missing)}: give "
            "weights_2d, means_2d and covariances_2d together (or none of them)"
        )
    w, m, c = given["weights_2d"], given["means_2d"], given["covariances_2d"]
    k = w.size
    if m.shape != (k, 2):
        raise ValueError(
            f"means_2d must have one row per component of weights_2d: shape ({k}, 2), got {m.shape}"
        )
    if c.shape != (k, 2, 2):
        raise ValueError(
            f"covariances_2d must have one 2 x 2 matrix per component of weights_2d: shape "
            f"({k}, 2, 2), got {c.shape}"
        )
    try:
        mixture_logpdf_nd([[0.0, 0.0]], w, m, c)
    except ValueError as exc:
        raise ValueError(f"covariances_2d: {exc}") from exc
    return w, m, c


def noise_scale_explorer(*, weights=(0.2, 0.8), mu=(-4.0, 4.0), sigma=(0.3, 0.3),
                         weights_2d=None, means_2d=None, covariances_2d=None):  # fmt: skip
    r"""A noise-scale slider: the data density convolved with :math:`\\mathcal N(0, \\sigma^2)`.

    Left: a 1-D Gaussian mixture (dashed) and the perturbed mixture, each component's
    variance grown by :math:`\\sigma^2`. Middle: their scores. Right: a 2-D mixture's
    perturbed log density with its score field (arrows of length proportional to the square
    root of the score's size, on one scale for every σ, capped at one grid step).
    Shaded: where the unperturbed density is below 1/1000 of its peak, so data rarely
    fall there and a score learned from data is unreliable.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    weights, mu, sigma : array-like of shape (n_components,)
        The 1-D mixture (``sigma``: standard deviations).
    weights_2d, means_2d, covariances_2d : array-like, optional
        The 2-D mixture, shapes (K,), (K, 2), (K, 2, 2): all three or none (then a
        three-component default).

    Returns
    -------
    Explorer
        ``result``: ``noise_sigma``, ``component_sigma`` (perturbed), ``low_fraction_clean``
        and ``low_fraction_noisy`` (fractions of the plotted line below 1/1000 of the peak),
        ``score_at_midpoint`` (the perturbed score halfway between the first two means),
        ``longest_2d`` (the largest 2-D score) and ``longest_arrow`` (its arrow, in the units
        of ``grid_step``).
    """
    weights = as_weights(weights, "weights")
    mu = as_location(mu, "mu")
    sigma = as_scale(sigma, "sigma")
    if np.ptp(mu) > 1000 * sigma.min():  # a 600-point plot would show spikes between gaps
        raise ValueError(
            f"mu spans {np.ptp(mu):.3g}, more than 1000 times the smallest sigma "
            f"({sigma.min():.3g}): one plot cannot show such narrow, distant components"
        )
    mixture_logpdf(0.0, weights, mu, sigma)  # checks the shapes agree
    weights_2d, means_2d, covariances_2d = _mixture_2d(weights_2d, means_2d, covariances_2d)

    span = np.ptp(mu) + 4 * sigma.max()
    grid = np.linspace(mu.min() - 0.5 * span, mu.max() + 0.5 * span, 600)
    log_p0 = mixture_logpdf(grid, weights, mu, sigma)
    p0 = np.exp(log_p0)
    low0 = log_p0 < log_p0.max() - np.log(1000)
    midpoint = 0.5 * (mu[0] + mu[1]) if mu.size > 1 else float(mu[0])

    fig, (ax_p, ax_s, ax_2) = new_figure(ncols=3, figsize=(9.8, 3.4))
    for ax in (ax_p, ax_s):
        ax.fill_between(grid, 0, 1, where=low0, transform=ax.get_xaxis_transform(),
                        color="0.85", label="p₀ < peak/1000")  # fmt: skip
        ax.set_xlim(grid[0], grid[-1])
        ax.set_xlabel("x")
    ax_p.plot(grid, p0, "k--", lw=1.2, label="data density p₀")
    (p_line,) = ax_p.plot(grid, p0, color=COLORS["model"], lw=2, animated=True,
                          label="perturbed p_σ")  # fmt: skip
    ax_p.set_ylim(0, 1.15 * p0.max())
    ax_p.set_ylabel("density")
    ax_p.legend(loc="upper left", fontsize="x-small")
    s_top = 3.0 / sigma.min()
    ax_s.plot(grid, np.clip(mixture_score(grid, weights, mu, sigma), -2 * s_top, 2 * s_top),
              "k--", lw=1.2, label="score of p₀ (leaves the axes)")  # fmt: skip
    (s_line,) = ax_s.plot(grid, grid * 0, color=COLORS["model"], lw=2, animated=True,
                          label="score of p_σ")  # fmt: skip
    ax_s.axhline(0, color="grey", lw=0.8)
    ax_s.set_ylim(-s_top, s_top)
    ax_s.set_ylabel("score d/dx log p (1/x-unit)")
    ax_s.legend(loc="lower left", fontsize="x-small")

    g2 = np.linspace(-5, 5, 80)
    gx, gy = np.meshgrid(g2, g2)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    a2 = np.linspace(-4.5, 4.5, 13)
    ax_, ay_ = np.meshgrid(a2, a2)
    arrows_at = np.column_stack([ax_.ravel(), ay_.ravel()])
    image = ax_2.imshow(np.zeros_like(gx), extent=(-5, 5, -5, 5), origin="lower", cmap="Greys",
                        vmin=-12, vmax=0, animated=True)  # fmt: skip
    quiver = ax_2.quiver(arrows_at[:, 0], arrows_at[:, 1], np.zeros(len(arrows_at)),
                         np.zeros(len(arrows_at)), color=COLORS["model"], angles="xy",
                         scale_units="xy", scale=1.0, width=0.006, animated=True)  # fmt: skip
    ax_2.plot(*np.asarray(means_2d).T, "x", color=COLORS["estimate"], ms=7, mew=2)
    ax_2.set_xlim(-5, 5)
    ax_2.set_ylim(-5, 5)
    ax_2.set_aspect("equal")
    ax_2.set_xlabel("x₁")
    ax_2.set_ylabel("x₂")
    fig.colorbar(image, ax=ax_2, label="log p_σ − max (nats)", shrink=0.8)
    # Static titles: the slider names σ, and animated text is dear to redraw (0.25 ms a glyph)
    ax_p.set_title("densities: data p₀ and perturbed p_σ")
    ax_s.set_title("scores")
    ax_2.set_title("2-D: log p_σ and its score")
    eye = np.eye(2)
    cell = a2[1] - a2[0]
    # one arrow scale for every σ: the largest score at σ = 1 gets 0.6 of a grid step
    field_ref = mixture_score_nd(arrows_at, weights_2d, means_2d, covariances_2d + eye)
    s_ref = float(np.sqrt((field_ref**2).sum(axis=1)).max())

    def view(noise_sigma):
        comp = np.sqrt(sigma**2 + noise_sigma**2)  # every component's variance grows by σ²
        log_p = mixture_logpdf(grid, weights, mu, comp)
        p_line.set_ydata(np.exp(log_p))
        s_line.set_ydata(np.clip(mixture_score(grid, weights, mu, comp), -2 * s_top, 2 * s_top))
        covs = covariances_2d + noise_sigma**2 * eye
        lp2 = mixture_logpdf_nd(pts, weights_2d, means_2d, covs).reshape(gx.shape)
        image.set_data(np.maximum(lp2 - lp2.max(), -12))
        field = mixture_score_nd(arrows_at, weights_2d, means_2d, covs)
        length = np.sqrt((field**2).sum(axis=1, keepdims=True))
        longest = float(length.max())
        # length ∝ √|s| on the fixed scale, capped at one grid step: shrinks as σ grows
        size = np.minimum(0.6 * cell * np.sqrt(length / s_ref), cell)
        field = field * (size / np.maximum(length, 1e-300))
        quiver.set_UVC(field[:, 0], field[:, 1])
        low = log_p < log_p.max() - np.log(1000)
        s_mid = float(mixture_score(midpoint, weights, mu, comp))
        result = {
            "noise_sigma": noise_sigma, "component_sigma": comp,
            "low_fraction_clean": float(low0.mean()), "low_fraction_noisy": float(low.mean()),
            "score_at_midpoint": s_mid, "longest_2d": longest,
            "longest_arrow": float(size.max()), "grid_step": float(cell),
        }  # fmt: skip
        lines = [
            f"noise σ = {noise_sigma:.3g}: component standard deviations "
            + ", ".join(f"√({s:.3g}² + σ²) = {c:.3g}" for s, c in zip(sigma, comp, strict=True)),
            "(weights and means unchanged)",
            f"share of the line where the density is below 1/1000 of its peak: "
            f"{low0.mean():.0%} for p₀, {low.mean():.0%} for p_σ",
            f"score halfway between the modes, at x = {midpoint:g}: {s_mid:.3g} "
            f"(the data density's: {float(mixture_score(midpoint, weights, mu, sigma)):.3g})",
            f"2-D: the largest score on the grid is {longest:.3g} "
            "(arrow length ∝ √|score|, one scale for every σ)",
        ]
        return result, lines

    controls = {"noise_sigma": log_slider("noise σ", 1.0, -2, 1, step=0.05)}
    return Explorer(controls, view, fig, title="Perturbing the data with noise of scale σ")
