"""Score functions: the gradient of a log density with respect to the data ``x``.

Introduced in ``01_likelihood.ipynb`` (the Gaussian score as the slope of the log
density); ``06_score_langevin.ipynb`` builds samplers on top of these.

Two meanings of "score" meet in this course. In statistics the score is the gradient
of the log-likelihood with respect to the *parameters*; in score-based generative
modelling it is the gradient of the log density with respect to *x*. Functions here
use the second meaning, as in Song and Ermon (2019): ``s(x) = d/dx log p(x)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from helpers._validation import as_float_array, as_location, as_sample, as_scale, as_weights

__all__ = [
    "mixture_logpdf",
    "mixture_logpdf_nd",
    "mixture_score",
    "mixture_score_nd",
    "normal_score",
]


def normal_score(x, mu=0.0, sigma=1.0):
    r"""Score of the Gaussian: :math:`\partial_x \log p(x) = -(x-\mu)/\sigma^2`.

    Parameters
    ----------
    x : array-like
        Points (any shape).
    mu : float or array-like, default 0.0
        Mean.
    sigma : float or array-like, default 1.0
        Standard deviation, > 0.

    Returns
    -------
    ndarray
        The slope of the log density at each ``x``: positive left of ``mu``, negative
        right of it, so it always points towards the mode; zero at the mode.

    Examples
    --------
    >>> float(normal_score(3.0, mu=2.0, sigma=0.5))
    -4.0
    """
    x = as_float_array(x, "x")
    mu = as_location(mu, "mu")
    sigma = as_scale(sigma, "sigma")
    return (mu - x) / sigma**2  # not -(x - mu): that gives -0.0 at the mode


# --- Gaussian mixtures: log density and score (introduced in 06_score_langevin.ipynb) -------------

_LOG_2PI = np.log(2 * np.pi)


def _mixture_1d_parts(x, weights, mu, sigma):
    """Validated inputs, the standardised distances z and the log of each weighted component,
    log w_k + log N(x; mu_k, sigma_k^2). Components run along the FIRST axis, shape
    (n_components, *x.shape): reductions over it are then fast row operations."""
    x = as_float_array(x, "x")
    weights = as_weights(weights, "weights")
    mu = as_location(mu, "mu")
    sigma = as_scale(sigma, "sigma")
    k = weights.shape[0]
    for name, arr in (("mu", mu), ("sigma", sigma)):
        if arr.shape != (k,):
            raise ValueError(
                f"{name} must have shape (n_components,) = ({k},) like weights, got {arr.shape}"
            )
    column = (k,) + (1,) * x.ndim
    mu, sigma = mu.reshape(column), sigma.reshape(column)
    with np.errstate(divide="ignore"):  # a zero weight is log 0 = -inf: that component drops out
        const = np.log(weights).reshape(column) - np.log(sigma) - 0.5 * _LOG_2PI
    z = x - mu
    z /= sigma
    log_comp = z * z
    log_comp *= -0.5
    log_comp += const
    return z, sigma, log_comp


def _responsibilities(log_comp, axis=0):
    """Posterior probability of each component: a softmax over ``axis``, in log space
    (max-shifted, so the largest term is exp(0) = 1 and nothing overflows or is 0/0)."""
    resp = log_comp - log_comp.max(axis=axis, keepdims=True)
    np.exp(resp, out=resp)
    resp /= resp.sum(axis=axis, keepdims=True)
    return resp


def mixture_logpdf(x, weights, mu, sigma):
    r"""Log density of a 1-D Gaussian mixture :math:`\sum_k w_k \mathcal N(\mu_k, \sigma_k^2)`.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    x : array-like
        Points (any shape).
    weights : array-like of shape (n_components,)
        Mixture weights, >= 0, summing to 1.
    mu : array-like of shape (n_components,)
        Component means.
    sigma : array-like of shape (n_components,)
        Component standard deviations (not variances), > 0.

    Returns
    -------
    ndarray, shaped like ``x``
        :math:`\log p(x)` in nats.

    Notes
    -----
    .. math:: \log p(x) = \operatorname{logsumexp}_k
              \big(\log w_k + \log\mathcal N(x;\mu_k,\sigma_k^2)\big)

    computed with :func:`scipy.special.logsumexp`, so it stays finite where every
    component density underflows (hundreds of standard deviations out).

    Examples
    --------
    >>> round(float(mixture_logpdf(0.0, [0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])), 6)
    -1.418939
    """
    _, _, log_comp = _mixture_1d_parts(x, weights, mu, sigma)
    return logsumexp(log_comp, axis=0)


def mixture_score(x, weights, mu, sigma):
    r"""Score :math:`\partial_x \log p(x)` of a 1-D Gaussian mixture (see :func:`mixture_logpdf`).

    Introduced in ``06_score_langevin.ipynb``.

    Returns
    -------
    ndarray, shaped like ``x``
        The responsibility-weighted average of the component scores.

    Notes
    -----
    .. math:: s(x) = \sum_k r_k(x)\,\frac{\mu_k - x}{\sigma_k^2},\qquad
              r_k(x) = \frac{w_k\,\mathcal N(x;\mu_k,\sigma_k^2)}
              {\sum_j w_j\,\mathcal N(x;\mu_j,\sigma_j^2)}

    The responsibilities :math:`r_k` are a softmax of the log weighted components,
    computed with a max-shift, so they never overflow or divide 0 by 0. The normalising
    constant of the mixture never appears: scores do not need it.

    Examples
    --------
    >>> round(float(mixture_score(0.0, [0.2, 0.8], [-1.0, 1.0], [1.0, 1.0])), 12)
    0.6
    """
    z, sigma, log_comp = _mixture_1d_parts(x, weights, mu, sigma)
    resp = _responsibilities(log_comp)
    resp *= z
    resp /= sigma
    return -resp.sum(axis=0)


def _mixture_nd_parts(X, weights, means, covariances):
    X = as_sample(X, "X", ndim=2)
    weights = as_weights(weights, "weights")
    means = as_location(means, "means")
    covariances = as_float_array(covariances, "covariances", allow_empty=False, allow_inf=False)
    k, d = weights.shape[0], X.shape[1]
    if means.shape != (k, d):
        raise ValueError(f"means must have shape (n_components, n_features) = ({k}, {d}), "
                         f"got {means.shape}")  # fmt: skip
    if covariances.shape != (k, d, d):
        raise ValueError(f"covariances must have shape (n_components, n_features, n_features) "
                         f"= ({k}, {d}, {d}), got {covariances.shape}")  # fmt: skip
    if not np.allclose(covariances, np.swapaxes(covariances, 1, 2)):
        raise ValueError("covariances must be symmetric matrices")
    try:
        chol = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "covariances must be positive definite (a Cholesky factorisation failed); "
            "add a small multiple of the identity"
        ) from exc
    precisions = np.linalg.inv(covariances)
    log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    diff = X[:, None, :] - means  # (n, k, d)
    prec_diff = np.einsum("kij,nkj->nki", precisions, diff)
    maha = np.einsum("nki,nki->nk", diff, prec_diff)
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    log_comp = log_w - 0.5 * maha - 0.5 * log_det - 0.5 * d * _LOG_2PI
    return prec_diff, log_comp


def mixture_logpdf_nd(X, weights, means, covariances):
    r"""Log density of a Gaussian mixture in d dimensions, at each row of ``X``.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Points.
    weights : array-like of shape (n_components,)
        Mixture weights, >= 0, summing to 1.
    means : array-like of shape (n_components, n_features)
        Component means (scikit-learn's ``means_``).
    covariances : array-like of shape (n_components, n_features, n_features)
        Component covariance matrices, symmetric positive definite (``covariances_``
        with ``covariance_type="full"``).

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    .. math:: \log p(x) = \operatorname{logsumexp}_k\Big(\log w_k
              - \tfrac12 (x-\mu_k)^\top\Sigma_k^{-1}(x-\mu_k)
              - \tfrac12\log\det\Sigma_k - \tfrac d2\log 2\pi\Big)
    """
    _, log_comp = _mixture_nd_parts(X, weights, means, covariances)
    return logsumexp(log_comp, axis=-1)


def mixture_score_nd(X, weights, means, covariances):
    r"""Score :math:`\nabla_x \log p(x)` of a Gaussian mixture in d dimensions (a vector field).

    Introduced in ``06_score_langevin.ipynb``. Arguments as :func:`mixture_logpdf_nd`.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        One score vector per row of ``X``.

    Notes
    -----
    .. math:: \nabla_x \log p(x) = -\sum_k r_k(x)\,\Sigma_k^{-1}(x - \mu_k)

    with the responsibilities :math:`r_k(x)` of :func:`mixture_score`. Adding
    :math:`\mathcal N(0, \sigma^2 I)` noise to the data gives the mixture with every
    covariance replaced by :math:`\Sigma_k + \sigma^2 I`: pass those to get the
    perturbed score.

    Examples
    --------
    >>> mixture_score_nd([[1.0, 2.0]], [1.0], [[0.0, 0.0]], [np.eye(2)]).tolist()
    [[-1.0, -2.0]]
    """
    prec_diff, log_comp = _mixture_nd_parts(X, weights, means, covariances)
    resp = _responsibilities(log_comp, axis=1)
    return -np.einsum("nk,nki->ni", resp, prec_diff)
