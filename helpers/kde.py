"""Gaussian kernel density estimation: the log density, bandwidth rules, bandwidth by likelihood.

Introduced in ``05_gmm_em.ipynb``. A Gaussian KDE with bandwidth :math:`h` is a Gaussian
mixture with one component per data point, equal weights :math:`1/n` and covariance
:math:`h^2 I` (notebook 06 builds on that reading):

.. math:: \\hat p_h(x) = \\frac1n \\sum_{i=1}^n \\mathcal N(x;\\, x_i,\\, h^2 I).

Here :math:`h` is the kernel's **standard deviation**, in the data's unit.
``scipy.stats.gaussian_kde`` parametrises the same thing by a *factor* multiplying the
data's standard deviation (``ddof=1``): :math:`h = \\text{factor} \\times s`.
"""

from __future__ import annotations

import numpy as np

from helpers._validation import as_float_array, as_sample, as_scale

__all__ = [
    "kde_heldout_loglik",
    "kde_logpdf",
    "kde_loo_loglik",
    "scott_bandwidth",
    "silverman_bandwidth",
]

_LOG_2PI = np.log(2.0 * np.pi)


def _as_points(x, name):
    """1-D samples as (n, 1), 2-D as (n, d); non-empty and finite."""
    arr = as_float_array(x, name, allow_empty=False, allow_inf=False)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, n_features), got {arr.shape}"
        )
    return arr


def _sq_dist(x, data):
    """Squared distances, shape (len(x), len(data)), from the differences themselves.

    One (m, n) difference per feature, never the expanded :math:`|x|^2 + |y|^2 - 2x\\cdot y`:
    that form loses :math:`\\epsilon |x|^2` to cancellation, which far from the origin
    (data of spread 0.1 shifted by 1e6, h = 0.01) moved log densities by 2 nats. So the
    result depends on the data only through their differences (translation invariant),
    in 1-D and 2-D alike.
    """
    d2 = (x[:, :1] - data[:, 0]) ** 2
    for j in range(1, x.shape[1]):
        diff = x[:, j : j + 1] - data[:, j]
        diff *= diff
        d2 += diff
    return d2


def _log_kernel_sums(d2, h, n_features, log_n):
    """log( (1/n) sum_i N(x; x_i, h^2 I) ) for each row of d2 and each bandwidth in h.

    d2 : (m, n) squared distances; h : (n_h,). Returns (n_h, m).

    A logsumexp by hand: the largest term of a row is its nearest point's, whatever h, so
    the row is shifted by its smallest distance once and every term is at most 1. One
    (m, n) array per bandwidth (not (n_h, m, n) at once) keeps the memory small; this is
    about 10x faster than ``scipy.special.logsumexp`` over the stacked array.
    """
    near = d2.min(axis=1)  # (m,): the nearest point's squared distance
    excess = d2 - near[:, None]  # >= 0; a left-out point's inf stays inf
    sums = np.empty((h.size, d2.shape[0]))
    for i, scale in enumerate(-0.5 / h**2):  # a loop over bandwidths, not over data
        sums[i] = np.exp(excess * scale).sum(axis=1)
    log_norm = -0.5 * n_features * (_LOG_2PI + 2 * np.log(h))
    return np.log(sums) - 0.5 * near[None, :] / h[:, None] ** 2 + log_norm[:, None] - log_n


def kde_logpdf(x, data, bandwidth):
    """Log density of a Gaussian KDE at the points ``x``.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    x : array-like of shape (m,) or (m, n_features)
        Where to evaluate.
    data : array-like of shape (n,) or (n, n_features)
        The kernel centres (the sample).
    bandwidth : float
        The kernel's standard deviation :math:`h` (the same in every direction), in the
        unit of the data; not a scipy-style factor.

    Returns
    -------
    ndarray of shape (m,)

    Notes
    -----
    .. math:: \\log \\hat p_h(x) = \\operatorname{logsumexp}_i
              \\Big(-\\frac{\\|x - x_i\\|^2}{2h^2}\\Big)
              - \\log n - \\frac d2 \\log(2\\pi h^2).

    Examples
    --------
    >>> round(float(np.exp(kde_logpdf([0.0], [0.0], 1.0))[0]), 4)  # one kernel: N(0; 0, 1)
    0.3989
    """
    data = _as_points(data, "data")
    x = _as_points(x, "x")
    if x.shape[1] != data.shape[1]:
        raise ValueError(f"x has {x.shape[1]} feature(s) but data has {data.shape[1]}")
    h = as_scale(bandwidth, "bandwidth")
    if h.ndim != 0:
        raise ValueError(f"bandwidth must be a single number, got shape {h.shape}")
    return _log_kernel_sums(_sq_dist(x, data), h.reshape(1), data.shape[1], np.log(len(data)))[0]


