"""Gaussian mixtures: the density, ancestral sampling, and EM, with scikit-learn's names.

Introduced in ``05_gmm_em.ipynb`` (notebook 06 uses :func:`mixture_logpdf` and
:func:`mixture_sample` for a kernel density estimate, a mixture with one component per point).

A mixture of ``K`` Gaussians has the density

.. math:: p(x) = \\sum_{k=1}^K \\alpha_k \\, \\mathcal N(x;\\, \\mu_k, \\Sigma_k),

with weights :math:`\\alpha_k \\ge 0` summing to 1. Everything here works in log space
(``scipy.special.logsumexp``), never with products or sums of raw densities.

Two implementations of EM share one interface:

* the **reference**: :func:`e_step` and :func:`m_step`, a few readable lines each, in the
  ``(n_samples, n_components)`` layout of the textbook and of scikit-learn. The notebook
  calls them step by step.
* the **fast path** (:class:`GaussianMixture` and :func:`em` use it by default): one
  pass over the data per iteration, block by block in a ``(K, block)`` layout whose
  reductions over components run over contiguous memory, so the temporaries stay in
  cache. It needs only the *sufficient statistics* :math:`\\sum_n r_{nk}`,
  :math:`\\sum_n r_{nk} u_n` and :math:`\\sum_n r_{nk} u_n u_n^\\top` of the points
  measured from a reference :math:`u_n = x_n - c`. Usually :math:`c` is the data's mean,
  and the log densities and these sums are linear in the features
  :math:`\\phi(x) = (x_i x_j, x_i, 1)`: two small matrix products per block. When the
  clusters lie so far from that mean (in units of their spread) that the textbook
  one-pass :math:`E[uu^\\top] - \\bar u\\bar u^\\top` would lose accuracy (it loses about
  :math:`\\epsilon\\,\\|\\mu_k - c\\|^2/\\sigma_k^2`), each component is measured from its
  own current mean instead. The tests check that both paths agree with each other and
  with ``sklearn.mixture.GaussianMixture`` from the same start.

Shapes follow scikit-learn: ``X`` is ``(n_samples, n_features)``; 1-D data may be a 1-D
array (it is read as one feature). A fitted model stores ``means_`` as
``(n_components, n_features)`` and ``covariances_`` as
``(n_components, n_features, n_features)`` even for 1-D data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp

from helpers._validation import as_count, as_float_array

__all__ = [
    "GaussianMixture",
    "covariance_ellipse",
    "e_step",
    "em",
    "log_gaussian",
    "m_step",
    "mixture_logpdf",
    "mixture_sample",
]

_LOG_2PI = np.log(2.0 * np.pi)
_EPS10 = 10 * np.finfo(float).eps  # scikit-learn adds this to every n_k (no division by 0)


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the change of the log-likelihood fell below ``tol``.

    The same role as ``sklearn.exceptions.ConvergenceWarning`` (also a ``UserWarning``).
    """


# --------------------------------------------------------------------------- validation


def _as_data(X, name="X"):
    """``X`` as a float array of shape (n_samples, n_features); a 1-D array is one feature."""
    arr = as_float_array(X, name, allow_empty=False, allow_inf=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, n_features), "
            f"got an array of shape {arr.shape}"
        )
    return arr


