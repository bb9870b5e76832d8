r"""Denoising score matching with a model linear in fixed features: a closed-form fit.

Introduced in ``06_score_langevin.ipynb``.

Denoising score matching (Vincent 2011) learns the score of the data density blurred by
Gaussian noise of scale :math:`\sigma` without ever knowing that density: perturb each data
point, :math:`\tilde x = x + \sigma z`, and regress the known direction back,

.. math:: J(\theta) = \mathbb E_{x,\,z}\,
          \big\lVert s_\theta(\tilde x, \sigma) + z / \sigma \big\rVert^2 .

If :math:`s_\theta(\tilde x, \sigma) = g_\sigma(\tilde x) + \Phi_\sigma(\tilde x)\, W_\sigma` is
linear in its weights, with fixed features :math:`\Phi` (Gaussian bumps) and a fixed base
:math:`g_\sigma`, the score of the Gaussian fitted to the data and blurred by the noise, that is
ordinary (ridge) least squares, solved here in closed form with numpy, one weight matrix per
noise scale. The base keeps the model sane far from the data, where every bump is zero and
the model is the score of a Gaussian, pointing back towards the data. The best function of
all (no model restriction) is the score of the Gaussian kernel density estimate with bandwidth
:math:`\sigma` on the sample, :func:`kde_score`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._validation import (
    ARRAY_CAP,
    as_count,
    as_float_array,
    as_location,
    as_sample,
    as_scale,
    check_size,
)

__all__ = ["LinearScoreModel", "dsm_loss", "fit_dsm", "kde_score", "rbf_features"]


def _neg_half_sq_dist(A, B, scale):
    """-||a_i - b_j||^2 / (2 scale^2) for every pair, shape (len(A), len(B)), by one matrix
    product (|a|^2 - 2 a.b + |b|^2): much faster than a (len(A), len(B), d) difference array.

    Both are first centred on the mean of ``B``: the expansion loses ``eps |a|^2`` to
    cancellation, which far from the origin (points near 1e6) would swamp the distances."""
    centre = B.mean(axis=0)
    A, B = A - centre, B - centre
    sq = A @ (-2 * B.T)
    sq += (A * A).sum(axis=1)[:, None]
    sq += (B * B).sum(axis=1)[None, :]
    np.maximum(sq, 0, out=sq)  # rounding can make a tiny distance negative
    sq /= -2 * scale**2
    return sq


def rbf_features(X, centers, bandwidth):
    r"""Fixed features of 2-D (or d-D) points: Gaussian bumps on a set of centres.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_centers, n_features)
        Where the bumps sit (a grid over the data, for instance).
    bandwidth : float
        Width of each bump, > 0.

    Returns
    -------
    ndarray of shape (n_samples, n_centers)
        :math:`\exp(-\lVert x - c_j\rVert^2 / 2h^2)`: each is 1 at its centre and vanishes
        a few :math:`h` away.
    """
    X = as_sample(X, "X", ndim=2)
    centers = as_location(centers, "centers")
    bandwidth = float(as_scale(bandwidth, "bandwidth"))
    if centers.ndim != 2 or centers.shape[1] != X.shape[1]:
        raise ValueError(
            f"centers must have shape (n_centers, {X.shape[1]}) to match X, got {centers.shape}"
        )
    bumps = _neg_half_sq_dist(X, centers, bandwidth)
    np.exp(bumps, out=bumps)
    return bumps


@dataclass(frozen=True)
class LinearScoreModel:
    """A noise-conditional score model, :math:`g_\\sigma(x) + \\Phi_\\sigma(x) W_\\sigma`.

    Made by :func:`fit_dsm`; call it as ``model(X, sigma)`` with one of ``model.sigmas``
    (it is defined at the noise scales it was trained on, the ones annealed Langevin uses).

    Attributes
    ----------
    sigmas : ndarray of shape (n_levels,)
    centers : ndarray of shape (n_centers, n_features)
    bandwidths : ndarray of shape (n_levels,)
        Bump width at each level, :math:`\\sqrt{h^2 + \\sigma^2}` (the blurred density is smoother).
    mean_ : ndarray of shape (n_features,)
    covariance_ : ndarray of shape (n_features, n_features)
        The Gaussian fitted to the data; :math:`g_\\sigma` is the score of
        :math:`\\mathcal N(\\text{mean\\_}, \\text{covariance\\_} + \\sigma^2 I)`.
    coef_ : ndarray of shape (n_levels, n_centers, n_features)
    """

    sigmas: np.ndarray
    centers: np.ndarray
    bandwidths: np.ndarray
    mean_: np.ndarray
    covariance_: np.ndarray
    coef_: np.ndarray

    def base_score(self, X, sigma):
        """:math:`g_\\sigma(x)`: the score of the fitted Gaussian blurred by the noise."""
        X = as_sample(X, "X", ndim=2)
        cov = self.covariance_ + float(as_scale(sigma, "sigma")) ** 2 * np.eye(X.shape[1])
        return -np.linalg.solve(cov, (X - self.mean_).T).T

    def level(self, sigma) -> int:
        """The index of the training noise scale equal to ``sigma`` (to 1e-9 relative)."""
        sigma = float(as_scale(sigma, "sigma"))
        match = np.flatnonzero(np.isclose(self.sigmas, sigma, rtol=1e-9, atol=0))
        if match.size == 0:
            raise ValueError(
                f"sigma = {sigma:g} is not one of the noise scales this model was fitted at "
                f"({np.array2string(self.sigmas, precision=3)})"
            )
        return int(match[0])

    def __call__(self, X, sigma):
        i = self.level(sigma)
        X = as_sample(X, "X", ndim=2)
        phi = rbf_features(X, self.centers, self.bandwidths[i])
        return self.base_score(X, self.sigmas[i]) + phi @ self.coef_[i]


def fit_dsm(X, sigmas, *, centers, bandwidth, n_noise=8, alpha=1e-6, rng=None):
    r"""Fit a :class:`LinearScoreModel` by denoising score matching, in closed form.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data (standardise it first: the noise scales are in its units).
    sigmas : array-like of shape (n_levels,)
        Noise scales to fit at, each > 0.
    centers : array-like of shape (n_centers, n_features)
        Centres of the Gaussian bumps (see :func:`rbf_features`).
    bandwidth : float
        Bump width :math:`h` at zero noise; level :math:`\sigma` uses :math:`\sqrt{h^2+\sigma^2}`.
    n_noise : int, default 8
        Noise draws per data point and level: the regression has ``n_samples * n_noise`` rows.
    alpha : float, default 1e-6
        Ridge penalty, relative to the mean squared feature (keeps the solve well posed).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    LinearScoreModel

    Notes
    -----
    At each level, with :math:`\tilde x_{ij} = x_i + \sigma z_{ij}` and the feature matrix
    :math:`\Phi` of the :math:`\tilde x_{ij}`, the DSM objective
    :math:`\frac1N \sum_{ij} \lVert g_\sigma(\tilde x_{ij}) + \Phi_{ij} W + z_{ij}/\sigma \rVert^2`
    is minimised by

    .. math:: W = (\Phi^\top\Phi + \lambda I)^{-1} \Phi^\top T,\qquad
              T_{ij} = -z_{ij}/\sigma - g_\sigma(\tilde x_{ij}) ,

    with :math:`\lambda` = ``alpha`` times the trace of :math:`\Phi^\top\Phi` over its size.
    """
    X = as_sample(X, "X", ndim=2)
    sigmas = as_scale(sigmas, "sigmas").reshape(-1)
    centers = as_location(centers, "centers")
    bandwidth = float(as_scale(bandwidth, "bandwidth"))
    n_noise = as_count(n_noise, "n_noise")
    # the noisy copies and their features
    check_size(n_noise * sigmas.size * len(X) * (X.shape[1] + len(centers)),
               "n_noise × len(sigmas) × len(X) × (n_features + len(centers))",
               cap=ARRAY_CAP)  # fmt: skip
    alpha = float(as_float_array(alpha, "alpha", allow_empty=False, allow_inf=False))
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    rng = np.random.default_rng(rng)
    bandwidths = np.sqrt(bandwidth**2 + sigmas**2)
    mean = X.mean(axis=0)
    cov = np.atleast_2d(np.cov(X, rowvar=False, ddof=0))
    model = LinearScoreModel(sigmas, centers, bandwidths, mean, cov,
                             np.zeros((sigmas.size, centers.shape[0], X.shape[1])))  # fmt: skip
    for i, (sigma, h) in enumerate(zip(sigmas, bandwidths, strict=True)):
        z = rng.standard_normal((n_noise, *X.shape)).reshape(-1, X.shape[1])
        x_tilde = np.tile(X, (n_noise, 1)) + sigma * z
        phi = rbf_features(x_tilde, centers, h)
        residual = -z / sigma - model.base_score(x_tilde, sigma)
        gram = phi.T @ phi
        ridge = alpha * np.trace(gram) / gram.shape[0]
        model.coef_[i] = np.linalg.solve(gram + ridge * np.eye(gram.shape[0]), phi.T @ residual)
    return model


def dsm_loss(score_fn, X, sigma, *, n_noise=8, rng=None):
    r"""Monte Carlo estimate of the denoising score matching objective at one noise scale.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(X_tilde) -> array of shape (n, n_features)``.
    X : array-like of shape (n_samples, n_features)
    sigma : float
    n_noise : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    float
        :math:`\frac1N\sum \lVert s(\tilde x) + z/\sigma\rVert^2`. It is never 0: even the
        best function leaves the variance of :math:`z/\sigma` given :math:`\tilde x`.
    """
    if not callable(score_fn):
        raise ValueError(f"score_fn must be a function, got {type(score_fn).__name__}")
    X = as_sample(X, "X", ndim=2)
    sigma = float(as_scale(sigma, "sigma"))
    n_noise = as_count(n_noise, "n_noise")
    check_size(n_noise * X.size, "n_noise × X.size", cap=ARRAY_CAP)  # the noisy copies
    rng = np.random.default_rng(rng)
    z = rng.standard_normal((n_noise, *X.shape)).reshape(-1, X.shape[1])
    x_tilde = np.tile(X, (n_noise, 1)) + sigma * z
    s = np.asarray(score_fn(x_tilde))
    if s.shape != x_tilde.shape:
        raise ValueError(f"score_fn must return shape {x_tilde.shape}, got {s.shape}")
    return float(np.mean(np.sum((s + z / sigma) ** 2, axis=1)))


def kde_score(X, data, sigma):
    r"""Score of the Gaussian kernel density estimate with bandwidth ``sigma``.

    Introduced in ``06_score_langevin.ipynb``: the optimal denoising score matching
    solution for the empirical distribution of ``data`` at noise scale ``sigma``.

    Parameters
    ----------
    X : array-like of shape (n_points, n_features)
        Where to evaluate.
    data : array-like of shape (n_samples, n_features)
        The sample the KDE is built on.
    sigma : float
        Bandwidth (a standard deviation), > 0; the kernel is :math:`\mathcal N(0, \sigma^2 I)`.

    Returns
    -------
    ndarray of shape (n_points, n_features)

    Notes
    -----
    For :math:`\hat p_\sigma(x) = \frac1n\sum_i \mathcal N(x; x_i, \sigma^2 I)`,

    .. math:: \nabla \log \hat p_\sigma(x) = \frac{\sum_i r_i(x)\, x_i - x}{\sigma^2},
              \qquad r_i(x) \propto \exp\!\big(-\lVert x - x_i\rVert^2 / 2\sigma^2\big),

    the distance from :math:`x` to the posterior mean of the clean point that produced it,
    over :math:`\sigma^2` (Tweedie's formula). Weights are computed in log space.
    """
    X = as_sample(X, "X", ndim=2)
    data = as_sample(data, "data", ndim=2)
    sigma = float(as_scale(sigma, "sigma"))
    if data.shape[1] != X.shape[1]:
        raise ValueError(f"data must have {X.shape[1]} features like X, got shape {data.shape}")
    sq = _neg_half_sq_dist(X, data, sigma)  # (m, n)
    sq -= sq.max(axis=1, keepdims=True)
    np.exp(sq, out=sq)
    sq /= sq.sum(axis=1, keepdims=True)
    centre = data.mean(axis=0)  # the posterior mean minus x, both measured from the data
    return (sq @ (data - centre) - (X - centre)) / sigma**2
