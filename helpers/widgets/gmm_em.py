"""Notebook 05's explorers: EM step by step, and the bandwidth of a kernel density estimate.

Introduced in ``05_gmm_em.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"): the compute lives in
:mod:`helpers.mixture` and :mod:`helpers.kde`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import to_rgb

from helpers._validation import as_count, as_sample, as_scale
from helpers.kde import kde_logpdf, kde_loo_loglik, scott_bandwidth, silverman_bandwidth
from helpers.mixture import _as_data, covariance_ellipse, e_step, em, mixture_logpdf
from helpers.plotting import COLORS, new_figure, plot_histogram
from helpers.widgets.explorer import Explorer, int_slider, log_slider, seed_slider

__all__ = ["em_explorer", "em_start", "kde_explorer"]

#: One colour, marker and line style per component, so the plot reads without colour too.
_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "p", "*"]
_STYLES = [
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1)),
    (0, (1, 1)),
    (0, (8, 2)),
    (0, (3, 1, 1, 1, 1, 1)),
]


def em_start(X, n_components, seed):
    """The explorer's documented random start: equal weights, ``n_components`` distinct
    data points drawn with ``np.random.default_rng(seed)`` as means, and the covariance of
    the data (divided by n) for every component (:class:`helpers.mixture.GaussianMixture`'s
    default start).

    Introduced in ``05_gmm_em.ipynb``.

    Returns
    -------
    weights (K,), means (K, d), covariances (K, d, d)
    """
    X = _as_data(X)
    K = as_count(n_components, "n_components")
    if K > len(X):
        raise ValueError(f"n_components = {K} is more than the {len(X)} data points")
    seed = as_count(seed, "seed", minimum=0, cap=None)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    cov = np.atleast_2d(np.cov(X.T, bias=True)).reshape(d, d)
    return np.full(K, 1 / K), X[rng.choice(len(X), K, replace=False)], np.array([cov] * K)


def em_explorer(X, *, names=("x1", "x2"), max_components=8, max_iter=40, tol=1e-6,
                n_components=2, seed=0, iteration=1):  # fmt: skip
    """Step through EM on 2-D data: components, responsibilities and the log-likelihood.

    Left: the data, each point coloured by its responsibilities (a blend of the component
    colours) and marked by its most responsible component; each component's 1- and
    2-standard-deviation ellipses and its mean. Right: the mean log-likelihood per point
    after each iteration, the current iteration marked. Sliders: the iteration, the number
    of components K and the seed of the random start (:func:`em_start`).

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    names : pair of str
        Axis labels.
    max_components : int, default 8
        The K slider's maximum (at most 8).
    max_iter : int, default 40
        Iterations stored per fit, at most 1000 (the iteration slider's maximum, and the right axis'
        extent). A new (K, seed) runs them all before drawing (about 0.25 ms each), so a
        small number keeps a move quick; the readout says when a fit has not converged.
    tol : float, default 1e-6
        EM stops earlier once the mean log-likelihood changes by less than this.
    n_components, seed, iteration : int
        Starting values of the sliders.

    Returns
    -------
    Explorer
        ``result``: dict with ``n_components``, ``seed``, ``iteration`` (the one shown),
        ``n_iter`` (iterations run), ``loglik`` (mean log-likelihood per point, nats, at the
        shown parameters), ``final_loglik``, ``converged``, ``weights``, ``means``,
        ``covariances``.
    """
    X = _as_data(X)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 features (columns), got {X.shape[1]}")
    if isinstance(names, str) or not hasattr(names, "__len__") or len(names) != 2:
        raise ValueError(f"names must be a pair of axis labels such as ('x1', 'x2'), got {names!r}")
    names = [str(label) for label in names]
    K_max = as_count(max_components, "max_components")
    if K_max > len(_COLOURS):
        raise ValueError(f"max_components must be <= {len(_COLOURS)}, got {K_max}")
    max_iter = as_count(max_iter, "max_iter", cap=1000)  # a new (K, seed) runs them all
    tol = float(as_scale(tol, "tol"))
    palette = np.array([to_rgb(c) for c in _COLOURS])

    @functools.lru_cache(maxsize=64)
    def fit(K, seed):
        """EM from the (K, seed) start, every iterate kept, and the log-likelihood of each."""
        result = em(X, *em_start(X, K, seed), tol=tol, max_iter=max_iter, keep_path=True)
        final = float(mixture_logpdf(X, *result.path[-1]).mean())
        return result, [*result.lower_bounds, final]  # loglik at path[0], ..., path[-1]

    single = float(mixture_logpdf(X, [1.0], X.mean(0)[None], np.cov(X.T, bias=True)[None]).mean())
    fig, (ax, ax_ll) = new_figure(ncols=2, figsize=(9.6, 3.8))
    pad = 0.15 * (X.max(0) - X.min(0))
    ax.set_xlim(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0])
    ax.set_ylim(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1])
    ax.set_aspect("equal", adjustable="box")  # as in the lesson's figures: circles look round
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    points = [ax.scatter([], [], s=18, marker=_MARKERS[k], edgecolors="none", animated=True)
              for k in range(K_max)]  # fmt: skip
    ellipses = [[ax.plot([], [], color=_COLOURS[k], ls=_STYLES[k], lw=lw, animated=True)[0]
                 for lw in (2.0, 1.0)] for k in range(K_max)]  # fmt: skip
    centres = [ax.plot([], [], marker="X", ms=11, color=_COLOURS[k], mec="k", ls="none",
                       animated=True)[0] for k in range(K_max)]  # fmt: skip
    # Static titles: the sliders and the readout name K, the start and t, and animated text
    # is the dearest thing to redraw (about 0.25 ms per glyph with matplotlib 3.11).
    ax.set_title("colour: responsibilities; ellipses: 1 and 2 sd")

    ax_ll.axhline(single, color="grey", ls=":", lw=1, label="one Gaussian (K = 1)")
    ax_ll.set_xlim(-0.02 * max_iter, 1.02 * max_iter)
    ax_ll.set_ylim(single - 0.6, single + 0.9)
    ax_ll.set_xlabel("iteration t")
    ax_ll.set_ylabel("mean log-likelihood per point (nats)")
    ax_ll.legend(loc="lower right", fontsize="small")
    ax_ll.set_title("mean log-likelihood after each iteration")
    (curve,) = ax_ll.plot([], [], "-", color=COLORS["estimate"], lw=2, animated=True)
    (dot,) = ax_ll.plot([], [], "o", color=COLORS["model"], ms=9, zorder=3, animated=True)
    note = ax_ll.text(0.03, 0.95, "", transform=ax_ll.transAxes, va="top", fontsize="small",
                      animated=True)  # fmt: skip

    def view(iteration, n_components, seed):
        K = n_components
        result, logliks = fit(K, seed)
        t = min(iteration, result.n_iter)
        w, m, c = result.path[t]
        resp = np.exp(e_step(X, w, m, c)[1])  # (N, K)
        colours = resp @ palette[:K]  # responsibilities as a blend of colours
        label = resp.argmax(axis=1)
        rings = {r: covariance_ellipse(m, c, n_std=r) for r in (1.0, 2.0)}  # (K, 100, 2) each
        for k in range(K_max):
            on = k < K
            points[k].set_offsets(X[label == k] if on else np.empty((0, 2)))
            points[k].set_facecolors(colours[label == k] if on else np.empty((0, 3)))
            for line, r in zip(ellipses[k], (1.0, 2.0), strict=True):
                line.set_data(*(rings[r][k].T if on else ([], [])))
            centres[k].set_data([m[k, 0]] if on else [], [m[k, 1]] if on else [])
        ll = logliks[t]
        curve.set_data(np.arange(len(logliks)), logliks)
        dot.set_data([t], [ll])
        low = single - 0.6
        hidden = "the start is below this window" if logliks[0] < low else ""
        stop = (f"converged after {result.n_iter} iterations" if result.converged
                else f"not converged after {result.n_iter} iterations")  # fmt: skip
        past = f"slider at {iteration}: EM stopped at t = {t}" if iteration > t else ""
        note.set_text("\n".join(s for s in (past, hidden) if s))
        out = {"n_components": K, "seed": seed, "iteration": t, "n_iter": result.n_iter,
               "loglik": ll, "final_loglik": logliks[-1], "converged": result.converged,
               "weights": w, "means": m, "covariances": c}  # fmt: skip
        lines = [
            f"K = {K}, start {seed}, iteration {t} of {result.n_iter} ({stop}):"
            f" mean log-likelihood {ll:.4f} nats/point",
            f"final: {logliks[-1]:.4f} nats/point; one Gaussian: {single:.4f}",
            "weights " + ", ".join(f"{v:.3f}" for v in w),
        ]
        return out, lines

    controls = {
        "iteration": int_slider("iteration t", iteration, 0, max_iter, name="iteration"),
        "n_components": int_slider("components K", n_components, 1, K_max, name="n_components"),
        "seed": seed_slider(seed, description="start (seed)", name="seed"),
    }
    return Explorer(
        controls, view, fig, title="EM step by step: move t, then change K or the start"
    )


def kde_explorer(x, *, name="x", unit="", bandwidth=None, mixture=None, bandwidths=None):
    """A Gaussian KDE with a bandwidth slider, beside the leave-one-out log-likelihood.

    Left: the histogram of ``x``, the KDE :math:`\\hat p_h` and (optionally) a fitted
    mixture. Right: the leave-one-out log-likelihood as a function of :math:`h` (log
    scale), with Scott's and Silverman's rules, the best :math:`h`, and the current one.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    x : array-like of shape (n,)
    name, unit : str
        Labels for the plot and readout.
    bandwidth : float, optional
        Starting bandwidth (kernel standard deviation), within the range of ``bandwidths``;
        default Scott's rule.
    mixture : tuple (weights, means, variances), optional
        A 1-D Gaussian mixture to draw for comparison (variances, not standard deviations).
    bandwidths : array-like of shape (m,), optional
        The grid of bandwidths for the leave-one-out curve, its best value and the
        slider's range (at most 10,000 values, each costs a leave-one-out pass); default
        241 values from Scott's h / 30 to 5 Scott's h. Pass the
        notebook's own grid so the explorer's "best h" is the notebook's.

    Returns
    -------
    Explorer
        ``result``: dict with ``bandwidth``, ``loo_loglik`` (nats), ``best_bandwidth``,
        ``best_loo_loglik``, ``scott``, ``silverman``.
    """
    x = as_sample(x, name)
    scott, silverman = scott_bandwidth(x), silverman_bandwidth(x)
    u = f" {unit}" if unit else ""
    if bandwidths is None:
        grid_h = np.geomspace(scott / 30, scott * 5, 241)
    else:
        grid_h = np.sort(as_sample(bandwidths, "bandwidths"))
        if grid_h[0] <= 0:
            raise ValueError(f"bandwidths must be > 0, got {grid_h[0]}")
        if grid_h.size > 10_000:  # each costs a leave-one-out pass over x
            raise ValueError(f"bandwidths must hold at most 10,000 values, got {grid_h.size:,}")
    if mixture is not None:
        if isinstance(mixture, str) or not hasattr(mixture, "__len__") or len(mixture) != 3:
            raise ValueError(
                f"mixture must be a triple (weights, means, variances), got {mixture!r}"
            )
        try:
            mixture_logpdf(x[:1], *mixture)
        except ValueError as exc:
            raise ValueError(f"mixture: {exc}") from exc
    loo = kde_loo_loglik(x, grid_h)
    best = int(np.argmax(loo))
    pad = 0.15 * (x.max() - x.min())
    grid = np.linspace(x.min() - pad, x.max() + pad, 400)

    fig, (ax, ax_h) = new_figure(ncols=2, figsize=(9.6, 3.6))
    integer = np.all(x == np.round(x))
    bins = np.arange(np.floor(x.min()) - 0.5, np.ceil(x.max()) + 1.5, 2) if integer else 30
    plot_histogram(x, ax=ax, bins=bins, label="data")
    if mixture is not None:
        ax.plot(grid, np.exp(mixture_logpdf(grid, *mixture)), "k--", lw=1.5, label="mixture fit")
    y_top = 1.7 * max(p.get_height() for p in ax.patches)
    ax.set_ylim(0, y_top)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_xlabel(f"{name}{f' ({unit})' if unit else ''}")
    ax.set_ylabel(f"density (per {unit})" if unit else "density")
    (kde_line,) = ax.plot(grid, grid * 0, color=COLORS["model"], lw=2, label="KDE", animated=True)
    ax.legend(loc="upper left", fontsize="small")
    off_top = ax.text(0.98, 0.96, "", transform=ax.transAxes, ha="right", va="top",
                      color=COLORS["model"], animated=True)  # fmt: skip

    ax_h.plot(grid_h, loo, color=COLORS["estimate"], lw=2)
    ax_h.set_xscale("log")
    for h, style, label in [(scott, "--", "Scott"), (silverman, ":", "Silverman"),
                            (grid_h[best], "-", "best (LOO)")]:  # fmt: skip
        ax_h.axvline(h, color="grey", ls=style, lw=1.2, label=f"{label}: {h:.3g}{u}")
    ax_h.set_ylim(loo[best] - 120, loo[best] + 25)
    ax_h.set_xlim(grid_h[0], grid_h[-1])
    ax_h.set_xlabel(f"bandwidth h{f' ({unit})' if unit else ''}, log scale")
    ax_h.set_ylabel("LOO log-likelihood (nats)")  # short: clears the left panel
    ax_h.legend(loc="lower center", fontsize="small")
    (dot,) = ax_h.plot([], [], "o", color=COLORS["model"], ms=9, zorder=3, animated=True)
    below = ax_h.text(0.5, 0.5, "", transform=ax_h.transAxes, ha="center", animated=True)
    title = ax.set_title(" ", animated=True)

    def view(bandwidth):
        h = float(bandwidth)
        density = np.exp(kde_logpdf(grid, x, h))
        kde_line.set_ydata(density)
        off_top.set_text(
            f"peak {density.max():.3g} is off the top" if density.max() > y_top else ""
        )
        ll = float(kde_loo_loglik(x, h)[0])
        dot.set_data([h], [ll])
        low = loo[best] - 120
        below.set_text(
            f"LOO {ll:,.0f} nats: {low - ll:,.0f} below this window\n"
            "(h much narrower than the gaps between points)"
            if ll < low
            else ""
        )
        title.set_text(f"Gaussian KDE, h = {h:.3g}{u}")
        out = {"bandwidth": h, "loo_loglik": ll, "best_bandwidth": float(grid_h[best]),
               "best_loo_loglik": float(loo[best]), "scott": scott,
               "silverman": silverman}  # fmt: skip
        lines = [
            f"h = {h:.3g}{u}: leave-one-out log-likelihood {ll:,.1f} nats",
            f"best h on the grid {grid_h[best]:.3g}{u} ({loo[best]:,.1f} nats); "
            f"Scott {scott:.3g}{u}, Silverman {silverman:.3g}{u}",
        ]
        return out, lines

    # a bandwidth the caller gave must lie on the slider; Scott's is put there
    if bandwidth is None:
        start, arg = float(np.clip(scott, grid_h[0], grid_h[-1])), None
    else:
        start, arg = float(as_scale(bandwidth, "bandwidth")), "bandwidth"
    lo, hi = np.log10(grid_h[0]), np.log10(grid_h[-1])
    controls = {"bandwidth": log_slider(f"bandwidth h{f' ({unit})' if unit else ''}", start,
                                        lo, hi, step=(hi - lo) / 120, name=arg)}  # fmt: skip
    return Explorer(controls, view, fig, title=f"Kernel density estimate of {name}: choose h")