def _as_weights(weights, name="weights"):
    w = as_float_array(weights, name, allow_empty=False, allow_inf=False)
    if w.ndim != 1:
        raise ValueError(f"{name} must have shape (n_components,), got {w.shape}")
    if (w < 0).any():
        raise ValueError(f"{name} must be >= 0, got {float(w[w < 0][0])!r}")
    if abs(w.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must sum to 1, got a sum of {w.sum():.6g}")
    return w


def _as_means(means, n_components, name="means"):
    """Means as (n_components, n_features); a 1-D array is one mean per component (1-D data)."""
    m = as_float_array(means, name, allow_empty=False, allow_inf=False)
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2 or m.shape[0] != n_components:
        raise ValueError(
            f"{name} must have shape (n_components, n_features) = ({n_components}, ...), "
            f"got {np.shape(means)}"
        )
    return m


def _as_covariances(covariances, n_components, n_features, name="covariances"):
    """Covariances as (K, d, d), checked symmetric and positive definite.

    For 1-D data a shape (K,) array of variances is accepted too.
    Returns the covariances and their Cholesky factors (lower triangular).
    """
    c = as_float_array(covariances, name, allow_empty=False, allow_inf=False)
    if c.ndim == 1 and n_features == 1:
        c = c[:, None, None]
    want = (n_components, n_features, n_features)
    if c.shape != want:
        raise ValueError(f"{name} must have shape {want}, got {np.shape(covariances)}")
    if not np.allclose(c, np.swapaxes(c, 1, 2), rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric matrices")
    return c, _cholesky(c, name)


def _cholesky(covariances, name="covariances"):
    """Lower Cholesky factors of a stack of covariances; a ValueError if one is not PD."""
    try:
        return np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        bad = [k for k, c in enumerate(covariances) if np.linalg.eigvalsh(c)[0] <= 0]
        raise ValueError(
            f"{name} must be positive definite; component {bad[0] if bad else '?'} is not "
            "(a component may have collapsed onto a single point: increase reg_covar)"
        ) from None


def _check_mixture(weights, means, covariances, n_features=None):
    """Validate a mixture's parameters; returns (w, m (K, d), cov (K, d, d), chol)."""
    w = _as_weights(weights)
    m = _as_means(means, w.size)
    if n_features is not None and m.shape[1] != n_features:
        raise ValueError(f"means must have {n_features} feature(s) per component, got {m.shape}")
    c, chol = _as_covariances(covariances, w.size, m.shape[1])
    return w, m, c, chol


# --------------------------------------------------------------------------- the density


def log_gaussian(X, means, covariances):
    """Log density of every point under every Gaussian component.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    means : array-like of shape (n_components, n_features) or (n_components,)
    covariances : array-like of shape (n_components, n_features, n_features)
        Or, for 1-D data, shape (n_components,) of variances.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        :math:`\\log \\mathcal N(x_n; \\mu_k, \\Sigma_k)`.

    Notes
    -----
    With the Cholesky factor :math:`\\Sigma_k = L_k L_k^\\top` and
    :math:`z = L_k^{-1}(x - \\mu_k)`,

    .. math:: \\log \\mathcal N(x; \\mu_k, \\Sigma_k) = -\\tfrac12\\big(d \\log 2\\pi
              + \\|z\\|^2\\big) - \\sum_i \\log (L_k)_{ii}.
    """
    X = _as_data(X)
    m = _as_means(means, np.shape(means)[0] if np.ndim(means) else 0)
    _, chol = _as_covariances(covariances, m.shape[0], m.shape[1])
    if m.shape[1] != X.shape[1]:
        raise ValueError(f"means must have {X.shape[1]} feature(s), got shape {m.shape}")
    return _log_gaussian(X, m, chol)


def _log_gaussian(X, means, chol):
    """(N, K) log densities from validated means (K, d) and Cholesky factors (K, d, d)."""
    diff = X[:, None, :] - means[None, :, :]  # (N, K, d)
    z = np.einsum("kij,nkj->nki", np.linalg.inv(chol), diff)  # L_k^{-1} (x_n - mu_k)
    log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)  # log |L_k|
    return -0.5 * (X.shape[1] * _LOG_2PI + np.sum(z**2, axis=2)) - log_det


def mixture_logpdf(x, weights, means, covariances):
    """Mixture log density :math:`\\log \\sum_k \\alpha_k \\mathcal N(x; \\mu_k, \\Sigma_k)`.

    Introduced in ``05_gmm_em.ipynb``; notebook 06 uses it for a KDE.

    Parameters
    ----------
    x : array-like of shape (n_samples, n_features) or (n_samples,)
    weights : array-like of shape (n_components,)
        Non-negative, summing to 1.
    means : array-like of shape (n_components, n_features) or (n_components,)
    covariances : array-like of shape (n_components, n_features, n_features)
        Or, for 1-D data, shape (n_components,): the *variances* (not standard deviations).

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    .. math:: \\log p(x) = \\operatorname{logsumexp}_k \\big(\\log \\alpha_k
              + \\log \\mathcal N(x; \\mu_k, \\Sigma_k)\\big),

    computed with ``scipy.special.logsumexp``, so it stays finite where every density
    underflows. A zero weight contributes :math:`\\log 0 = -\\infty`, which logsumexp ignores.

    Examples
    --------
    >>> round(float(np.exp(mixture_logpdf([0.0], [0.5, 0.5], [-1.0, 1.0], [1.0, 1.0]))[0]), 4)
    0.242
    """
    X = _as_data(x, "x")
    w, m, _, chol = _check_mixture(weights, means, covariances, X.shape[1])
    with np.errstate(divide="ignore"):
        log_w = np.log(w)
    return logsumexp(_log_gaussian(X, m, chol) + log_w, axis=1)


def mixture_sample(n, weights, means, covariances, *, rng=None):
    """Ancestral sampling: pick a component with probability alpha_k, then draw from it.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    n : int
        Number of draws.
    weights, means, covariances : as in :func:`mixture_logpdf`.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (n,) if ``means`` is 1-D, else (n, n_features)
    z : ndarray of shape (n,)
        The component each draw came from (the latent variable).

    Notes
    -----
    :math:`z_n \\sim \\mathrm{Categorical}(\\alpha)`, then
    :math:`x_n = \\mu_{z_n} + L_{z_n} \\varepsilon_n` with
    :math:`\\varepsilon_n \\sim \\mathcal N(0, I)` and :math:`\\Sigma_k = L_k L_k^\\top`.
    """
    n = as_count(n, "n")
    rng = np.random.default_rng(rng)
    one_d = np.ndim(means) == 1
    w, m, _, chol = _check_mixture(weights, means, covariances)
    z = rng.choice(w.size, size=n, p=w / w.sum())
    eps = rng.standard_normal((n, m.shape[1]))
    x = m[z] + np.einsum("nij,nj->ni", chol[z], eps)
    return (x[:, 0] if one_d else x), z


def covariance_ellipse(mean, covariance, *, n_std=1.0, n_points=100):
    """Points on the ellipse :math:`(x-\\mu)^\\top \\Sigma^{-1} (x-\\mu) = r^2` of a 2-D Gaussian.

    Introduced in ``05_gmm_em.ipynb`` (to draw mixture components).

    Parameters
    ----------
    mean : array-like of shape (2,) or (K, 2)
        One mean, or the means of K components (then one ellipse each).
    covariance : array-like of shape (2, 2) or (K, 2, 2)
        Symmetric positive definite.
    n_std : float, default 1.0
        The Mahalanobis radius :math:`r` ("1 standard deviation" in every direction).
    n_points : int, default 100

    Returns
    -------
    ndarray of shape (n_points, 2), or (K, n_points, 2) for K components
        Closed curves (the last point repeats the first).

    Notes
    -----
    :math:`x(t) = \\mu + r L (\\cos t, \\sin t)^\\top` with :math:`\\Sigma = L L^\\top`.
    """
    m = as_float_array(mean, "mean", allow_empty=False, allow_inf=False)
    if m.ndim not in (1, 2) or m.shape[-1] != 2:
        raise ValueError(f"mean must have shape (2,) or (K, 2), got {m.shape}")
    means = m.reshape(-1, 2)
    c = np.asarray(covariance)
    _, chol = _as_covariances(c.reshape(1, 2, 2) if m.ndim == 1 and c.size == 4 else c,
                              len(means), 2, "covariance")  # fmt: skip
    r = float(as_float_array(n_std, "n_std", allow_inf=False))
    if not r > 0:
        raise ValueError(f"n_std must be > 0, got {n_std!r}")
    t = np.linspace(0, 2 * np.pi, as_count(n_points, "n_points", minimum=3))
    curves = means[:, None, :] + r * np.c_[np.cos(t), np.sin(t)] @ np.swapaxes(chol, 1, 2)
    return curves if m.ndim == 2 else curves[0]


# --------------------------------------------------------------------------- EM, the reference


def e_step(X, weights, means, covariances):
    """The E-step: responsibilities :math:`r_{nk} = p(z_n = k \\mid x_n)`, in log space.

    Introduced in ``05_gmm_em.ipynb`` (the readable reference; :func:`em` has a faster path).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    weights, means, covariances : the current parameters (see :func:`mixture_logpdf`).

    Returns
    -------
    log_prob_norm : ndarray of shape (n_samples,)
        :math:`\\log p(x_n)` under the current parameters; its mean is the average
        log-likelihood per sample (scikit-learn's ``lower_bound_``).
    log_resp : ndarray of shape (n_samples, n_components)
        :math:`\\log r_{nk}`; ``np.exp(log_resp)`` sums to 1 over each row.

    Notes
    -----
    .. math:: \\log r_{nk} = \\log \\alpha_k + \\log \\mathcal N(x_n; \\mu_k, \\Sigma_k)
              - \\operatorname{logsumexp}_j \\big(\\log \\alpha_j
              + \\log \\mathcal N(x_n; \\mu_j, \\Sigma_j)\\big).
    """
    X = _as_data(X)
    w, m, _, chol = _check_mixture(weights, means, covariances, X.shape[1])
    with np.errstate(divide="ignore"):
        weighted = _log_gaussian(X, m, chol) + np.log(w)  # (N, K): log alpha_k N(x_n | k)
    log_prob_norm = logsumexp(weighted, axis=1)  # (N,):   log p(x_n)
    return log_prob_norm, weighted - log_prob_norm[:, None]


def m_step(X, resp, reg_covar=1e-6):
    """The M-step: closed-form weights, means and covariances from responsibilities.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities (not their logs); each row sums to 1.
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance, so no component can shrink onto a point.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)

    Notes
    -----
    With :math:`N_k = \\sum_n r_{nk}` (plus ``10 * eps``, as scikit-learn, so an empty
    component divides by no zero):

    .. math:: \\alpha_k = N_k / N, \\quad \\mu_k = \\frac1{N_k} \\sum_n r_{nk} x_n, \\quad
              \\Sigma_k = \\frac1{N_k} \\sum_n r_{nk} (x_n - \\mu_k)(x_n - \\mu_k)^\\top
              + \\text{reg\\_covar}\\, I.
    """
    X = _as_data(X)
    resp = as_float_array(resp, "resp", allow_empty=False, allow_inf=False)
    if resp.ndim != 2 or resp.shape[0] != X.shape[0]:
        raise ValueError(f"resp must have shape (n_samples, n_components), got {resp.shape}")
    if (resp < 0).any() or not np.allclose(resp.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError("resp must be non-negative with every row summing to 1")
    reg_covar = _as_nonnegative(reg_covar, "reg_covar")
    nk = resp.sum(axis=0) + _EPS10  # (K,)
    means = resp.T @ X / nk[:, None]  # (K, d)
    diff = X[:, None, :] - means[None]  # (N, K, d)
    covariances = np.einsum("nk,nki,nkj->kij", resp, diff, diff) / nk[:, None, None]
    covariances += reg_covar * np.eye(X.shape[1])
    return nk / nk.sum(), means, covariances


def _as_nonnegative(value, name):
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    arr = as_float_array(value, name, allow_empty=False, allow_inf=False)
    if arr.ndim != 0 or arr < 0:
        raise ValueError(f"{name} must be a single number >= 0, got {value!r}")
    return float(arr)


# --------------------------------------------------------------------------- EM, the fast path


#: Largest "distance from the shared origin" (squared, in units of each component's
#: variance, counting the data's extent) for which the shared-origin expansion is used.
#: Its rounding error is about eps times this: at 1e4, about 1e-12 (relative).
_SHARED_ORIGIN_LIMIT = 1e4


class _SufficientStatistics:
    r"""One EM iteration in one pass over the data, block by block, in a (K, block) layout.

    The M-step needs, per component, :math:`N_k = \sum_n r_{nk}`, :math:`\sum_n r_{nk} u_n`
    and :math:`\sum_n r_{nk} u_n u_n^\top` for *some* reference point :math:`c_k`,
    :math:`u_n = x_n - c_k`; then

    .. math:: \mu_k^{new} = c_k + \delta_k, \quad \delta_k = \frac{\sum r u}{N_k}, \quad
              \Sigma_k^{new} = \frac{\sum r u u^\top}{N_k} - \delta_k \delta_k^\top.

    The subtraction loses about :math:`\epsilon \|c_k - \mu_k\|^2 / \sigma_k^2` of
    relative accuracy, so the reference must not be far from the component (in units of
    its spread). Two ways, chosen per iteration from the current parameters:

    * **shared origin** (the data's mean, the usual case): the log densities and the sums
      are then linear in the features :math:`\phi(x) = (x_i x_j, x_i, 1)` of the centred
      data, computed once per fit, so an iteration is two small matrix products per block.
      Used while every component and every data point lies within
      ``sqrt(_SHARED_ORIGIN_LIMIT)`` of its spreads from the origin (error below 1e-12).
    * **per-component origin** (its current mean) otherwise, such as two clusters of
      spread 1 placed 1e6 apart, where the shared origin lost 2e-3 against scikit-learn:
      the E-step is :math:`\|L_k^{-1}(x - \mu_k)\|^2` on the differences themselves and
      :math:`\delta_k` is just the step of the mean. About 1.5 times slower.

    Blocks of 8192 points keep the (K, block) temporaries in cache; every reduction over
    components runs over contiguous memory.
    """

    def __init__(self, X, block=8192):
        self.n, self.d = X.shape
        self.shift = X.mean(axis=0)
        Xc = X - self.shift
        self.extent = np.abs(Xc).max(axis=0)  # (d,): how far the data reach from the origin
        self.iu = np.triu_indices(self.d)
        self.quad_factor = np.where(self.iu[0] == self.iu[1], -0.5, -1.0)  # x_i x_j weights
        phi = np.concatenate([Xc[:, self.iu[0]] * Xc[:, self.iu[1]], Xc, np.ones((self.n, 1))], 1)
        self.blocks = [np.ascontiguousarray(phi[s : s + block].T) for s in range(0, self.n, block)]

    def shared_origin_is_accurate(self, means, chol):
        """Whether every component and data point is near enough the shared origin."""
        var = np.einsum("kij,kij->ki", chol, chol)  # (K, d): the diagonals of Sigma_k
        reach = np.abs(means - self.shift) + self.extent  # (K, d)
        return bool(np.all(reach**2 <= _SHARED_ORIGIN_LIMIT * var))

    def iterate(self, weights, means, chol, reg_covar):
        """One E-step and M-step. Returns the new parameters and the mean log-likelihood
        of the *old* ones (what scikit-learn records for this iteration)."""
        if self.shared_origin_is_accurate(means, chol):
            return self._iterate_shared(weights, means, chol, reg_covar)
        return self._iterate_centred(weights, means, chol, reg_covar)

    def _coefficients(self, weights, means, chol):
        """W of shape (K, F): log(alpha_k N(x; mu_k, Sigma_k)) = W[k] . phi(x)."""
        i, j = self.iu
        inv_chol = np.linalg.inv(chol)
        prec = np.swapaxes(inv_chol, 1, 2) @ inv_chol  # Sigma_k^{-1}, (K, d, d)
        mc = means - self.shift  # the means in centred coordinates
        lin = np.einsum("kij,kj->ki", prec, mc)  # Sigma^{-1} mu
        log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):
            log_w = np.log(weights)
        W = np.empty((len(weights), i.size + self.d + 1))
        W[:, : i.size] = prec[:, i, j] * self.quad_factor  # x_i x_j terms
        W[:, i.size : -1] = lin
        W[:, -1] = log_w - 0.5 * (self.d * _LOG_2PI + np.sum(lin * mc, 1)) - log_det
        return W

    @staticmethod
    def _normalise(a, chunk):
        """log alpha_k N(x_n | k), (K, B), to responsibilities in place; returns sum log p."""
        top = a.max(axis=0)  # reductions over K run over contiguous rows
        np.subtract(a, top, out=a)
        np.exp(a, out=a)
        s = a.sum(axis=0)  # p(x_n) / exp(top_n)
        a *= 1.0 / s  # responsibilities, (K, B)
        return _sum_log(s, chunk) + top.sum()  # sum of log p(x_n)

    def _iterate_shared(self, weights, means, chol, reg_covar):
        W = self._coefficients(weights, means, chol)  # (K, F)
        stats = np.zeros(W.shape[::-1])  # (F, K)
        total = 0.0
        # s in _normalise lies in [1, K], so a product of `chunk` of them cannot overflow.
        chunk = 1 << int(np.log2(1000 / np.log2(W.shape[0] + 1)))
        for phi in self.blocks:  # a loop over blocks of 8192 points, for the cache
            a = W @ phi  # (K, B): log alpha_k N(x_n | k)
            total += self._normalise(a, chunk)
            stats += phi @ a.T  # sum_n phi(x_n) r_nk, (F, K)
        stats = stats.T
        d, (i, j) = self.d, self.iu
        nk = stats[:, -1] + _EPS10
        mean_c = stats[:, -1 - d : -1] / nk[:, None]
        second = np.zeros((W.shape[0], d, d))
        second[:, i, j] = stats[:, : i.size]
        second[:, j, i] = stats[:, : i.size]
        cov = second / nk[:, None, None] - mean_c[:, :, None] * mean_c[:, None, :]
        cov += reg_covar * np.eye(d)
        return (nk / nk.sum(), mean_c + self.shift, cov), total / self.n

    def _iterate_centred(self, weights, means, chol, reg_covar):
        K, d = means.shape
        lo = self.iu[0].size  # the rows of x (centred on the shared origin) in each block
        inv_chol = np.linalg.inv(chol)  # z = L_k^{-1} u
        ref = means - self.shift  # (K, d): each component's reference point, its mean
        log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):
            const = (np.log(weights) - 0.5 * d * _LOG_2PI - log_det)[:, None]  # (K, 1)
        n_k, s1, s2 = np.zeros(K), np.zeros((K, d)), np.zeros((K, d, d))
        total = 0.0
        chunk = 1 << int(np.log2(1000 / np.log2(K + 1)))
        half_prec = (-0.5 * inv_chol[:, 0, 0] ** 2)[:, None]  # 1-D: -1 / (2 sigma_k^2)
        for phi in self.blocks:
            xb = phi[lo : lo + d]  # (d, B)
            if d == 1:
                u = xb - ref  # (K, B): x_n - m_k
                a = u * half_prec
                a *= u
            else:
                u = xb[None] - ref[:, :, None]  # (K, d, B)
                z = inv_chol @ u
                z *= z
                a = z.sum(axis=1)
                a *= -0.5
            a += const  # (K, B): log alpha_k N(x_n | k)
            total += self._normalise(a, chunk)
            n_k += a.sum(axis=1)
            if d == 1:
                ru = a * u
                s1[:, 0] += ru.sum(axis=1)
                s2[:, 0, 0] += np.einsum("kb,kb->k", ru, u)
            else:
                ru = u * a[:, None, :]
                s1 += ru.sum(axis=2)
                s2 += ru @ u.transpose(0, 2, 1)
        nk = n_k + _EPS10
        delta = s1 / nk[:, None]  # the step of each mean
        cov = s2 / nk[:, None, None] - delta[:, :, None] * delta[:, None, :]
        cov += reg_covar * np.eye(d)
        return (nk / nk.sum(), means + delta, cov), total / self.n


