"""Notebook 03's explorers: the learning rate, the optimiser, the batch size.

Introduced in ``03_gradient_mle.ipynb``. Built on :mod:`helpers.widgets.explorer`
(see CONTRIBUTING.md, "Explorers: three layers"): the optimisers are
:mod:`helpers.optim`, the log-likelihood and its gradient :mod:`helpers.gradients`.

Every gradient here is computed from the sufficient statistics of the data
(:math:`\\nabla_\\mu \\ell = n\\Sigma^{-1}(\\bar x - \\mu)`), so a redraw costs a few
hundred 2-vector operations, not hundreds of passes over 10,000 points.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import LogNorm
from scipy import optimize

from helpers import optim
from helpers._validation import (
    as_choice,
    as_count,
    as_location,
    as_number,
    as_scale,
    check_size,
)
from helpers.gradients import minibatch_grad_cov, mvn_loglik, suff_stats
from helpers.plotting import COLORS, new_figure
from helpers.widgets.explorer import (
    Explorer,
    choice,
    fit_text,
    float_slider,
    int_slider,
    log_slider,
    seed_slider,
)

__all__ = ["batch_size_explorer", "learning_rate_explorer", "optimizer_explorer"]

_GAP_FLOOR, _GAP_TOP = 1e-10, 1e7  # the y range of every "gap per iteration" panel (nats)
_BOX = {"boxstyle": "round", "fc": "#fff3cd", "ec": "#b08900"}


class _Problem:
    """The Gaussian-mean problem of notebook 03, from sufficient statistics."""

    def __init__(self, X, cov, theta0):
        self.stats = suff_stats(X)
        self.n, self.x_bar = self.stats.n, self.stats.mean
        mvn_loglik(self.stats, self.x_bar, cov)  # validates cov against X
        self.cov = np.asarray(cov, dtype=float)
        self.prec = np.linalg.inv(self.cov)
        self.theta0 = np.asarray(as_location(theta0, "theta0"), dtype=float)
        if self.theta0.shape != self.x_bar.shape:
            raise ValueError(
                f"theta0 must have shape {self.x_bar.shape} like a row of X, "
                f"got {self.theta0.shape}"
            )
        self.H = self.n * self.prec  # minus the Hessian of the summed log-likelihood
        self.lam = np.linalg.eigvalsh(self.H)  # curvatures, ascending
        self.ll_max = float(mvn_loglik(self.stats, self.x_bar, self.cov))
        scale = max(np.abs(self.x_bar).max(), np.abs(self.theta0).max(), 1.0)
        self.max_norm = 1e3 * scale  # "diverged" for the explorers: far off every map

    def grad(self, mu):
        """Gradient of the summed log-likelihood, from the sufficient statistics."""
        return self.H @ (self.x_bar - mu)

    def gap(self, mu):
        """ell(x_bar) - ell(mu) >= 0, in nats, for mu of shape (..., d)."""
        diff = self.x_bar - np.asarray(mu)
        return 0.5 * np.einsum("...i,ij,...j->...", diff, self.H, diff)

    def steps_to(self, path, tol=1e-3):
        """First step at which the iterate is within ``tol`` of the sample mean (or None)."""
        close = np.flatnonzero(np.linalg.norm(path - self.x_bar, axis=1) < tol)
        return int(close[0]) if close.size else None


def _heatmap(ax, problem, extent, *, title):
    """The log-likelihood gap over the map, drawn once (a background for the path)."""
    lo, hi = extent
    grid = np.linspace(lo, hi, 161)
    mu = np.stack(np.meshgrid(grid, grid), axis=-1)
    gap = np.maximum(problem.gap(mu), 1e-2)
    # Discrete bands (one per decade) rather than a smooth image: as readable, labelled
    # by the contour lines, and a picture of flat regions encodes to PNG several times faster.
    levels = 10.0 ** np.arange(-2, np.ceil(np.log10(gap.max())) + 1)
    filled = ax.contourf(
        grid, grid, gap, levels=levels, norm=LogNorm(levels[0], levels[-1]), cmap="viridis_r"
    )
    cs = ax.contour(grid, grid, gap, levels=levels[2:-1], colors="white", linewidths=0.6)
    ax.clabel(cs, fmt=lambda v: f"{v:g}", fontsize=7)
    ax.figure.colorbar(filled, ax=ax, label="nats below the peak", shrink=0.9, pad=0.02)
    ax.plot(
        *problem.x_bar,
        "*",
        color="white",
        mec="k",
        ms=14,
        zorder=4,
        label=r"MLE $\hat\mu = \bar x$",
    )
    ax.plot(*problem.theta0, "s", color="white", mec="k", ms=7, zorder=4, label=r"start $\mu_0$")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(r"$\mu_1$ (data units)")
    ax.set_ylabel(r"$\mu_2$ (data units)")
    ax.set_title(title)
    (path,) = ax.plot(
        [],
        [],
        "-o",
        color=COLORS["model"],
        mfc="white",
        mec=COLORS["model"],
        ms=3.5,
        lw=1.2,
        zorder=5,
        animated=True,
        label=r"iterates $\mu_t$",
    )
    ax.legend(loc="lower right", fontsize="x-small", framealpha=0.9)
    message = ax.text(
        0.03,
        0.97,
        "",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=9,
        bbox=_BOX,
        zorder=6,
        animated=True,
    )
    return path, message


def _gap_axes(ax, n_max, *, title):
    ax.set_yscale("log")
    ax.set_ylim(_GAP_FLOOR, _GAP_TOP)
    ax.set_xlim(0, n_max)
    ax.set_xlabel("iteration t")
    ax.set_ylabel(r"gap $\ell(\bar x) - \ell(\mu_t)$ (nats)")
    ax.set_title(title)


def _clip_gap(gap):
    """Gaps for a log axis: exact zeros drawn on the floor, blow-ups capped at the top."""
    # 1.5 x the floor, so a point that has reached the peak stays visible on the bottom edge
    gap = np.nan_to_num(gap, nan=_GAP_TOP, posinf=_GAP_TOP)
    return np.clip(gap, 1.5 * _GAP_FLOOR, _GAP_TOP * 10)


def _fmt_vec(v):
    return "(" + ", ".join(f"{x:.4f}" for x in v) + ")"


# --- 1. the learning rate ---------------------------------------------------------------------


def learning_rate_explorer(X, cov, *, theta0=(-1.0, -1.0), lr=10**-3.1, n_steps=30):
    """Gradient ascent on the Gaussian mean with a log-scale learning-rate slider.

    Left: the iterates on a heatmap of the log-likelihood (as the gap below its peak).
    Right: that gap per iteration on a log scale, with the rate the theory predicts
    (dashed). A choice switches the objective between the summed log-likelihood and
    the mean (divided by n): the same lr is then n times smaller in effect.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data (the source exercise: 10,000 draws from a 2-D Gaussian).
    cov : array-like of shape (n_features, n_features)
        The known covariance :math:`\\Sigma`.
    theta0 : array-like of shape (n_features,), default (-1, -1)
        The start.
    lr, n_steps : float, int
        Starting slider values (lr in 1e-6..1e2, n_steps in 1..100).

    Returns
    -------
    Explorer
        ``result`` holds ``lr``, ``objective``, ``n_steps``, ``x`` (the last iterate),
        ``distance`` (to the sample mean), ``gap`` (nats below the peak), ``limit``
        (the largest stable lr for this objective), ``factor`` (the error's multiplier
        per step along the sharpest direction), ``diverged_at`` and ``success``.
    """
    p = _Problem(X, cov, theta0)
    lam_max = p.lam[-1]
    n_max = 100
    fig, (ax_map, ax_gap) = new_figure(ncols=2, figsize=(10, 4))
    lo = float(min(p.theta0.min(), p.x_bar.min())) - 2.0
    hi = float(max(p.theta0.max(), p.x_bar.max())) + 2.0
    path_line, message = _heatmap(ax_map, p, (lo, hi), title="Gradient ascent on ℓ(μ)")
    # Static titles: the sliders and the readout already name the settings, and animated
    # text is the dearest thing to redraw (about 0.25 ms per glyph with matplotlib 3.11).
    _gap_axes(ax_gap, n_max, title="Gap to the peak after each step")
    (gap_line,) = ax_gap.plot(
        [], [], "-o", color=COLORS["model"], ms=3, lw=1.2, animated=True, label="gradient ascent"
    )
    (theory,) = ax_gap.plot(
        [], [], "--", color="k", lw=1, animated=True, label=r"theory: gap$_0\,|1-\eta\lambda|^{2t}$"
    )
    ax_gap.legend(loc="upper right", fontsize="x-small", framealpha=0.9)
    note = ax_gap.text(
        0.03, 0.04, "", transform=ax_gap.transAxes, fontsize=9, bbox=_BOX, animated=True
    )
    gap0 = float(p.gap(p.theta0))
    sigma2_min = p.n / lam_max  # the smallest variance of Sigma: 2 sigma^2 / n is the limit

    def view(lr, n_steps, objective):
        per = 1.0 if objective == "sum" else 1.0 / p.n  # the mean objective's gradient is /n
        res = optim.gradient_ascent(
            lambda mu: per * p.grad(mu), p.theta0, lr=lr, n_steps=n_steps, max_norm=p.max_norm
        )
        eff = lr * per  # the step the summed objective would need for the same path
        factor = 1.0 - eff * lam_max
        limit = 2.0 / (lam_max * per)
        sym = "2σ²/n" if objective == "sum" else "2σ²"
        path_line.set_data(res.path[:, 0], res.path[:, 1])
        gaps = p.gap(res.path)
        t = np.arange(res.nit + 1)
        gap_line.set_data(t, _clip_gap(gaps))
        with np.errstate(over="ignore", under="ignore"):
            predicted = gap0 * np.abs(factor) ** (2.0 * np.arange(n_steps + 1))
        theory.set_data(np.arange(n_steps + 1), _clip_gap(predicted))
        at_limit = bool(np.isclose(abs(factor), 1.0, rtol=1e-9))  # factor -1: the 2-cycle
        if not res.success:
            msg = f"diverged at step {res.diverged_at}: lr > {sym} = {limit:.3g}"
        elif at_limit:
            msg = f"lr = {sym} = {limit:.3g}: bounces forever, never converges"
        elif abs(factor) > 1:
            msg = f"diverging: lr > {sym} = {limit:.3g} (each step ×{abs(factor):.2f})"
        else:
            msg = ""
        message.set_text(fit_text(message, msg))
        message.set_visible(bool(msg))
        dist = float(np.linalg.norm(res.x - p.x_bar))
        gap = float(gaps[-1])
        if res.success and gap < _GAP_FLOOR:
            note.set_text("at the peak to rounding error")
        elif res.success and gap > _GAP_TOP:
            note.set_text("off the top: the path is growing")
        elif not res.success:  # names the steps slider too, so moving it visibly registers
            note.set_text(f"run stopped at step {res.nit} of {n_steps}")
        else:
            note.set_text("")
        note.set_visible(bool(note.get_text()))
        where = "summed ℓ" if objective == "sum" else "mean ℓ/n"
        lines = [
            f"lr = {lr:.3g} on the {where}: stable for lr < {sym} = {limit:.4g};"
            f" best lr = {sym[1:] if objective == 'mean' else 'σ²/n'} = {limit / 2:.4g}"
            " (one step to the peak)",
            f"each step multiplies the error by 1 − lr·λ = {factor:+.4g}"
            + (
                "  (|·| = 1: the error stays the same size)"
                if at_limit
                else "  (|·| > 1: the error grows)"
                if abs(factor) > 1
                else ""
            ),
        ]
        if res.success:
            lines.append(
                f"after {res.nit} steps: μ = {_fmt_vec(res.x)}, {dist:.3g} from the sample mean,"
                f" {gap:.3g} nats below the peak"
            )
        else:
            lines.append(
                f"{msg}; stopped after {res.nit} of {n_steps} steps, {p.max_norm:.3g} from μ0"
            )
        result = {
            "lr": lr,
            "objective": objective,
            "n_steps": n_steps,
            "x": res.x,
            "distance": dist,
            "gap": gap,
            "limit": limit,
            "factor": factor,
            "diverged_at": res.diverged_at,
            "success": bool(res.success),
            "sigma2": sigma2_min,
        }
        return result, lines

    controls = {
        "lr": log_slider("learning rate lr", lr, -6, 2, step=0.05, name="lr"),
        "n_steps": int_slider("steps", n_steps, 1, n_max, name="n_steps"),
        "objective": choice(
            "objective", [("sum: ℓ(μ)", "sum"), ("mean: ℓ(μ)/n", "mean")], value="sum"
        ),
    }
    return Explorer(controls, view, fig, title="Gradient ascent and the learning rate")


# --- 2. the optimiser ---------------------------------------------------------------------------

_METHODS = {
    "momentum": "heavy-ball momentum",
    "nesterov": "Nesterov momentum",
    "adam": "Adam",
    "gradient": "plain gradient ascent",
}


def _run_method(p, method, lr, beta, n_steps):
    kw = {"lr": lr, "n_steps": n_steps, "max_norm": p.max_norm}
    if method == "momentum":
        return optim.momentum_ascent(p.grad, p.theta0, beta=beta, **kw)
    if method == "nesterov":
        return optim.nesterov_ascent(p.grad, p.theta0, beta=beta, **kw)
    if method == "adam":
        return optim.adam_ascent(p.grad, p.theta0, beta1=beta, **kw)
    return optim.gradient_ascent(p.grad, p.theta0, **kw)


def _stability_limit(method, beta):
    """The largest stable lr·λ on a quadratic (inf for Adam, which has no such limit)."""
    return {
        "gradient": 2.0,
        "momentum": 2.0 + 2.0 * beta,
        "nesterov": (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta),
    }.get(method, np.inf)


def optimizer_explorer(
    X, cov, *, theta0=(-1.0, -1.0), method="momentum", lr=10**-3.8, beta=0.8, n_steps=200, tol=1e-3
):
    """Compare optimisers on an ill-conditioned Gaussian-mean problem.

    Left: the path on the log-likelihood heatmap. Right: the gap per iteration for
    the chosen optimiser, beside plain gradient ascent at its best constant lr
    (dashed) and the number of iterations ``scipy.optimize.minimize`` (BFGS) needs.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X, cov, theta0 :
        As :func:`learning_rate_explorer`; choose ``cov`` with a large condition number.
    method : {"momentum", "nesterov", "adam", "gradient"}
        Starting optimiser.
    lr, beta : float
        Starting learning rate (slider 1e-6..1) and momentum (``beta1`` for Adam; 0..0.99).
    n_steps : int
        Iterations per run (fixed; 1 to 10,000, since every move runs them all).
    tol : float
        "Converged" means within ``tol`` of the sample mean.

    Returns
    -------
    Explorer
        ``result`` holds ``method``, ``lr``, ``beta``, ``x``, ``distance``,
        ``steps_to_tol`` (None if never), ``limit`` (stable lr), ``success``,
        ``diverged_at``, ``gd_best_steps`` and ``scipy_nit``.
    """
    p = _Problem(X, cov, theta0)
    method = as_choice(method, "method", list(_METHODS))
    n_steps = as_count(n_steps, "n_steps", cap=10_000)  # every move runs them all
    tol = float(as_scale(tol, "tol"))
    lam_min, lam_max = p.lam[0], p.lam[-1]
    kappa = lam_max / lam_min
    fig, (ax_map, ax_gap) = new_figure(ncols=2, figsize=(10, 4))
    span = float(np.abs(np.concatenate([p.theta0, p.x_bar])).max()) + 2.5
    centre = 0.5 * (p.theta0 + p.x_bar).mean()
    path_line, message = _heatmap(
        ax_map, p, (centre - span, centre + span), title=f"Condition number κ = {kappa:.0f}"
    )
    _gap_axes(ax_gap, n_steps, title="Gap to the peak after each step")
    best = optim.gradient_ascent(p.grad, p.theta0, lr=2 / (lam_min + lam_max), n_steps=n_steps)
    gd_best_steps = p.steps_to(best.path, tol)
    ax_gap.plot(
        np.arange(best.nit + 1),
        _clip_gap(p.gap(best.path)),
        "--",
        color="grey",
        lw=1.2,
        label=f"gradient ascent, best lr (rate {(kappa - 1) / (kappa + 1):.3f})",
    )
    fit = optimize.minimize(
        lambda mu: -float(mvn_loglik(p.stats, mu, p.cov)),
        p.theta0,
        jac=lambda mu: -p.grad(mu),
        method="BFGS",
        options={"gtol": 1e-6},
    )
    ax_gap.axvline(fit.nit, color="k", ls=":", lw=1, label=f"scipy BFGS: {fit.nit} iterations")
    (gap_line,) = ax_gap.plot(
        [], [], "-", color=COLORS["model"], lw=1.6, animated=True, label="your optimiser"
    )
    ax_gap.legend(loc="upper right", fontsize="x-small", framealpha=0.9)

    def view(method, lr, beta):
        symbol = "β₁" if method == "adam" else "β"
        extra = "" if method == "gradient" else f", {symbol} = {beta:.2f}"
        res = _run_method(p, method, lr, beta, n_steps)
        path_line.set_data(res.path[:, 0], res.path[:, 1])
        gap_line.set_data(np.arange(res.nit + 1), _clip_gap(p.gap(res.path)))
        limit = _stability_limit(method, beta) / lam_max
        steps = p.steps_to(res.path, tol)
        dist = float(np.linalg.norm(res.x - p.x_bar))
        name = _METHODS[method]
        if method == "adam":
            rule = f"Adam: each coordinate moves about lr = {lr:.3g} per step; no lr·λ limit"
        else:
            bound = {"gradient": "2", "momentum": "2 + 2β", "nesterov": "(2 + 2β)/(1 + 2β)"}
            rule = (
                f"stable for lr·λ_max < {bound[method]} = {limit * lam_max:.3g}, i.e."
                f" lr < {limit:.3g}; here lr·λ_max = {lr * lam_max:.3g}"
            )
        if not res.success:
            msg = f"diverged at step {res.diverged_at}: lr > {limit:.3g}"
        elif steps is None:
            msg = f"not within {tol:g} of the MLE after {n_steps} steps"
        else:
            msg = ""
        message.set_text(fit_text(message, msg))
        message.set_visible(bool(msg))
        reached = (
            f"within {tol:g} of the sample mean at step {steps}"
            if steps is not None
            else f"not within {tol:g} of the sample mean in {n_steps} steps"
        )
        lines = [
            f"{name}, lr = {lr:.3g}" + extra + f": {rule}",
            f"{reached} (final distance {dist:.2g})" if res.success else msg,
            f"for comparison: plain gradient ascent at its best lr = 2/(λ_min + λ_max) needs"
            f" {gd_best_steps} steps; scipy BFGS {fit.nit} iterations",
        ]
        result = {
            "method": method,
            "lr": lr,
            "beta": beta,
            "x": res.x,
            "distance": dist,
            "steps_to_tol": steps,
            "limit": None if method == "adam" else limit,  # Adam has no lr·λ limit
            "success": bool(res.success),
            "diverged_at": res.diverged_at,
            "gd_best_steps": gd_best_steps,
            "scipy_nit": fit.nit,
        }
        return result, lines

    options = [(label, key) for key, label in _METHODS.items()]
    controls = {
        "method": choice("optimiser", options, value=method, name="method"),
        "lr": log_slider("learning rate lr", lr, -6, 0, step=0.05, name="lr"),
        "beta": _beta_slider(beta),
    }
    return Explorer(controls, view, fig, title="Momentum, Nesterov, Adam and plain gradient ascent")


def _beta_slider(value):
    return float_slider("momentum β / β₁", value, 0.0, 0.99, 0.01, name="beta")  # β₁ for Adam


# --- 3. the batch size --------------------------------------------------------------------------


def _predicted_cov(H, Q, rates):
    """Covariance of mu_T around the mean path: P <- A_t P A_t^T + lr_t^2 Q (exact here)."""
    d = H.shape[0]
    P = np.zeros((d, d))
    with np.errstate(all="ignore"):
        for rate in rates:
            A = np.eye(d) - rate * H
            P = A @ P @ A.T + rate**2 * Q
    return P


def batch_size_explorer(
    X,
    cov,
    *,
    theta0=(-1.0, -1.0),
    batch_size=10,
    lr=1e-4,
    seed=0,
    n_steps=100,
    n_runs=200,
    decay=0.05,
):
    """Stochastic gradient ascent on mini-batches: a batch-size slider and a seed control.

    Left: one noisy path (this seed) on the log-likelihood heatmap, and where
    ``n_runs`` repeated runs end (dots), with the 2-standard-deviation ellipse the
    theory predicts. Right: the mean log-likelihood per point along the path, full
    data against its mini-batch estimate.

    The path uses real mini-batches drawn without replacement (their sums, cached per
    seed and batch size). The repeated runs draw each batch sum from a Gaussian with
    the exact mean and covariance of a real batch sum (:func:`minibatch_grad_cov`);
    because the update is linear in the noise, the spread of the final iterate has
    the same covariance either way (checked against :func:`helpers.optim.sgd_ascent`
    in the tests).

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X, cov, theta0 :
        As :func:`learning_rate_explorer`.
    batch_size, lr, seed : int, float, int
        Starting slider values (batch size log-spaced from 1 to n; lr 1e-6..10**-2.5).
    n_steps, n_runs : int
        Steps per run and the number of repeated runs (each 1 to 10,000, and
        ``n_steps * n_runs * n_features`` at most 10 million: the runs' noise).
    decay : float
        The decaying schedule is ``lr / (1 + decay * (t - 1))`` (``decay >= 0``).

    Returns
    -------
    Explorer
        ``result`` holds ``batch_size``, ``lr``, ``seed``, ``schedule``, ``x`` (this
        seed's last iterate), ``spread_measured`` and ``spread_predicted`` (root mean
        square distance of the final iterate from its mean over runs, per coordinate),
        ``loglik_full`` and ``loglik_batch`` (per point, at the last step), ``success``.
    """
    p = _Problem(X, cov, theta0)
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    n_steps = as_count(n_steps, "n_steps", cap=10_000)  # every move runs them all
    n_runs = as_count(n_runs, "n_runs", cap=10_000)
    check_size(n_steps * n_runs * d, "n_steps × n_runs × n_features")  # the runs' noise
    decay = as_number(decay, "decay", low=0.0)
    if as_number(batch_size, "batch_size") != round(batch_size):  # the slider's range: below
        raise ValueError(f"batch_size must be a whole number of points, got {batch_size!r}")
    lam_max = p.lam[-1]
    prec = p.prec
    _, logdet = np.linalg.slogdet(p.cov)
    const = -0.5 * (d * np.log(2 * np.pi) + logdet)  # per point
    quad_i = np.einsum("ij,jk,ik->i", X, prec, X)  # x_i^T P x_i, once

    fig, (ax_map, ax_ll) = new_figure(ncols=2, figsize=(10, 4))
    # a fixed window wide enough for the k = 1 cloud (sd about 0.75 here: 3 sd of room)
    lo = float(min(p.theta0.min(), p.x_bar.min())) - 2.5
    hi = float(max(p.theta0.max(), p.x_bar.max())) + 2.5
    path_line, message = _heatmap(ax_map, p, (lo, hi), title="Mini-batch gradient ascent")
    # the colourbar's label on its left, by the map it belongs to, not by the right panel
    fig.axes[-1].yaxis.set_label_position("left")
    path_line.set_markersize(2)
    path_line.set_linewidth(0.8)
    (cloud,) = ax_map.plot(
        [],
        [],
        ".",
        color="k",
        ms=3,
        alpha=0.6,
        zorder=5,
        animated=True,
        label="final μ of repeated runs",
    )
    (ellipse,) = ax_map.plot([], [], "-", color="white", lw=1.5, zorder=6, animated=True)
    (ellipse_k,) = ax_map.plot(
        [], [], "--", color="k", lw=1.5, zorder=6, animated=True, label="theory: 2 sd (86 %)"
    )
    # the MLE again, drawn after the cloud and the ellipse so that they never hide it
    ax_map.plot(*p.x_bar, "*", color="white", mec="k", ms=11, zorder=7, animated=True)
    ax_map.legend(loc="lower right", fontsize="x-small", framealpha=0.9)
    ll_per_point_max = p.ll_max / n
    t_axis = np.arange(n_steps + 1)
    (ll_full,) = ax_ll.plot(
        [], [], "-", color=COLORS["estimate"], lw=1.8, animated=True, label="full data: ℓ(μₜ)/n"
    )
    (ll_batch,) = ax_ll.plot(
        [], [], ".", color=COLORS["model"], ms=3, animated=True, label="mini-batch estimate"
    )
    ax_ll.axhline(ll_per_point_max, color="grey", ls=":", lw=1, label="peak ℓ(x̄)/n")
    ax_ll.set_xlim(0, n_steps)
    ax_ll.set_ylim(ll_per_point_max - 4.0, ll_per_point_max + 1.5)
    ax_ll.set_xlabel("iteration t")
    ax_ll.set_ylabel("log-likelihood per point (nats)")
    # on the right: away from the map's colourbar label, so each label sits by its own axis
    ax_ll.yaxis.set_label_position("right")
    ax_ll.yaxis.tick_right()
    ax_ll.set_title("Log-likelihood per point along the path")
    ax_ll.legend(loc="lower right", fontsize="x-small", framealpha=0.9)
    off = ax_ll.text(
        0.03, 0.96, "", transform=ax_ll.transAxes, va="top", fontsize=9, bbox=_BOX, animated=True
    )
    circle = np.stack(
        [np.cos(np.linspace(0, 2 * np.pi, 100)), np.sin(np.linspace(0, 2 * np.pi, 100))]
    )

    @functools.lru_cache(maxsize=4)
    def batches(seed, k):
        """The seeded run's batches, drawn as the path needs them.

        Returns ``upto(t)``, which gives the per-step sums over real batches for at least
        the first ``t`` steps: sum x_i (t', d) and sum x_i^T P x_i (t',). One generator
        draws them in step order, a chunk of steps at a time, so the sums do not depend
        on the chunking, and a path that diverges early draws only the batches it used.
        """
        rng = np.random.default_rng(seed)
        total_x, total_q = X.sum(axis=0), quad_i.sum()
        # A uniform k-subset is the complement of a uniform (n - k)-subset: draw the smaller.
        m = min(k, n - k)
        drawn = [np.empty((0, d)), np.empty(0)]

        def draw(count):
            if k == n:
                return np.broadcast_to(total_x, (count, d)), np.full(count, total_q)
            if m <= n // 10:  # few points: draw their indices
                idx = [rng.choice(n, size=m, replace=False, shuffle=False) for _ in range(count)]
                idx = np.stack(idx)
                sx, sq = X[idx].sum(axis=1), quad_i[idx].sum(axis=1)
            else:  # many: the m smallest of n uniform keys per step, as a 0/1 mask (one matmul)
                keys = rng.random((count, n))
                mask = (keys <= np.partition(keys, m - 1, axis=1)[:, m - 1 : m]).astype(float)
                sx, sq = mask @ X, mask @ quad_i
            return (sx, sq) if m == k else (total_x - sx, total_q - sq)

        def upto(t):
            have = drawn[1].size
            if have < t:
                sx, sq = draw(min(n_steps, max(t, have + 10)) - have)  # 10 steps at a time
                drawn[:] = [np.concatenate([drawn[0], sx]), np.concatenate([drawn[1], sq])]
            return drawn[0], drawn[1]

        return upto

    @functools.lru_cache(maxsize=4)
    def unit_noise(seed):
        """Standard normal draws for the repeated runs, one set per seed."""
        return np.random.default_rng([seed, 1]).standard_normal((n_steps, n_runs, d))

    def view(batch_size, lr, seed, schedule):
        k = round(batch_size)
        rates = lr / (1.0 + (decay if schedule == "decay" else 0.0) * np.arange(n_steps))
        draw = batches(seed, k)
        sx, sq = draw(1)
        # the seeded path with real batches: mu <- mu + lr (n/k) P (sum_B x - k mu)
        mu = np.empty((n_steps + 1, d))
        mu[0] = p.theta0
        diverged_at = None
        with np.errstate(all="ignore"):
            for t in range(n_steps):
                if t >= sq.size:
                    sx, sq = draw(t + 1)
                mu[t + 1] = mu[t] + rates[t] * (n / k) * prec @ (sx[t] - k * mu[t])
                if not np.all(np.abs(mu[t + 1] - p.theta0) < p.max_norm):
                    diverged_at = t + 1
                    break
        last = n_steps if diverged_at is None else diverged_at - 1
        path = mu[: last + 1]
        path_line.set_data(path[:, 0], path[:, 1])
        # log-likelihood per point: full data, and the batch estimate at the batch of step t
        full = ll_per_point_max - p.gap(path) / n
        steps = np.arange(min(last, n_steps - 1) + 1)
        m = path[steps]
        batch_q = (
            sq[steps]
            - 2 * np.einsum("ti,ij,tj->t", m, prec, sx[steps])
            + k * np.einsum("ti,ij,tj->t", m, prec, m)
        )
        est = const - 0.5 * batch_q / k
        ll_full.set_data(t_axis[: last + 1], full)
        ll_batch.set_data(steps, est)
        bottom, top = ax_ll.get_ylim()
        n_off = int(np.sum((est < bottom) | (est > top)))
        off.set_text(f"{n_off} of {steps.size} estimates off the chart" if n_off else "")
        off.set_visible(bool(n_off))
        # repeated runs (Gaussian batch sums with the exact covariance), vectorised over runs
        Q = minibatch_grad_cov(p.stats, p.cov, k)
        L = np.linalg.cholesky(Q + 1e-300 * np.eye(d)) if k < n else np.zeros((d, d))
        noise = unit_noise(seed) @ L.T
        runs = np.broadcast_to(p.theta0, (n_runs, d)).copy()
        with np.errstate(all="ignore"):
            for t in range(n_steps):
                runs += rates[t] * ((p.x_bar - runs) @ p.H.T + noise[t])
        P = _predicted_cov(p.H, Q, rates)
        finite = bool(np.all(np.isfinite(runs)) and np.all(np.isfinite(P)))
        if diverged_at is not None or not finite or np.abs(runs - p.theta0).max() > p.max_norm:
            where = diverged_at if diverged_at is not None else "?"
            message.set_text(
                fit_text(message, f"diverged at step {where}: lr > 2σ²/n = {2 / lam_max:.3g}")
            )
            message.set_visible(True)
            cloud.set_data([], [])
            for art in (ellipse, ellipse_k):
                art.set_data([], [])
            lines = [
                f"batch size k = {k}, lr = {lr:.3g} ({schedule}), seed {seed}",
                f"diverged at step {where}: lr > 2σ²/n = {2 / lam_max:.3g}, the full-data"
                " stability limit, which still holds",
                "mini-batch noise only adds to the error; it cannot stabilise a too-large lr",
            ]
            result = {
                "batch_size": k,
                "lr": lr,
                "seed": seed,
                "schedule": schedule,
                "x": path[-1],
                "path": path,
                "success": False,
                "diverged_at": diverged_at,
                "spread_measured": np.nan,
                "spread_predicted": np.nan,
                "loglik_full": np.nan,
                "loglik_batch": np.nan,
            }
            return result, lines
        message.set_visible(False)
        cloud.set_data(runs[:, 0], runs[:, 1])
        centre = runs.mean(axis=0) if k < n else path[-1]
        w, V = np.linalg.eigh(P)
        ring = centre[:, None] + 2 * V @ (np.sqrt(np.maximum(w, 0))[:, None] * circle)
        for art in (ellipse, ellipse_k):
            art.set_data(ring[0], ring[1])
        measured = float(np.sqrt(np.mean(np.sum((runs - runs.mean(axis=0)) ** 2, axis=1)) / d))
        predicted = float(np.sqrt(np.trace(P) / d))
        stat_err = float(np.sqrt(np.trace(p.cov) / d / n))
        lines = [
            f"batch size k = {k} of n = {n}, lr = {lr:.3g}"
            + (f" decaying as lr/(1 + {decay:g}(t−1))" if schedule == "decay" else " (constant)")
            + f", seed {seed}",
            f"spread of the final μ over {n_runs} runs: {measured:.3g} per coordinate"
            f" (theory {predicted:.3g}); the MLE's own standard error σ/√n = {stat_err:.3g}",
            f"this run ends at μ = {_fmt_vec(path[-1])}; ℓ/n there = {full[-1]:.4f},"
            f" its last mini-batch estimate {est[-1]:.4f} nats per point",
        ]
        result = {
            "batch_size": k,
            "lr": lr,
            "seed": seed,
            "schedule": schedule,
            "x": path[-1],
            "path": path,
            "success": True,
            "diverged_at": None,
            "spread_measured": measured,
            "spread_predicted": predicted,
            "loglik_full": float(full[-1]),
            "loglik_batch": float(est[-1]),
        }
        return result, lines

    controls = {
        "batch_size": log_slider(
            "batch size k",
            batch_size,
            0,
            np.log10(n),
            step=0.25,
            readout_format=".0f",
            name="batch_size",
        ),
        "lr": log_slider("learning rate lr", lr, -6, -2.5, step=0.1, name="lr"),
        "seed": seed_slider(seed, name="seed"),
        "schedule": choice(
            "schedule", [("constant lr", "constant"), ("decaying lr", "decay")], value="constant"
        ),
    }
    return Explorer(controls, view, fig, title="Mini-batches: the batch size and the noise")