def scott_bandwidth(x):
    """Scott's rule: :math:`h = s\\, n^{-1/5}` for a 1-D sample (``s`` with ``ddof=1``).

    Introduced in ``05_gmm_em.ipynb``. Equals ``scipy.stats.gaussian_kde(x, "scott")``'s
    ``factor`` times the sample standard deviation (``ddof=1``).

    Parameters
    ----------
    x : array-like of shape (n,)

    Returns
    -------
    float
        The bandwidth (kernel standard deviation) in the unit of ``x``.

    Notes
    -----
    Scott's rule is :math:`n^{-1/(d+4)}` times the spread, a convenient rate, *not* the
    bandwidth that minimises the *asymptotic* MISE (AMISE) for Gaussian data.
    In 1-D that optimum is :math:`(4/3)^{1/5} s\\, n^{-1/5} \\approx 1.06\\, s\\, n^{-1/5}`,
    which is :func:`silverman_bandwidth` (scipy's "silverman"; the exact MISE optimum at
    finite n is a little wider, about 1.10 at n = 272); Scott's is about 6%
    narrower. Both assume one Gaussian bump, so both are too wide for multimodal data such
    as the Old Faithful waiting times.

    scikit-learn's ``KernelDensity(bandwidth="scott")`` is a bare factor,
    :math:`n^{-1/(d+4)}`, **not** multiplied by the data's spread: it equals this rule only
    on data standardised to unit variance. (scipy's ``gaussian_kde`` multiplies its factor
    by the data's covariance, as here.)
    """
    x = _spread_sample(x)
    return float(x.std(ddof=1) * x.size ** (-1 / 5))


def silverman_bandwidth(x):
    """Silverman's rule (scipy's): :math:`h = s\\, (3n/4)^{-1/5} \\approx 1.06\\, s\\, n^{-1/5}`.

    Introduced in ``05_gmm_em.ipynb``. Asymptotically MISE-optimal (AMISE) for Gaussian data
    in 1-D. Equals ``scipy.stats.gaussian_kde(x, "silverman")``'s
    ``factor`` times ``x.std(ddof=1)``. (Silverman's book also gives the more robust
    :math:`0.9 \\min(s, \\mathrm{IQR}/1.34)\\, n^{-1/5}`; that is a different rule.)

    Parameters
    ----------
    x : array-like of shape (n,)

    Returns
    -------
    float

    Notes
    -----
    For Gaussian data in 1-D and a Gaussian kernel this is the bandwidth that minimises
    the asymptotic mean integrated squared error, :math:`(4/3n)^{1/5} \\sigma` (with
    :math:`\\sigma` estimated by ``s``). scikit-learn's ``bandwidth="silverman"`` is the
    bare factor :math:`(n(d+2)/4)^{-1/(d+4)}`, not multiplied by the spread.
    """
    x = _spread_sample(x)
    return float(x.std(ddof=1) * (x.size * 3 / 4) ** (-1 / 5))


def _spread_sample(x):
    x = as_sample(x, "x")
    if x.size < 2 or x.std() == 0:
        raise ValueError("x must have at least 2 distinct values to set a bandwidth")
    return x


def _as_bandwidths(bandwidths):
    h = as_scale(bandwidths, "bandwidths")
    if h.ndim > 1:
        raise ValueError(f"bandwidths must be a number or a 1-D array, got shape {h.shape}")
    return np.atleast_1d(h)


def kde_loo_loglik(data, bandwidths):
    """Leave-one-out log-likelihood of a Gaussian KDE, for each bandwidth.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    data : array-like of shape (n,) or (n, n_features)
    bandwidths : float or array-like of shape (n_h,)
        Kernel standard deviations to try.

    Returns
    -------
    ndarray of shape (n_h,)
        :math:`\\sum_j \\log \\hat p_{h,-j}(x_j)`, in nats; each point is scored by the
        KDE of the other :math:`n - 1` points.

    Notes
    -----
    .. math:: \\hat p_{h,-j}(x_j) = \\frac1{n-1} \\sum_{i \\ne j} \\mathcal N(x_j; x_i, h^2 I).

    Without leaving the point out, the likelihood grows without bound as :math:`h \\to 0`
    (each point sits on its own kernel). Tied values (rounded data) have the same problem
    in a milder form: a point's twin stays in.
    """
    data = _as_points(data, "data")
    if len(data) < 2:
        raise ValueError("data must have at least 2 points to leave one out")
    h = _as_bandwidths(bandwidths)
    d2 = _sq_dist(data, data)
    np.fill_diagonal(d2, np.inf)  # leave x_j out of its own density
    return _log_kernel_sums(d2, h, data.shape[1], np.log(len(data) - 1)).sum(axis=1)


def kde_heldout_loglik(train, test, bandwidths):
    """Log-likelihood of held-out points under a KDE of the training points, per bandwidth.

    Introduced in ``05_gmm_em.ipynb``.

    Parameters
    ----------
    train : array-like of shape (n,) or (n, n_features)
    test : array-like of shape (m,) or (m, n_features)
    bandwidths : float or array-like of shape (n_h,)

    Returns
    -------
    ndarray of shape (n_h,)
        :math:`\\sum_j \\log \\hat p_h(x^{\\text{test}}_j)`, in nats.
    """
    train = _as_points(train, "train")
    test = _as_points(test, "test")
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"test has {test.shape[1]} feature(s) but train has {train.shape[1]}")
    h = _as_bandwidths(bandwidths)
    return _log_kernel_sums(_sq_dist(test, train), h, train.shape[1], np.log(len(train))).sum(1)