def _sum_log(s, chunk):
    """``np.log(s).sum()`` with one log per ``chunk`` values: the logs of their products.

    ``np.log`` costs as much as 100 multiplications; the products of values in [1, K]
    stay finite and the result agrees to about 1e-13.
    """
    n = s.size - s.size % chunk
    return np.log(s[:n].reshape(-1, chunk).prod(axis=1)).sum() + np.log(s[n:]).sum()


# --------------------------------------------------------------------------- EM, the loop


@dataclass
class EMResult:
    """What :func:`em` returns.

    Attributes
    ----------
    weights, means, covariances : ndarray
        The parameters after the last M-step; shapes (K,), (K, d), (K, d, d).
    lower_bounds : list of float
        Mean log-likelihood per sample at the start of each iteration (before its M-step),
        as scikit-learn's ``lower_bounds_``. Never decreases.
    converged : bool
        Whether the last change of the mean log-likelihood was below ``tol``.
    n_iter : int
        Number of iterations run.
    path : list of tuple
        With ``keep_path=True``: ``(weights, means, covariances)`` before the first
        iteration and after each one (``n_iter + 1`` entries); else empty.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    lower_bounds: list
    converged: bool
    n_iter: int
    path: list = field(default_factory=list)


def em(X, weights, means, covariances, *, tol=1e-3, max_iter=100, reg_covar=1e-6,
       fast=True, keep_path=False):  # fmt: skip
    """Run EM from a fully specified start, exactly as scikit-learn's loop does.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    weights, means, covariances : the starting parameters (see :func:`mixture_logpdf`).
    tol : float, default 1e-3
        Stop when the mean log-likelihood per sample changes by less than ``tol``.
    max_iter : int, default 100
        ``0`` runs no iteration: the result is the start (``n_iter = 0``, no lower bound).
    reg_covar : float, default 1e-6
    fast : bool, default True
        The sufficient-statistics path; ``False`` runs :func:`e_step` and :func:`m_step`.
        Both give the same numbers to rounding (the tests check it).
    keep_path : bool, default False
        Keep the parameters after every iteration (for figures and explorers).

    Returns
    -------
    EMResult

    Notes
    -----
    Iteration :math:`t` computes the E-step at :math:`\\theta_{t-1}`, records
    :math:`\\bar\\ell(\\theta_{t-1}) = \\frac1N\\sum_n \\log p(x_n \\mid \\theta_{t-1})`, then the
    M-step gives :math:`\\theta_t`. It stops when
    :math:`|\\bar\\ell(\\theta_{t-1}) - \\bar\\ell(\\theta_{t-2})| < \\text{tol}`.
    EM guarantees :math:`\\bar\\ell(\\theta_t) \\ge \\bar\\ell(\\theta_{t-1})`.

    A component has *collapsed* when its variance in some direction falls below
    ``1e-13`` times the data's variance **in that feature's own unit** (the check is
    made on the covariance rescaled by each feature's variance, so features in different
    units, an income and a rate, do not trip it); the error then says what to change.
    """
    X = _as_data(X)
    tol = _as_nonnegative(tol, "tol")
    max_iter = as_count(max_iter, "max_iter", minimum=0)
    reg_covar = _as_nonnegative(reg_covar, "reg_covar")
    w, m, c, chol = _check_mixture(weights, means, covariances, X.shape[1])
    if X.shape[0] < w.size:
        raise ValueError(f"X has {X.shape[0]} samples, fewer than the {w.size} components")
    scale = _feature_scale(X)  # each feature's variance, to measure collapse in its unit
    stats = _SufficientStatistics(X) if fast else None
    path = [(w, m, c)] if keep_path else []
    lower_bounds, converged, previous = [], False, -np.inf
    for _ in range(max_iter):
        if fast:
            (w, m, c), bound = stats.iterate(w, m, chol, reg_covar)
        else:
            log_prob_norm, log_resp = e_step(X, w, m, c)
            bound = float(log_prob_norm.mean())
            w, m, c = m_step(X, np.exp(log_resp), reg_covar)
        chol = _check_not_collapsed(_cholesky(c, "covariances"), scale, reg_covar,
                                    len(lower_bounds) + 1)  # fmt: skip
        lower_bounds.append(float(bound))
        if keep_path:
            path.append((w, m, c))
        if abs(bound - previous) < tol:
            converged = True
            break
        previous = bound
    return EMResult(w, m, c, lower_bounds, converged, len(lower_bounds), path)


def _feature_scale(X):
    """Each feature's variance (a constant feature borrows the largest, or 1)."""
    var = X.var(axis=0)
    return np.where(var > 0, var, var.max() if var.max() > 0 else 1.0)


