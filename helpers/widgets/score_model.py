"""Notebook 07's explorers: a score network's training progress, and the noise scale.

Introduced in ``07_score_model.ipynb``. Built on :mod:`helpers.widgets.explorer` (see
CONTRIBUTING.md, "Explorers: three layers"): the network, its training and the sampler are the
tested functions of :mod:`helpers.score_net`, :mod:`helpers.langevin` and :mod:`helpers.scores`;
here they are only wired. Everything a slider shows is computed when the explorer is built
(the samples of every checkpoint) or is cheap (one forward pass on a 15 x 15 grid), so a move
only redraws.
"""

from __future__ import annotations

import functools

import numpy as np

from helpers._validation import as_count, as_location, as_sample, as_scale, as_weights
from helpers.langevin import annealed_langevin
from helpers.plotting import COLORS, new_figure
from helpers.score_net import ScoreNet
from helpers.scores import mixture_logpdf_nd, mixture_score_nd
from helpers.widgets.explorer import Explorer, int_slider, log_slider, seed_slider

__all__ = ["noise_explorer", "training_explorer"]

#: Arrows show sigma * s (the network's own output, order one), capped at this length.
_CAP = 3.0
_N_GRID = 15
#: The exact field wide and light, the learned one thin and dark: told apart in greyscale too.
_EXACT = {"color": "0.8", "width": 0.014, "label": "exact (wide, light)"}
_LEARNED = {"color": "k", "width": 0.004, "label": "learned (thin, dark)"}
#: Legends sit below the axes, where they cover no arrow and no point.
_LEGEND = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.13), "ncol": 2,
           "fontsize": "small", "frameon": False}  # fmt: skip


def _as_model(model) -> ScoreNet:
    if not isinstance(model, ScoreNet):
        raise ValueError(f"model must be a ScoreNet made by fit_score_net, got "
                         f"{type(model).__name__}")  # fmt: skip
    if model.n_features_in_ != 2:
        raise ValueError(f"model must be a model of 2-D data, got {model.n_features_in_}-D")
    return model


def _as_mixture(weights, means, covariances):
    """A 2-D Gaussian mixture, checked argument by argument (names in every message)."""
    w = as_weights(weights, "weights")
    m = as_location(means, "means")
    c = as_location(covariances, "covariances")
    if m.shape != (w.size, 2):
        raise ValueError(f"means must have shape ({w.size}, 2), got {m.shape}")
    if c.shape != (w.size, 2, 2):
        raise ValueError(f"covariances must have shape ({w.size}, 2, 2), got {c.shape}")
    try:
        mixture_logpdf_nd([[0.0, 0.0]], w, m, c)
    except ValueError as exc:
        raise ValueError(f"covariances: {exc}") from exc
    return w, m, c


def _grid(lo, hi):
    g = np.linspace(lo, hi, _N_GRID)
    gx, gy = np.meshgrid(g, g)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _capped(v):
    """Arrows of sigma * s, at most _CAP long (longer ones keep their direction)."""
    size = np.linalg.norm(v, axis=1, keepdims=True)
    return v * np.minimum(1.0, _CAP / np.maximum(size, 1e-300))


def _field_error(learned, exact, weight):
    """Relative error of the learned field, weighted by the blurred density on the grid."""
    num = np.sum(weight * np.sum((learned - exact) ** 2, axis=1))
    return float(np.sqrt(num / np.sum(weight * np.sum(exact**2, axis=1))))


