r"""A noise-conditional score network in numpy: forward, backward, denoising score matching, Adam.

Introduced in ``07_score_model.ipynb``.

Lesson 06 learned the score of noisy data with a model *linear* in fixed features. Here the
model is a small neural network, a multilayer perceptron (MLP), trained by stochastic
gradient descent, and every line of it is numpy:

.. math:: s_\theta(x, \sigma) = \frac{1}{\sigma}\, f_\theta\Big(
          \frac{x - c}{\sqrt{a^2 + \sigma^2}},\ \log\sigma\Big),

where :math:`f_\theta` is the MLP (inputs: the rescaled point and :math:`\log\sigma`; output:
one number per feature), :math:`c` and :math:`a` are the mean and standard deviation of the
training data (fixed, not trained), and

* the **output is divided by** :math:`\sigma` (Song and Ermon 2019): the score of data blurred
  by noise of scale :math:`\sigma` has size about :math:`1/\sigma`, so the network itself only
  has to produce numbers of order one at every noise level;
* the **input is divided by** :math:`\sqrt{a^2 + \sigma^2}`, the standard deviation of a noisy
  point :math:`x + \sigma z`, for the same reason on the way in (Karras et al. 2022 call this
  :math:`c_\text{in}`): at :math:`\sigma = 20` the noisy points lie 60 units out, and the
  network should not have to learn to divide by 20 itself.

The pieces, each a pure function of arrays you can print:

* :func:`init_params`: weights ``W1, b1, W2, b2, ...`` in a dict;
* :func:`forward`: the score and a cache of what the backward pass needs;
* :func:`backward`: the gradient of a loss with respect to every weight (the chain rule, layer by
  layer, from the last to the first), checked against finite differences in the tests;
* :func:`dsm_loss_and_grad`: the :math:`\sigma^2`-weighted denoising score matching loss of a
  mini-batch and its gradient;
* :func:`adam_step`: lesson 03's Adam, one step *down* a loss, on a dict of arrays;
* :func:`fit_score_net`: the training loop, returning a :class:`ScoreNet` whose
  ``model.score(x, sigma)`` plugs into :func:`helpers.langevin.annealed_langevin`;
* :func:`dsm_loss_per_sigma`: the loss at each noise scale, for any score function (the
  learned one, or the exact one of a known density: the floor no model can beat).

Shapes: the functions of arrays take ``x`` of shape ``(n, n_features)``; :meth:`ScoreNet.score`
also takes one point ``(n_features,)`` and, for 1-D data, ``(n,)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy.special import expit

from helpers._validation import as_count, as_float_array, as_probability, as_sample, as_scale
from helpers.langevin import _as_sigmas

__all__ = [
    "ScoreNet",
    "adam_step",
    "backward",
    "dsm_loss_and_grad",
    "dsm_loss_per_sigma",
    "fit_score_net",
    "forward",
    "init_params",
]


# --- the activation: SiLU, smooth, so finite differences check the backward pass cleanly -----


def _silu(a):
    r"""SiLU (swish) and its derivative: :math:`a\,\varsigma(a)` and
    :math:`\varsigma(a)\,(1 + a(1 - \varsigma(a)))`, with :math:`\varsigma` the logistic sigmoid."""
    sig = expit(a)
    return a * sig, sig * (1 + a * (1 - sig))


# --- argument checks --------------------------------------------------------------------------


def _n_layers(params) -> int:
    """The number of layers of a parameter dict ``{"W1", "b1", ..., "WL", "bL"}``, checked."""
    if not isinstance(params, dict) or not params or len(params) % 2:
        raise ValueError(
            "params must be a dict {'W1': ..., 'b1': ..., 'W2': ...} made by init_params, "
            f"got {type(params).__name__} with {len(params) if isinstance(params, dict) else 0} "
            "entries"
        )
    n_layers = len(params) // 2
    width = None
    for i in range(1, n_layers + 1):
        W, b = params.get(f"W{i}"), params.get(f"b{i}")
        if W is None or b is None:
            raise ValueError(f"params must have keys W1, b1, ..., W{n_layers}, b{n_layers}")
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],) or (width is not None and W.shape[0] != width):
            raise ValueError(
                f"params: W{i} of shape {W.shape} and b{i} of shape {b.shape} do not chain "
                f"(W{i} must have shape ({width or 'n_in'}, m) and b{i} shape (m,))"
            )
        width = W.shape[1]
    return n_layers


def _as_points(x, n_in, name="x"):
    x = as_sample(x, name, ndim=2)
    if x.shape[1] != n_in:
        raise ValueError(
            f"{name} must have {n_in} features (columns) for these params, got shape {x.shape}"
        )
    return x


def _as_sigma_per_row(sigma, n, name="sigma"):
    """``sigma`` (a scalar or one per row) as an array of shape (n, 1)."""
    sigma = as_scale(sigma, name)
    if sigma.ndim > 1 or sigma.size not in (1, n):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got shape {sigma.shape}")
    return np.broadcast_to(sigma.reshape(-1, 1), (n, 1))


def _as_center_scale(center, scale, n_features):
    center = as_float_array(center, "center", allow_empty=False, allow_inf=False)
    scale = as_scale(scale, "scale")
    for name, arr in (("center", center), ("scale", scale)):
        if arr.ndim > 1 or arr.size not in (1, n_features):
            raise ValueError(
                f"{name} must be a scalar or have shape ({n_features},), got shape {arr.shape}"
            )
    return center, scale


# --- the network ------------------------------------------------------------------------------


def init_params(layer_sizes, *, rng=None):
    r"""Random weights for an MLP with the given layer sizes; the last layer starts at zero.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features + 1, hidden_1, ..., hidden_k, n_features)``: the input (the point and
        :math:`\log\sigma`), the hidden widths, the output (one number per feature).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    dict of ndarray
        ``W1`` of shape ``(layer_sizes[0], layer_sizes[1])``, ``b1`` of shape
        ``(layer_sizes[1],)``, and so on up to ``WL``, ``bL`` with ``L = len(layer_sizes) - 1``.

    Notes
    -----
    Hidden weights are drawn from :math:`\mathcal N(0, 1/n_\text{in})` (LeCun's scaling: a unit
    of the next layer sums :math:`n_\text{in}` terms, so its input keeps a variance of order one);
    biases start at 0. The **last layer starts at zero**, so the untrained network says
    :math:`s_\theta = 0` everywhere and its denoising loss is exactly :math:`d/2` (half the
    expected :math:`\lVert z\rVert^2`): a known value to see the loss curve start from.

    Examples
    --------
    >>> params = init_params((3, 16, 2), rng=0)
    >>> {k: v.shape for k, v in params.items()}
    {'W1': (3, 16), 'b1': (16,), 'W2': (16, 2), 'b2': (2,)}
    """
    if isinstance(layer_sizes, str) or np.ndim(layer_sizes) != 1 or len(layer_sizes) < 2:
        raise ValueError(
            f"layer_sizes must be a sequence of at least two whole numbers, got {layer_sizes!r}"
        )
    sizes = [as_count(n, "layer_sizes") for n in layer_sizes]
    rng = np.random.default_rng(rng)
    params = {}
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(pairwise(sizes), start=1):
        params[f"W{i}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        params[f"b{i}"] = np.zeros(n_out)
    params[f"W{n_layers}"][:] = 0.0
    return params


def forward(params, x, sigma, *, center=0.0, scale=1.0):
    r"""The score :math:`s_\theta(x, \sigma)` of a batch of points, and the cache backward needs.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    params : dict of ndarray
        Weights from :func:`init_params`; ``W1`` has ``n_features + 1`` rows.
    x : array-like of shape (n, n_features)
        Points (noisy ones, during training).
    sigma : float or array-like of shape (n,)
        Noise scale, > 0: one for all points or one per point.
    center, scale : float or array-like of shape (n_features,), default 0.0 and 1.0
        Mean and standard deviation of the training data (``ScoreNet.center_`` and
        ``ScoreNet.scale_``); the defaults suit standardised data.

    Returns
    -------
    score : ndarray of shape (n, n_features)
    cache : dict
        ``"sigma"`` (shape ``(n, 1)``), and ``"inputs"``, ``"slopes"``: each layer's input and
        each hidden unit's activation slope, as :func:`backward` needs them.

    Notes
    -----
    With :math:`h_0 = \big((x - c)/\sqrt{a^2+\sigma^2},\ \log\sigma\big)`, for
    :math:`\ell = 1, \dots, L-1`

    .. math:: a_\ell = h_{\ell-1} W_\ell + b_\ell, \qquad h_\ell = \operatorname{SiLU}(a_\ell)
              = a_\ell\, \varsigma(a_\ell),

    then :math:`f = h_{L-1} W_L + b_L` and :math:`s_\theta = f / \sigma`. Rows are points: one
    matrix product per layer handles the whole batch.
    """
    n_layers = _n_layers(params)
    x = _as_points(x, np.shape(params["W1"])[0] - 1)
    sigma = _as_sigma_per_row(sigma, x.shape[0])
    center, scale = _as_center_scale(center, scale, x.shape[1])
    h = np.column_stack([(x - center) / np.sqrt(scale**2 + sigma**2), np.log(sigma)])
    inputs, slopes = [], []
    for i in range(1, n_layers):
        inputs.append(h)
        h, slope = _silu(h @ params[f"W{i}"] + params[f"b{i}"])
        slopes.append(slope)
    inputs.append(h)
    f = h @ params[f"W{n_layers}"] + params[f"b{n_layers}"]
    return f / sigma, {"sigma": sigma, "inputs": inputs, "slopes": slopes}


def backward(params, cache, grad_score):
    r"""Gradients of a loss with respect to every weight, given its gradient w.r.t. the score.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    params : dict of ndarray
        The weights :func:`forward` used.
    cache : dict
        The cache :func:`forward` returned.
    grad_score : array-like of shape (n, n_features)
        :math:`\partial \mathcal L / \partial s_\theta(x_i, \sigma_i)`, one row per point.

    Returns
    -------
    dict of ndarray
        :math:`\partial \mathcal L / \partial W_\ell` and :math:`\partial \mathcal L / \partial
        b_\ell`, with the keys and shapes of ``params``.

    Notes
    -----
    The chain rule, from the output back. With :math:`g = \partial\mathcal L/\partial f =
    (\partial\mathcal L/\partial s)/\sigma` (row by row),

    .. math:: \frac{\partial\mathcal L}{\partial W_\ell} = h_{\ell-1}^\top g_\ell, \qquad
              \frac{\partial\mathcal L}{\partial b_\ell} = \textstyle\sum_i g_{\ell,i}, \qquad
              g_{\ell-1} = (g_\ell W_\ell^\top) \odot \operatorname{SiLU}'(a_{\ell-1}),

    starting from :math:`g_L = g`. Each layer's gradient sums over the rows of the batch
    (:math:`h^\top g`), which is why the loss's gradient w.r.t. the score is divided by
    :math:`n` when the loss is a mean.
    """
    n_layers = _n_layers(params)
    sigma = cache["sigma"]
    g = as_float_array(grad_score, "grad_score", allow_empty=False, allow_inf=False)
    if g.shape != (sigma.shape[0], np.shape(params[f"W{n_layers}"])[1]):
        raise ValueError(
            f"grad_score must have the shape of the score, "
            f"({sigma.shape[0]}, {np.shape(params[f'W{n_layers}'])[1]}), got {g.shape}"
        )
    g = g / sigma  # through s = f / sigma
    grads = {}
    for i in range(n_layers, 0, -1):
        h_in = cache["inputs"][i - 1]
        grads[f"W{i}"] = h_in.T @ g
        grads[f"b{i}"] = g.sum(axis=0)
        if i > 1:
            g = (g @ params[f"W{i}"].T) * cache["slopes"][i - 2]
    return {key: grads[key] for key in params}


# --- the loss -----------------------------------------------------------------------------------


def dsm_loss_and_grad(params, x_batch, sigma_batch, *, rng=None, center=0.0, scale=1.0):
    r"""The :math:`\sigma^2`-weighted denoising score matching loss of a batch, and its gradient.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    params : dict of ndarray
    x_batch : array-like of shape (n, n_features)
        Clean data points.
    sigma_batch : float or array-like of shape (n,)
        The noise scale of each point (during training, a level of the ladder drawn at random).
    rng : None, int or numpy.random.Generator
        Source of the noise :math:`z`.
    center, scale
        As in :func:`forward`.

    Returns
    -------
    loss : float
    grads : dict of ndarray
        :math:`\partial\,\text{loss} / \partial\theta`, keys and shapes of ``params``.

    Notes
    -----
    With :math:`\tilde x_i = x_i + \sigma_i z_i`, :math:`z_i \sim \mathcal N(0, I)`,

    .. math:: \mathcal L(\theta) = \frac1n \sum_{i=1}^n \frac{\sigma_i^2}{2}\,
              \Big\lVert s_\theta(\tilde x_i, \sigma_i) + \frac{z_i}{\sigma_i}\Big\rVert^2
              = \frac1n \sum_{i=1}^n \frac12 \big\lVert f_\theta(\tilde x_i, \sigma_i) + z_i
              \big\rVert^2 .

    The weight :math:`\lambda(\sigma) = \sigma^2` (Song and Ermon 2019) makes every noise level
    count about equally; with the output scaled by :math:`1/\sigma` it turns the loss into
    "predict the noise": :math:`f_\theta = \sigma s_\theta` should be :math:`-z` on average.
    The gradient w.r.t. :math:`s_\theta(\tilde x_i, \sigma_i)` is
    :math:`\sigma_i (\sigma_i s_i + z_i) / n`, passed to :func:`backward`.
    """
    _n_layers(params)
    x_batch = _as_points(x_batch, np.shape(params["W1"])[0] - 1, "x_batch")
    sigma = _as_sigma_per_row(sigma_batch, x_batch.shape[0], "sigma_batch")
    rng = np.random.default_rng(rng)
    z = rng.standard_normal(x_batch.shape)
    score, cache = forward(params, x_batch + sigma * z, sigma[:, 0], center=center, scale=scale)
    residual = sigma * score + z  # f + z: the network's error at predicting -z
    n = x_batch.shape[0]
    loss = 0.5 * float(np.sum(residual**2)) / n
    return loss, backward(params, cache, sigma * residual / n)


def dsm_loss_per_sigma(score_fn, X, sigmas, *, n_noise=16, rng=None):
    r"""The weighted denoising loss at each noise scale, for any score function.

    Introduced in ``07_score_model.ipynb``: apply it to the learned ``model.score`` and to the
    exact score of a known density (its floor) to see how far training is from the best
    possible, level by level.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x, sigma) -> array shaped like x``, with ``x`` of shape (m, n_features).
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        Clean data.
    sigmas : array-like of shape (n_levels,)
        Noise scales, > 0 (any order).
    n_noise : int, default 16
        Noise draws per data point; the same draws :math:`z` serve every level, so two score
        functions called with the same integer ``rng`` are compared on identical noise.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_levels,)
        :math:`\frac{\sigma^2}{2}\,\frac1N \sum \lVert s(\tilde x, \sigma) + z/\sigma\rVert^2`
        at each :math:`\sigma`, averaged over the ``n_samples * n_noise`` noisy points.

    Notes
    -----
    For data from a density :math:`p`, the minimiser of the expected loss at level
    :math:`\sigma` is the score of the blurred density,
    :math:`\nabla\log p_\sigma`, :math:`p_\sigma = p * \mathcal N(0, \sigma^2 I)`, and its loss

    .. math:: \frac{\sigma^2}{2}\,\mathbb E\,\Big\lVert \nabla\log p_\sigma(\tilde x)
              + \frac{z}{\sigma}\Big\rVert^2 > 0

    is the **floor**: the part of :math:`z` that cannot be told from :math:`\tilde x`. (On the
    training sample itself, the minimiser is the score of the sample's Gaussian KDE of
    bandwidth :math:`\sigma`, :func:`helpers.dsm.kde_score`, whose loss on that sample is a
    little lower: a model that reaches it has memorised the sample.) For
    :math:`p = \mathcal N(\mu, v I)` in :math:`d` dimensions the floor is
    :math:`\tfrac d2\, v / (v + \sigma^2)`.
    """
    if not callable(score_fn):
        raise ValueError(f"score_fn must be a function, got {type(score_fn).__name__}")
    X = as_float_array(X, "X", allow_empty=False, allow_inf=False)
    if X.ndim == 1:
        X = X[:, None]
    X = as_sample(X, "X", ndim=2)
    sigmas = as_scale(sigmas, "sigmas")
    if sigmas.ndim != 1:
        raise ValueError(f"sigmas must have shape (n_levels,), got shape {sigmas.shape}")
    n_noise = as_count(n_noise, "n_noise")
    rng = np.random.default_rng(rng)
    z = rng.standard_normal((n_noise * X.shape[0], X.shape[1]))
    x_rep = np.tile(X, (n_noise, 1))
    losses = np.empty(sigmas.size)
    for i, sigma in enumerate(sigmas):
        s = np.asarray(score_fn(x_rep + sigma * z, float(sigma)), dtype=float)
        if s.shape != z.shape:
            raise ValueError(f"score_fn must return shape {z.shape}, got {s.shape}")
        losses[i] = 0.5 * np.mean(np.sum((sigma * s + z) ** 2, axis=1))
    return losses


# --- the optimiser --------------------------------------------------------------------------------


def _as_beta(beta, name):
    beta = float(as_probability(beta, name))
    if beta >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
    return beta


def adam_step(params, grads, state=None, *, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One step of Adam *down* a loss, on a dict of arrays. Returns new arrays; nothing is changed.

    Introduced in ``07_score_model.ipynb``; the update of lesson 03's
    :func:`helpers.optim.adam_ascent`, which climbs and keeps the whole path (too big for the
    thousands of weights of a network): here the sign is that of descent.

    Parameters
    ----------
    params, grads : dict of ndarray
        The weights and the gradient of the loss (same keys and shapes).
    state : dict or None
        ``{"t": steps taken, "m": ..., "v": ...}`` from the previous call; ``None`` to start.
    lr : float
        Learning rate :math:`\eta > 0`: about the distance each weight moves per step.
    beta1, beta2 : float in [0, 1), default 0.9 and 0.999
    eps : float, default 1e-8

    Returns
    -------
    params : dict of ndarray
        New arrays, so a stored checkpoint is never overwritten by later steps.
    state : dict

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        \theta_t = \theta_{t-1}
                   - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
    """
    _n_layers(params)
    if not isinstance(grads, dict) or set(grads) != set(params):
        raise ValueError(f"grads must be a dict with the keys of params, {sorted(params)}")
    lr = float(as_scale(lr, "lr"))
    beta1, beta2 = _as_beta(beta1, "beta1"), _as_beta(beta2, "beta2")
    eps = float(as_scale(eps, "eps"))
    if state is None:
        state = {"t": 0, "m": {k: 0.0 for k in params}, "v": {k: 0.0 for k in params}}
    t = state["t"] + 1
    new_params, m, v = {}, {}, {}
    for k, g in grads.items():
        m[k] = beta1 * state["m"][k] + (1 - beta1) * g
        v[k] = beta2 * state["v"][k] + (1 - beta2) * g * g
        m_hat, v_hat = m[k] / (1 - beta1**t), v[k] / (1 - beta2**t)
        new_params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_params, {"t": t, "m": m, "v": v}