_COLLAPSE = 1e-13  # a variance below this fraction of the feature's own is a collapse


def _check_not_collapsed(chol, scale, reg_covar, iteration):
    """A ValueError when a component's variance, in some direction and measured in units
    of each feature's own variance ``scale`` (n_features,), fell below ``_COLLAPSE``.

    The squared diagonal of the Cholesky factor of :math:`D^{-1/2} \\Sigma D^{-1/2}`
    (``D`` the feature variances) is ``L_ii^2 / D_i``: the variance of feature ``i``
    left once the features before it are known, relative to the feature's spread.
    """
    relative = np.diagonal(chol, axis1=1, axis2=2) ** 2 / scale  # (K, d)
    smallest = relative.min(axis=1)  # (K,)
    if (smallest <= _COLLAPSE).any():
        k = int(np.argmin(smallest))
        i = int(np.argmin(relative[k]))
        var_i = float(np.diagonal(chol[k])[i] ** 2)
        head = (
            f"component {k + 1} of {smallest.size} collapsed onto a single point at iteration "
            f"{iteration} (variance {var_i:.1e} in feature {i + 1}, whose variance in the data "
            f"is {scale[i]:.3g}): the log-likelihood grows without bound. "
        )
        if reg_covar > 0:
            advice = (
                f"reg_covar = {reg_covar:g} is too small for this feature's unit (below "
                f"{_COLLAPSE:g} times its variance): increase reg_covar to about 1e-6 times "
                f"the smallest feature variance ({1e-6 * scale.min():.2g}), or standardise "
                "the features and keep the default 1e-6."
            )
        else:
            advice = (
                "Set reg_covar > 0, for example the default 1e-6 on standardised data (about "
                "1e-6 times the smallest feature variance, in data units)."
            )
        raise ValueError(head + advice)
    return chol