def training_explorer(model, *, weights, means, covariances, sigma=1.0, n_chains=300,
                      n_steps_per_level=30, step_size=0.1, seed=0):  # fmt: skip
    r"""A slider over training progress: the stored checkpoints of ``model``.

    Left: the learned field :math:`\sigma s_\theta(x, \sigma)` (thin dark arrows) against the
    exact one of the mixture blurred by :math:`\sigma` (wide light-grey arrows), on a 15 x 15
    grid, arrows capped at length 3. The slider counts the checkpoints from 1 (the first
    stored, usually step 0) to their number (the last).
    Right: ``n_chains`` samples of annealed Langevin run with that checkpoint's score (from the
    same uniform starts on :math:`[-8, 8]^2` and the same noise for every checkpoint), against
    the mixture's means. The samples of every checkpoint are computed when the explorer is
    built, so a move only redraws.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    model : ScoreNet
        Fitted by :func:`helpers.score_net.fit_score_net` with ``checkpoints=...``, on 2-D data.
    weights, means, covariances : array-like of shape (K,), (K, 2), (K, 2, 2)
        The mixture the data came from (its exact blurred score is the reference).
    sigma : float
        The noise scale at which the fields are compared.
    n_chains, n_steps_per_level : int
        Samples per checkpoint (at most 2,000) and Langevin steps per level (at most 200).
    step_size : float
        Annealed Langevin's step at the smallest level (at most 1).
    seed : int
        Seed of the starts and of the sampler's noise.

    Returns
    -------
    Explorer
        ``result``: ``step`` (training steps), ``fractions`` (the share of samples nearest to
        each mean, wherever they are), ``spread`` (the median distance of a sample to its
        nearest mean: how far the samples are from gathering at the means), ``field_error``
        (relative, weighted by the blurred density) and ``loss``
        (the mean mini-batch loss of the 100 steps before the checkpoint, NaN at step 0).
    """
    model = _as_model(model)
    w, m, c = _as_mixture(weights, means, covariances)
    sigma = float(as_scale(sigma, "sigma"))
    n_chains = as_count(n_chains, "n_chains", cap=2000)
    n_steps_per_level = as_count(n_steps_per_level, "n_steps_per_level", cap=200)
    step_size = float(as_scale(step_size, "step_size"))
    if step_size > 1:
        raise ValueError(f"step_size must be at most 1, got {step_size:g}")
    seed = as_count(seed, "seed", minimum=0)
    steps = sorted(model.checkpoints_)
    if not steps:
        raise ValueError("model has no checkpoints: fit it with checkpoints=(0, 100, ...)")

    x0 = np.random.default_rng(seed).uniform(-8, 8, (n_chains, 2))
    grid = _grid(-9.0, 9.0)
    blurred = c + sigma**2 * np.eye(2)
    exact = sigma * mixture_score_nd(grid, w, m, blurred)
    weight = np.exp(mixture_logpdf_nd(grid, w, m, blurred))
    samples, fields = [], []
    for k in steps:
        net = model.at_step(k)
        x = annealed_langevin(net.score, x0, sigmas=model.sigmas, step_size=step_size,
                              n_steps_per_level=n_steps_per_level, rng=seed + 1)  # fmt: skip
        samples.append(x)
        fields.append(sigma * net.score(grid, sigma))

    fig, (ax_f, ax_s) = new_figure(ncols=2, figsize=(9.0, 4.2))
    scale = _CAP / (grid[1, 0] - grid[0, 0])  # an arrow of length _CAP spans one grid step
    ax_f.quiver(*grid.T, *_capped(exact).T, angles="xy", scale_units="xy", scale=scale,
                **_EXACT)  # fmt: skip
    arrows = ax_f.quiver(*grid.T, *_capped(fields[-1]).T, angles="xy", scale_units="xy",
                         scale=scale, animated=True, **_LEARNED)  # fmt: skip
    ax_f.set_title(f"σ·score at σ = {sigma:g}: exact and learned")
    ax_s.plot(*m.T, "k+", ms=14, mew=2, label="mixture means")
    dots = ax_s.scatter(*samples[-1].T, s=6, color=COLORS["estimate"], alpha=0.6,
                        animated=True, label="samples")  # fmt: skip
    ax_s.set_title(f"{n_chains} samples, annealed Langevin")
    off = _square_panels(ax_f, ax_s, -10, 10)

    def view(checkpoint):  # counted from 1, as the readout says
        k = steps[checkpoint - 1]
        x, field = samples[checkpoint - 1], fields[checkpoint - 1]
        arrows.set_UVC(*_capped(field).T)
        dots.set_offsets(x)
        outside = int(np.sum(np.any(np.abs(x) > 10, axis=1)))
        off.set_text(f"{outside} off the plot" if outside else "")
        dist2 = ((x[:, None, :] - m[None]) ** 2).sum(axis=2)
        nearest = np.argmin(dist2, axis=1)
        fractions = np.bincount(nearest, minlength=w.size) / n_chains
        spread = float(np.median(np.sqrt(dist2.min(axis=1))))
        error = _field_error(field, exact, weight)
        history = model.loss_history_[max(0, k - 100) : k]
        loss = float(history.mean()) if history.size else float("nan")
        result = {"step": k, "fractions": fractions, "spread": spread, "field_error": error,
                  "loss": loss}  # fmt: skip
        shares = ", ".join(f"{f:.2f} (truth {t:.2f})" for f, t in zip(fractions, w, strict=True))
        lines = [
            f"after {k:,} training steps (checkpoint {checkpoint} of {len(steps)})",
            f"samples nearest each mean (wherever they are): {shares}",
            f"median distance of a sample to its nearest mean: {spread:.1f}",
            f"learned field vs exact at σ = {sigma:g}: relative error {error:.2f} "
            "(weighted by the blurred density)",
            f"mini-batch loss, mean of the last {history.size} steps: {loss:.3f}"
            if history.size
            else "mini-batch loss: none yet (untrained)",
        ]
        return result, lines

    controls = {"checkpoint": int_slider("checkpoint", len(steps), 1, len(steps))}
    return Explorer(controls, view, fig, title="Training progress: the learned score and samples")


