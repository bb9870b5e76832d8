r"""Gaussian log-likelihoods and their gradients with respect to the *parameters*.

Introduced in ``03_gradient_mle.ipynb``.

Where :mod:`helpers.scores` differentiates a log density with respect to the data
``x``, this module differentiates the log-likelihood of a whole sample with respect
to its parameters, the gradient an optimiser (:mod:`helpers.optim`) climbs. Everything
is computed from the **sufficient statistics** of the sample (its size, mean and
scatter matrix, :func:`suff_stats`), so once those are known a gradient costs
:math:`O(d^2)`, not a pass over the :math:`n` data points: the explorers of notebook 03
redraw hundreds of iterates per slider move this way.

The multivariate Gaussian :math:`\mathcal N(\mu, \Sigma)` here takes the
**covariance** ``cov`` (:math:`\Sigma`), as ``scipy.stats.multivariate_normal`` does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import linalg

from helpers._validation import as_count, as_float_array, as_location, as_sample, as_scale

# SuffStats, the record suff_stats returns, is importable but not listed: it validates nothing.
__all__ = [
    "isotropic_loglik",
    "isotropic_loglik_grad",
    "minibatch_grad_cov",
    "mvn_loglik",
    "mvn_loglik_grad",
    "sgd_stationary_cov",
    "suff_stats",
]

_LOG_2PI = np.log(2 * np.pi)


class SuffStats(NamedTuple):
    """Sufficient statistics of a sample for Gaussian likelihoods.

    ``n`` (int), ``mean`` (shape ``(d,)``) and ``scatter``
    :math:`\\sum_i (x_i - \\bar x)(x_i - \\bar x)^\\top` (shape ``(d, d)``).
    """

    n: int
    mean: np.ndarray
    scatter: np.ndarray


def suff_stats(X) -> SuffStats:
    """The size, mean and scatter matrix of ``X``, computed in one pass.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a :class:`SuffStats`
        The sample (non-empty, finite). A ``SuffStats`` is returned unchanged.

    Returns
    -------
    SuffStats

    Examples
    --------
    >>> s = suff_stats([[0.0, 1.0], [2.0, 3.0]])
    >>> s.n, s.mean.tolist(), s.scatter.tolist()
    (2, [1.0, 2.0], [[2.0, 2.0], [2.0, 2.0]])
    """
    if isinstance(X, SuffStats):
        return X
    X = as_sample(X, "X", ndim=2)
    mean = X.mean(axis=0)
    centred = X - mean
    return SuffStats(X.shape[0], mean, centred.T @ centred)


def _as_cov(cov, d: int) -> np.ndarray:
    cov = as_float_array(cov, "cov", allow_empty=False, allow_inf=False)
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape ({d}, {d}) to match X, got {cov.shape}")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=0):
        raise ValueError("cov must be symmetric")
    if np.linalg.eigvalsh(cov)[0] <= 0:
        raise ValueError("cov must be positive definite (all eigenvalues > 0)")
    return cov


def _as_mu(mu, d: int) -> np.ndarray:
    mu = as_location(mu, "mu")
    if mu.ndim == 0 or mu.shape[-1] != d:
        raise ValueError(f"mu must have shape (..., {d}) to match X, got {mu.shape}")
    return mu


def mvn_loglik(X, mu, cov):
    r"""Log-likelihood of a sample under :math:`\mathcal N(\mu, \Sigma)`, for one or many ``mu``.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a :class:`SuffStats`
        The sample.
    mu : array-like of shape (..., n_features)
        One mean, or a stack of them (a path of iterates, a grid).
    cov : array-like of shape (n_features, n_features)
        The covariance :math:`\Sigma`, symmetric positive definite.

    Returns
    -------
    float or ndarray of shape (...)
        :math:`\ell(\mu) = \sum_i \log \mathcal N(x_i \mid \mu, \Sigma)` in nats.

    Notes
    -----
    With :math:`S = \sum_i (x_i-\bar x)(x_i-\bar x)^\top`,

    .. math:: \ell(\mu) = -\frac n2\big(d\log 2\pi + \log\det\Sigma\big)
              - \frac12\operatorname{tr}(\Sigma^{-1}S)
              - \frac n2(\bar x-\mu)^\top\Sigma^{-1}(\bar x-\mu).

    A concave quadratic in :math:`\mu` with Hessian :math:`-n\Sigma^{-1}` and its peak
    at the sample mean.
    """
    stats = suff_stats(X)
    d = stats.mean.size
    cov = _as_cov(cov, d)
    mu = _as_mu(mu, d)
    prec = np.linalg.inv(cov)
    _, logdet = np.linalg.slogdet(cov)
    diff = stats.mean - mu
    quad = np.einsum("...i,ij,...j->...", diff, prec, diff)
    const = -0.5 * stats.n * (d * _LOG_2PI + logdet) - 0.5 * np.sum(prec * stats.scatter)
    return (const - 0.5 * stats.n * quad)[()]


def mvn_loglik_grad(X, mu, cov):
    r"""Gradient of :func:`mvn_loglik` with respect to ``mu``: :math:`\Sigma^{-1}\sum_i (x_i-\mu)`.

    Introduced in ``03_gradient_mle.ipynb``. Parameters as :func:`mvn_loglik`.

    Returns
    -------
    ndarray of shape (..., n_features)

    Notes
    -----
    .. math:: \nabla_\mu \ell = \Sigma^{-1}\sum_{i=1}^n (x_i - \mu) = n\,\Sigma^{-1}(\bar x - \mu)

    It is zero exactly at :math:`\mu = \bar x` and has size proportional to :math:`n`:
    the summed log-likelihood gets steeper as data arrive.
    """
    stats = suff_stats(X)
    d = stats.mean.size
    cov = _as_cov(cov, d)
    mu = _as_mu(mu, d)
    return stats.n * np.linalg.solve(cov, (stats.mean - mu)[..., None])[..., 0]


def _isotropic_parts(X, mu, log_sigma):
    stats = suff_stats(X)
    d = stats.mean.size
    mu = _as_mu(mu, d)
    log_sigma = as_location(log_sigma, "log_sigma")
    diff = stats.mean - mu
    # sum_i |x_i - mu|^2 = tr(S) + n |x_bar - mu|^2
    ss = np.trace(stats.scatter) + stats.n * np.einsum("...i,...i->...", diff, diff)
    return stats, d, diff, ss, log_sigma


def isotropic_loglik(X, mu, log_sigma):
    r"""Log-likelihood under :math:`\mathcal N(\mu, \sigma^2 I)` in terms of :math:`s = \log\sigma`.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a :class:`SuffStats`
    mu : array-like of shape (..., n_features)
    log_sigma : float or array-like of shape (...)
        :math:`s = \log\sigma`, any real number (so :math:`\sigma = e^s > 0` always).

    Returns
    -------
    float or ndarray of shape (...)

    Notes
    -----
    .. math:: \ell(\mu, s) = -\frac{nd}{2}\log 2\pi - nd\,s
              - \frac{e^{-2s}}{2}\sum_{i=1}^n \lVert x_i - \mu\rVert^2
    """
    stats, d, _, ss, log_sigma = _isotropic_parts(X, mu, log_sigma)
    with np.errstate(over="ignore"):
        return (
            -0.5 * stats.n * d * _LOG_2PI
            - stats.n * d * log_sigma
            - 0.5 * np.exp(-2 * log_sigma) * ss
        )[()]


def isotropic_loglik_grad(X, mu, log_sigma):
    r"""Gradient of :func:`isotropic_loglik` with respect to :math:`(\mu, s)`.

    Introduced in ``03_gradient_mle.ipynb``. Parameters as :func:`isotropic_loglik`.

    Returns
    -------
    ndarray of shape (..., n_features + 1)
        :math:`\partial_\mu\ell` in the first ``n_features`` entries, :math:`\partial_s\ell` last.

    Notes
    -----
    .. math:: \partial_\mu \ell = e^{-2s}\sum_i (x_i-\mu) = n e^{-2s}(\bar x - \mu), \qquad
              \partial_s \ell = -nd + e^{-2s}\sum_i \lVert x_i-\mu\rVert^2.

    Both vanish at :math:`\hat\mu = \bar x`, :math:`\hat\sigma^2 = \operatorname{tr}(S)/(nd)`.
    """
    stats, d, diff, ss, log_sigma = _isotropic_parts(X, mu, log_sigma)
    with np.errstate(over="ignore", invalid="ignore"):
        w = np.exp(-2 * log_sigma)
        g_mu = stats.n * np.asarray(w)[..., None] * diff
        g_s = -stats.n * d + w * ss
    g_mu, g_s = np.broadcast_arrays(g_mu, np.asarray(g_s)[..., None])
    return np.concatenate([g_mu, g_s[..., :1]], axis=-1)


def minibatch_grad_cov(X, cov, batch_size):
    r"""Covariance of the rescaled mini-batch gradient of :func:`mvn_loglik` in ``mu``.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a :class:`SuffStats`
    cov : array-like of shape (n_features, n_features)
        The model covariance :math:`\Sigma`.
    batch_size : int
        :math:`k`, from 1 to ``n_samples``.

    Returns
    -------
    ndarray of shape (n_features, n_features)
        :math:`\mathrm{Cov}\big[\frac nk \sum_{i\in B}\Sigma^{-1}(x_i-\mu)\big]` over batches
        :math:`B` of :math:`k` rows drawn without replacement (the same for every ``mu``).

    Notes
    -----
    With :math:`C = S/n` the data's own covariance (dividing by :math:`n`), sampling
    without replacement from a finite population gives

    .. math:: \frac{n^2}{k}\,\frac{n-k}{n-1}\;\Sigma^{-1} C\, \Sigma^{-1},

    which is zero at :math:`k = n` (the full gradient) and falls like :math:`1/k`.
    """
    stats = suff_stats(X)
    d = stats.mean.size
    cov = _as_cov(cov, d)
    k = as_count(batch_size, "batch_size")
    n = stats.n
    if k > n:
        raise ValueError(f"batch_size must be between 1 and n_samples = {n}, got {k}")
    prec = np.linalg.inv(cov)
    fpc = (n - k) / (n - 1) if n > 1 else 0.0
    return n**2 / k * fpc * prec @ (stats.scatter / n) @ prec


def sgd_stationary_cov(hessian, noise_cov, lr):
    r"""Stationary covariance of constant-rate SGD on a concave quadratic.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    hessian : array-like of shape (d, d)
        :math:`H`, *minus* the Hessian of the objective (symmetric positive definite);
        for :func:`mvn_loglik`, :math:`H = n\Sigma^{-1}`.
    noise_cov : array-like of shape (d, d)
        :math:`Q`, the covariance of the gradient noise (:func:`minibatch_grad_cov`).
    lr : float
        The constant learning rate :math:`\eta`, with :math:`0 < \eta < 2/\lambda_{\max}(H)`.

    Returns
    -------
    ndarray of shape (d, d)
        :math:`P`, the covariance of :math:`\theta_t - \theta^\star` once the start is forgotten.

    Notes
    -----
    The error follows :math:`e_{t+1} = (I - \eta H)e_t + \eta\,\xi_t`, so

    .. math:: P = (I-\eta H)\,P\,(I-\eta H)^\top + \eta^2 Q,

    a discrete Lyapunov equation. When :math:`H = h I` and :math:`Q = q I` it is
    :math:`P = \frac{\eta q}{h(2 - \eta h)} I \approx \frac{\eta q}{2h} I`: proportional to
    :math:`\eta` and, through :math:`q \propto 1/k`, to :math:`1/k`.
    """
    H = as_float_array(hessian, "hessian", allow_empty=False, allow_inf=False)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"hessian must be a square (d, d) array, got shape {H.shape}")
    Q = as_float_array(noise_cov, "noise_cov", allow_empty=False, allow_inf=False)
    if Q.shape != H.shape:
        raise ValueError(f"noise_cov must have shape {H.shape} like hessian, got {Q.shape}")
    lr = float(as_scale(lr, "lr"))
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    if lam[0] <= 0:
        raise ValueError("hessian must be positive definite (minus the objective's Hessian)")
    if lr * lam[-1] >= 2:
        raise ValueError(
            f"lr must be < 2 / lambda_max = {2 / lam[-1]:.4g} for SGD to settle, got {lr:.4g}"
        )
    A = np.eye(H.shape[0]) - lr * H
    return linalg.solve_discrete_lyapunov(A, lr**2 * Q)