# --- the fitted model and the training loop ------------------------------------------------


@dataclass(frozen=True)
class ScoreNet:
    r"""A trained noise-conditional score network; ``model.score(x, sigma)`` is the learned score.

    Introduced in ``07_score_model.ipynb``. Made by :func:`fit_score_net`.

    Attributes
    ----------
    params_ : dict of ndarray
        The trained weights (see :func:`init_params`).
    sigmas : ndarray of shape (n_levels,)
        The noise scales it was trained at, largest first (pass them to
        :func:`helpers.langevin.annealed_langevin`).
    center_, scale_ : ndarray of shape (n_features,)
        Mean and standard deviation of the training data, used to rescale the input.
    loss_history_ : ndarray of shape (n_steps,)
        The loss of each step's mini-batch (noisy: each batch mixes levels and noise draws).
    checkpoints_ : dict of {int: dict of ndarray}
        Weights after the requested numbers of steps (0: the untrained network); see
        :meth:`at_step`.
    """

    params_: dict
    sigmas: np.ndarray
    center_: np.ndarray
    scale_: np.ndarray
    loss_history_: np.ndarray
    checkpoints_: dict = field(default_factory=dict)

    @property
    def n_features_in_(self) -> int:
        return self.center_.size

    def score(self, x, sigma):
        r"""The learned score :math:`s_\theta(x, \sigma)`, shaped like ``x``.

        Parameters
        ----------
        x : array-like of shape (n, n_features) or (n_features,)
            Points, or one point; for a model of 1-D data also shape (n,).
        sigma : float or array-like of shape (n,)
            Noise scale(s), > 0. Any value works, but the network only learned the range of
            ``sigmas``; between two levels it interpolates.

        Returns
        -------
        ndarray shaped like ``x``
        """
        x = as_float_array(x, "x", allow_empty=False, allow_inf=False)
        d = self.n_features_in_
        if d == 1 and x.ndim == 1:
            rows = x[:, None]
        elif x.ndim in (1, 2) and x.shape[-1] == d:
            rows = x.reshape(-1, d)
        else:
            raise ValueError(
                f"x must have shape (n, {d}) or ({d},) for this model"
                + (" (or (n,): 1-D data)" if d == 1 else "")
                + f", got shape {x.shape}"
            )
        s, _ = forward(self.params_, rows, sigma, center=self.center_, scale=self.scale_)
        return s.reshape(x.shape)

    def at_step(self, step) -> ScoreNet:
        """The same model with the weights it had after ``step`` training steps (a checkpoint)."""
        step = as_count(step, "step", minimum=0)
        if step not in self.checkpoints_:
            raise ValueError(
                f"step {step} was not stored; checkpoints are at {sorted(self.checkpoints_)} "
                "(pass checkpoints=... to fit_score_net)"
            )
        return ScoreNet(self.checkpoints_[step], self.sigmas, self.center_, self.scale_,
                        self.loss_history_[:step], self.checkpoints_)  # fmt: skip