def _square_panels(ax_field, ax_points, lo, hi):
    """Both panels on the square [lo, hi]^2 with equal axes, labels and legends below; returns
    the points panel's "off the plot" text, which a view fills in."""
    for ax in (ax_field, ax_points):
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.set_xlabel("x₁")
        ax.legend(**_LEGEND)
    ax_field.set_ylabel("x₂")
    return ax_points.text(0.98, 0.03, "", transform=ax_points.transAxes, ha="right",
                          fontsize="small", animated=True)  # fmt: skip


def noise_explorer(model, X, *, weights=None, means=None, covariances=None, n_points=300,
                   seed=0, sigma=None):  # fmt: skip
    r"""A noise-scale slider: the learned field at :math:`\sigma`, and the data noised by it.

    Left: the learned field :math:`\sigma s_\theta(x, \sigma)` (thin dark arrows) on a 15 x 15
    grid, and when the mixture is given the exact one (wide light-grey arrows). Right:
    ``n_points`` of the data, each moved by :math:`\sigma z` (the same draws :math:`z` for
    every :math:`\sigma`: the seed slider draws new ones). The slider runs over the model's
    range of noise scales; between two training levels the network interpolates.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    model : ScoreNet
        Fitted on 2-D data.
    X : array-like of shape (n_samples, 2)
        The training data.
    weights, means, covariances : array-like, optional
        The mixture the data came from, all three or none (then no exact field).
    n_points : int
        Data points shown (at most 2,000).
    seed : int
        The starting seed of the noise draws (0 to 20).
    sigma : float, optional
        The slider's starting noise scale, within the model's range (default: the smallest).

    Returns
    -------
    Explorer
        ``result``: ``sigma``, ``loss`` (the weighted DSM loss of the shown points at this
        sigma), ``spread`` (the noisy points' standard deviation per coordinate, about
        sqrt(data variance + sigma^2)), and with the mixture ``floor`` (the exact score's
        loss on the same draws) and ``field_error``.
    """
    model = _as_model(model)
    X = as_sample(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2), got {X.shape}")
    given = [v is not None for v in (weights, means, covariances)]
    if any(given) and not all(given):
        raise ValueError("weights, means and covariances: give all three or none")
    mixture = _as_mixture(weights, means, covariances) if all(given) else None
    n_points = min(as_count(n_points, "n_points", cap=2000), X.shape[0])
    seed = as_count(seed, "seed", minimum=0, cap=20)
    shown = X[np.random.default_rng(0).permutation(X.shape[0])[:n_points]]
    lo = np.floor(X.min(axis=0) - 2).min()
    hi = np.ceil(X.max(axis=0) + 2).max()
    grid = _grid(lo, hi)

    @functools.lru_cache(maxsize=2)
    def draws(seed):
        return np.random.default_rng(seed).standard_normal(shown.shape)

    fig, (ax_f, ax_d) = new_figure(ncols=2, figsize=(9.0, 4.2))
    exact_arrows = None
    if mixture is not None:
        exact_arrows = ax_f.quiver(*grid.T, *grid.T * 0, angles="xy", scale_units="xy",
                                   scale=_CAP / (grid[1, 0] - grid[0, 0]), animated=True,
                                   **_EXACT)  # fmt: skip
    arrows = ax_f.quiver(*grid.T, *grid.T * 0, angles="xy", scale_units="xy",
                         scale=_CAP / (grid[1, 0] - grid[0, 0]), animated=True,
                         **_LEARNED)  # fmt: skip
    ax_f.set_title("σ·score at the slider's σ")
    ax_d.scatter(*shown.T, s=5, color="0.75", label="data")
    dots = ax_d.scatter(*shown.T, s=6, color=COLORS["estimate"], alpha=0.6, animated=True,
                        label="data + σz")  # fmt: skip
    ax_d.set_title(f"{n_points} data points, noised")
    off = _square_panels(ax_f, ax_d, lo, hi)

    def view(sigma, seed):
        z = draws(seed)
        noisy = shown + sigma * z
        learned = sigma * model.score(grid, sigma)
        arrows.set_UVC(*_capped(learned).T)
        dots.set_offsets(noisy)
        outside = int(np.sum(np.any((noisy < lo) | (noisy > hi), axis=1)))
        off.set_text(f"{outside} of {n_points} off the plot" if outside else "")
        loss = 0.5 * float(np.mean(np.sum((sigma * model.score(noisy, sigma) + z) ** 2, axis=1)))
        spread = float(noisy.std(axis=0).mean())  # moves with the seed even where loss does not
        expected = float(np.sqrt(shown.var(axis=0).mean() + sigma**2))
        result = {"sigma": sigma, "loss": loss, "spread": spread}
        lines = [f"σ = {sigma:.3g}: weighted DSM loss of these {n_points} noisy points "
                 f"{loss:.3f}",
                 f"their spread per coordinate {spread:.2f} (√(data variance + σ²) = "
                 f"{expected:.2f})"]  # fmt: skip
        if mixture is not None:
            w, m, c = mixture
            blurred = c + sigma**2 * np.eye(2)
            exact = sigma * mixture_score_nd(grid, w, m, blurred)
            exact_arrows.set_UVC(*_capped(exact).T)
            s_true = mixture_score_nd(noisy, w, m, blurred)
            floor = 0.5 * float(np.mean(np.sum((sigma * s_true + z) ** 2, axis=1)))
            error = _field_error(learned, exact, np.exp(mixture_logpdf_nd(grid, w, m, blurred)))
            result |= {"floor": floor, "field_error": error}
            lines += [
                f"the exact score's loss on the same draws (the floor): {floor:.3f}",
                f"learned field vs exact: relative error {error:.2f} (weighted by the blurred "
                "density)",
            ]
        return result, lines

    s_min, s_max = float(model.sigmas[-1]), float(model.sigmas[0])
    start = s_min if sigma is None else sigma
    # three key presses from one noise level of the ladder to the next, so each level is on
    # the slider's grid (a start between grid points would snap on the first key press)
    step = np.log10(s_max / s_min) / (3 * max(len(model.sigmas) - 1, 1)) or 0.05
    controls = {
        "sigma": log_slider(
            "noise scale σ", start, np.log10(s_min), np.log10(s_max), step=step, name="sigma"
        ),
        "seed": seed_slider(seed, name="seed"),
    }
    return Explorer(controls, view, fig, title="Noise scale: the learned score and the noised data")