# --------------------------------------------------------------------------- the estimator


class GaussianMixture:
    """A Gaussian mixture fitted by EM, with scikit-learn's names and semantics.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    n_components : int, default 1
        Number of components K.
    covariance_type : {"full"}, default "full"
        Each component has its own full covariance matrix (the only type implemented).
    tol : float, default 1e-3
        Convergence threshold on the change of the mean log-likelihood per sample.
    max_iter : int, default 100
        Maximum number of EM iterations. ``0`` keeps the start (as scikit-learn: no warning,
        ``n_iter_ = 0``, ``lower_bound_ = -inf``), a way to see the initial parameters.
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance: no component can collapse onto a point.
        It is in the data's squared units: on features of very different scales, standardise
        them or choose it for the smallest one (the collapse error says so).
    weights_init : array-like of shape (n_components,), optional
    means_init : array-like of shape (n_components, n_features), optional
    covariances_init : array-like of shape (n_components, n_features, n_features), optional
        A documented start. (scikit-learn takes ``precisions_init``, the inverses.) Any
        left out is filled in: weights equal, means ``K`` data points with distinct values
        drawn with ``random_state`` (rows are drawn at random; a row equal to one already
        drawn, as in tied or rounded data, is replaced by another draw), covariances the
        covariance of the data (divided by n). A ``ValueError`` names ``n_components``
        when ``X`` has fewer than ``K`` distinct rows. scikit-learn fills them in from
        k-means instead.
    random_state : None, int or numpy.random.Generator
        Used only to draw missing starting means.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray of shape (n_components, n_features, n_features)
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood per sample recorded at the last iteration (at the parameters
        before its M-step, as scikit-learn).
    lower_bounds_ : list of float
        One value per iteration; never decreases.

    Notes
    -----
    .. math:: p(x) = \\sum_{k=1}^K \\alpha_k \\mathcal N(x; \\mu_k, \\Sigma_k)

    EM alternates :func:`e_step` and :func:`m_step` (here through the faster
    sufficient-statistics path of :func:`em`, equal to rounding).

    Where this class differs from ``sklearn.mixture.GaussianMixture`` (1.9):

    * only ``covariance_type="full"``; no ``n_init``, ``init_params``, ``warm_start``,
      ``verbose``; the start is drawn from the data, not from k-means (above), and
      ``covariances_init`` replaces ``precisions_init``;
    * :meth:`sample` takes its generator as ``rng=`` (scikit-learn reuses
      ``random_state``), so the draws differ; like scikit-learn it returns ``(X, labels)``
      grouped by component (all draws of component 0 first, then 1, ...);
    * input of any float dtype (float32 included) is computed and stored in float64
      (scikit-learn keeps float32 as float32); a 1-D ``X`` is read as one feature
      (scikit-learn asks for a 2-D array);
    * a fit needs at least 2 samples and at least ``n_components`` (both a
      ``ValueError``, as scikit-learn);
    * a collapsed component is a ``ValueError`` saying what to change (scikit-learn
      raises one too, from its Cholesky factorisation);
    * no ``precisions_`` / ``precisions_cholesky_`` attributes and no ``fit_predict``.

    Examples
    --------
    >>> X = np.r_[np.zeros(50) - 2, np.zeros(50) + 2] + np.tile([-0.1, 0.1], 50)
    >>> gm = GaussianMixture(2, means_init=[[-1.0], [1.0]]).fit(X)
    >>> np.round(gm.means_.ravel(), 3).tolist()
    [-2.0, 2.0]
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, max_iter=100,
                 reg_covar=1e-6, weights_init=None, means_init=None, covariances_init=None,
                 random_state=None):  # fmt: skip
        self.n_components = as_count(n_components, "n_components")
        if covariance_type != "full":
            raise ValueError(f"covariance_type must be 'full', got {covariance_type!r}")
        self.covariance_type = covariance_type
        self.tol = _as_nonnegative(tol, "tol")
        self.max_iter = as_count(max_iter, "max_iter", minimum=0)
        self.reg_covar = _as_nonnegative(reg_covar, "reg_covar")
        K = self.n_components
        self.weights_init = (
            None if weights_init is None else _as_weights(weights_init, "weights_init")
        )
        if self.weights_init is not None and self.weights_init.size != K:
            raise ValueError(f"weights_init must have shape ({K},), got {self.weights_init.shape}")
        self.means_init = None if means_init is None else _as_means(means_init, K, "means_init")
        self.covariances_init = None
        if covariances_init is not None:
            d = (
                self.means_init.shape[1]
                if self.means_init is not None
                else _n_features(covariances_init)
            )
            self.covariances_init = _as_covariances(covariances_init, K, d, "covariances_init")[0]
        self.random_state = random_state

    def _start(self, X):
        d = X.shape[1]
        K = self.n_components
        w = np.full(K, 1.0 / K) if self.weights_init is None else self.weights_init
        if self.means_init is None:
            m = X[_distinct_rows(X, K, np.random.default_rng(self.random_state))]
        else:
            m = self.means_init
        if m.shape[1] != d:
            raise ValueError(f"means_init must have {d} feature(s), got shape {m.shape}")
        if self.covariances_init is None:
            c = np.broadcast_to(np.atleast_2d(np.cov(X.T, bias=True)) + self.reg_covar * np.eye(d),
                                (K, d, d)).copy()  # fmt: skip
        else:
            c = self.covariances_init
            if c.shape[1] != d:
                raise ValueError(f"covariances_init must have shape ({K}, {d}, {d}), got {c.shape}")
        return w, m, c

    def fit(self, X, y=None):
        """Fit by EM from the start; returns ``self``. Warns if not converged by ``max_iter``."""
        X = _as_data(X)
        if X.shape[0] < 2:
            raise ValueError(
                f"X has n_samples = {X.shape[0]}; fitting needs at least 2 samples "
                "(as scikit-learn's GaussianMixture)"
            )
        if X.shape[0] < self.n_components:
            raise ValueError(
                f"X has n_samples = {X.shape[0]}, fewer than n_components = {self.n_components}"
            )
        result = em(X, *self._start(X), tol=self.tol, max_iter=self.max_iter,
                    reg_covar=self.reg_covar)  # fmt: skip
        self.weights_, self.means_, self.covariances_ = (
            result.weights,
            result.means,
            result.covariances,
        )
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self.lower_bounds_ = result.lower_bounds
        self.lower_bound_ = result.lower_bounds[-1] if result.lower_bounds else -np.inf
        if not self.converged_ and self.max_iter > 0:  # max_iter = 0 asks for the start
            warnings.warn(
                f"EM did not converge in max_iter = {self.max_iter} iterations (the last change "
                f"of the mean log-likelihood was above tol = {self.tol:g}). Increase max_iter, "
                "try another start, or check for degenerate data.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _check_fitted(self, X, name="X"):
        if not hasattr(self, "weights_"):
            raise ValueError("this GaussianMixture is not fitted yet: call fit(X) first")
        X = _as_data(X, name)
        if X.shape[1] != self.means_.shape[1]:
            raise ValueError(
                f"{name} has {X.shape[1]} feature(s); the model was fitted on "
                f"{self.means_.shape[1]}"
            )
        return X

    def score_samples(self, X):
        """Log density :math:`\\log p(x_n)` of each sample, shape (n_samples,)."""
        X = self._check_fitted(X)
        return mixture_logpdf(X, self.weights_, self.means_, self.covariances_)

    def score(self, X, y=None):
        """Mean log-likelihood per sample (nats)."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsibilities :math:`p(z = k \\mid x_n)`, shape (n_samples, n_components)."""
        X = self._check_fitted(X)
        return np.exp(e_step(X, self.weights_, self.means_, self.covariances_)[1])

    def predict(self, X):
        """The most responsible component of each sample, shape (n_samples,)."""
        return np.argmax(self.predict_proba(X), axis=1)

    def sample(self, n_samples=1, *, rng=None):
        """Draw ``n_samples`` points by ancestral sampling, grouped by component.

        Returns ``(X, labels)``: X of shape (n_samples, n_features) and labels of shape
        (n_samples,), sorted by component as scikit-learn returns them (the draws of
        component 0 first). ``rng`` (None, int or Generator) drives the draws; scikit-learn
        uses ``random_state`` instead.
        """
        if not hasattr(self, "weights_"):
            raise ValueError("this GaussianMixture is not fitted yet: call fit(X) first")
        n_samples = as_count(n_samples, "n_samples")
        X, z = mixture_sample(n_samples, self.weights_, self.means_, self.covariances_, rng=rng)
        order = np.argsort(z, kind="stable")
        return X[order], z[order]

    def _n_parameters(self):
        K, d = self.means_.shape
        return (K - 1) + K * d + K * d * (d + 1) // 2

    def bic(self, X):
        """Bayesian information criterion, :math:`-2 \\ell + p \\log n` (lower is better)."""
        X = self._check_fitted(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X):
        """Akaike information criterion, :math:`-2 \\ell + 2p` (lower is better)."""
        X = self._check_fitted(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()


def _distinct_rows(X, k, rng):
    """Indices of ``k`` rows of ``X`` with distinct values, drawn at random.

    The first draw is ``rng.choice(n, k, replace=False)``; each row equal to one drawn
    before it is replaced by a draw among the rows whose values are not yet taken.
    """
    n = X.shape[0]
    idx = rng.choice(n, size=k, replace=False)
    if np.unique(X[idx], axis=0).shape[0] == k:  # the usual case: no need to sort all of X
        return idx
    _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if first.size < k:
        raise ValueError(
            f"X has {first.size} distinct point(s), fewer than n_components = {k}: "
            "a random start needs a distinct point per component. Use fewer components, "
            "or pass means_init."
        )
    taken, keep = set(), []
    for i in idx:
        if inverse[i] not in taken:
            taken.add(inverse[i])
            keep.append(int(i))
    while len(keep) < k:
        free = np.flatnonzero(~np.isin(inverse, list(taken)))
        i = int(rng.choice(free))
        taken.add(inverse[i])
        keep.append(i)
    return np.array(keep)


def _n_features(covariances):
    c = np.asarray(covariances, dtype=float)
    return 1 if c.ndim == 1 else c.shape[-1]