def fit_score_net(
    X,
    sigmas,
    *,
    rng=None,
    hidden_sizes=(64, 64),
    n_steps=16000,
    batch_size=64,
    lr=3e-3,
    lr_decay=1e-3,
    checkpoints=(),
):
    r"""Train a :class:`ScoreNet` by denoising score matching with Adam, on mini-batches.

    Introduced in ``07_score_model.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        The training data (1-D data may be a 1-D array).
    sigmas : array-like of shape (n_levels,)
        Noise scales, > 0 and strictly decreasing (largest first, as
        :func:`helpers.langevin.geometric_sigmas` makes them).
    rng : None, int or numpy.random.Generator
        Source of the initial weights, the batches, the levels and the noise.
    hidden_sizes : sequence of int, default (64, 64)
        Widths of the hidden layers.
    n_steps : int, default 16000
        Adam steps, one mini-batch each.
    batch_size : int, default 64
        Rows per mini-batch, drawn with replacement; each row gets its own level, drawn
        uniformly from ``sigmas``, and its own noise.
    lr : float, default 3e-3
        Adam's learning rate at the first step.
    lr_decay : float, default 1e-3
        The rate at step :math:`t` is ``lr / (1 + lr_decay * (t - 1))`` (lesson 03: a decaying
        rate shrinks the noise that mini-batches leave in the weights); 0 keeps it constant.
    checkpoints : iterable of int, default ()
        Steps (from 0, the untrained network, to ``n_steps``) after which to keep a copy of the
        weights, for :meth:`ScoreNet.at_step`.

    Returns
    -------
    ScoreNet

    Notes
    -----
    Each step draws a batch :math:`x_i`, levels :math:`\sigma_i`, noise :math:`z_i`, and takes
    one Adam step on :func:`dsm_loss_and_grad`:

    .. math:: \mathcal L(\theta) = \frac1n\sum_i \tfrac12 \lVert \sigma_i
              s_\theta(x_i + \sigma_i z_i, \sigma_i) + z_i \rVert^2 .

    Its expectation is the average over levels of :func:`dsm_loss_per_sigma`, whose minimum is
    the average of the floors. The defaults train a good model of 2-D data of a few thousand
    points in a few seconds (``benchmarks/bench_score_net.py``): batches of 64 keep each
    matrix product small enough for one core, which is faster than two threads at this size.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> model = fit_score_net(X, [2.0, 1.0, 0.5], n_steps=200, rng=0)
    >>> model.score(X[:3], 0.5).shape
    (3, 2)
    """
    X = as_float_array(X, "X", allow_empty=False, allow_inf=False)
    X = as_sample(X[:, None] if X.ndim == 1 else X, "X", ndim=2)
    sigmas = _as_sigmas(sigmas)
    if isinstance(hidden_sizes, str) or np.ndim(hidden_sizes) != 1 or len(hidden_sizes) < 1:
        raise ValueError(f"hidden_sizes must be a sequence of whole numbers, got {hidden_sizes!r}")
    hidden = [as_count(n, "hidden_sizes") for n in hidden_sizes]
    n_steps = as_count(n_steps, "n_steps")
    batch_size = as_count(batch_size, "batch_size")
    lr = float(as_scale(lr, "lr"))
    lr_decay = float(as_float_array(lr_decay, "lr_decay", allow_empty=False, allow_inf=False))
    if lr_decay < 0:
        raise ValueError(f"lr_decay must be >= 0, got {lr_decay!r}")
    if isinstance(checkpoints, str) or (np.ndim(checkpoints) != 1 and np.size(checkpoints)):
        raise ValueError(f"checkpoints must be a sequence of step numbers, got {checkpoints!r}")
    keep = {as_count(k, "checkpoints", minimum=0) for k in checkpoints}
    if keep and max(keep) > n_steps:
        raise ValueError(
            f"checkpoints must be steps from 0 to n_steps = {n_steps}, got {max(keep)}"
        )
    rng = np.random.default_rng(rng)

    n, d = X.shape
    center, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant feature: nothing to rescale
    params = init_params((d + 1, *hidden, d), rng=rng)
    state, history, stored = None, np.empty(n_steps), {}
    for t in range(1, n_steps + 1):
        if t - 1 in keep:
            stored[t - 1] = params
        batch = X[rng.integers(0, n, batch_size)]
        levels = sigmas[rng.integers(0, sigmas.size, batch_size)]
        history[t - 1], grads = dsm_loss_and_grad(params, batch, levels, rng=rng,
                                                  center=center, scale=scale)  # fmt: skip
        rate = lr / (1 + lr_decay * (t - 1))
        params, state = adam_step(params, grads, state, lr=rate)
    if n_steps in keep:
        stored[n_steps] = params
    return ScoreNet(params, sigmas, center, scale, history, stored)
