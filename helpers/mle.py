"""Closed-form maximum-likelihood estimates: Gaussian, linear regression, multivariate Gaussian.

Introduced in ``02_closed_form_mle.ipynb``.

Each estimator returns the parameters that maximise the log-likelihood of the data, by the
formula the notebook derives (log-likelihood, derivative, zero). The variance estimates
divide by ``n``, not ``n - 1``: that is what maximum likelihood gives (``np.var``'s
default ``ddof=0``, ``np.cov(..., bias=True)``). Names follow scipy and scikit-learn:
``X`` has shape ``(n_samples, n_features)``; ``_hat`` marks an estimate; ``reg_covar`` is
scikit-learn's name for the ridge added to a covariance's diagonal.

The tests compare every estimate with a numpy or scipy reference (``np.polyfit``,
``np.cov``, ``scipy.stats.norm.fit``, ``scipy.stats.laplace.fit``) and with a numerical
maximisation of the log-likelihood (``scipy.optimize``).
"""

from __future__ import annotations

import numpy as np

from helpers._validation import as_count, as_float_array, as_sample, as_scale, check_size

__all__ = [
    "gaussian_mean_var_mle",
    "laplace_loc_scale_mle",
    "linear_regression_mle",
    "mvn_mle",
    "variance_estimates",
]


def _check_spread(x, what):
    """Refuse a sample whose spread MLE is 0 (one point, or all equal): no maximum exists."""
    if x.size < 2:
        raise ValueError(
            f"x has a single point: its {what} MLE is 0 and the likelihood grows without bound "
            f"as the {what} shrinks onto it (no maximum). A fit needs at least 2 distinct values"
        )
    if np.all(x == x[0]):
        raise ValueError(
            f"x has no spread (all {x.size} values are {x[0]:g}): its {what} MLE is 0 and the "
            "likelihood is unbounded. A fit needs at least 2 distinct values"
        )


def gaussian_mean_var_mle(x):
    r"""Maximum-likelihood mean and variance of a 1-D Gaussian sample.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The sample (non-empty, finite).

    Returns
    -------
    mu_hat : float
        The sample mean.
    var_hat : float
        The mean squared deviation from ``mu_hat``, dividing by ``n`` (``np.var(x)``,
        ``ddof=0``). It is the **variance**, not the standard deviation (the name says
        so: mean and variance; :func:`laplace_loc_scale_mle` returns a scale).

    Raises
    ------
    ValueError
        If ``x`` is empty, not 1-D or not finite; or if it has a single point or no spread
        (every value the same), like :func:`mvn_mle` with ``n_samples <= n_features``: the
        variance MLE would be 0, and the likelihood has no maximum (it grows without bound
        as the variance shrinks onto the points).

    Notes
    -----
    Setting the derivatives of
    :math:`\ell(\mu, \sigma^2) = -\frac n2\log(2\pi\sigma^2) - \frac{1}{2\sigma^2}\sum_i(x_i-\mu)^2`
    to zero gives

    .. math:: \hat\mu = \frac1n\sum_i x_i, \qquad
              \hat\sigma^2 = \frac1n\sum_i (x_i-\hat\mu)^2 .

    Its expectation is :math:`\frac{n-1}{n}\sigma^2`: biased low, because :math:`\hat\mu`
    is fitted to the same points. Dividing by :math:`n-1` (``ddof=1``) removes the bias but
    is not the maximiser.

    Examples
    --------
    >>> gaussian_mean_var_mle([1.0, 2.0, 6.0])
    (3.0, 4.666666666666667)
    """
    x = as_sample(x, "x")
    _check_spread(x, "variance")
    mu_hat = x.mean()
    var_hat = np.mean((x - mu_hat) ** 2)
    return float(mu_hat), float(var_hat)


def laplace_loc_scale_mle(x):
    r"""Maximum-likelihood location and scale of a Laplace (double-exponential) sample.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The sample (non-empty, finite).

    Returns
    -------
    loc_hat : float
        The sample median (``np.median``; for even ``n`` the midpoint of the two middle
        values, one of the maximisers).
    scale_hat : float
        The mean absolute deviation from ``loc_hat``, :math:`\frac1n\sum_i|x_i-\hat m|`:
        a **scale** ``b`` (scipy's ``scale``), not a variance (the variance is ``2 b**2``).

    Raises
    ------
    ValueError
        If ``x`` is empty, not 1-D or not finite; or if it has a single point or no spread:
        the scale MLE would be 0 and the likelihood unbounded.

    Notes
    -----
    With :math:`p(x\mid m, b) = \frac{1}{2b}e^{-|x-m|/b}`, the log-likelihood is
    :math:`-n\log(2b) - \frac1b\sum_i|x_i-m|`. Maximising over :math:`m` minimises the sum
    of absolute deviations, whose slope :math:`-\sum_i\operatorname{sign}(x_i-m)` is zero
    where as many points lie above :math:`m` as below: the median. Then
    :math:`\partial_b\ell = 0` gives :math:`\hat b = \frac1n\sum_i|x_i-\hat m|`. A single
    outlier moves the median by at most one rank, however far away it is; it moves the
    mean (the Gaussian MLE) by :math:`1/n` of its distance.

    Examples
    --------
    >>> laplace_loc_scale_mle([1.0, 2.0, 6.0])
    (2.0, 1.6666666666666667)
    """
    x = as_sample(x, "x")
    _check_spread(x, "scale")
    loc_hat = np.median(x)
    scale_hat = np.mean(np.abs(x - loc_hat))
    return float(loc_hat), float(scale_hat)


def linear_regression_mle(x, y):
    r"""Maximum-likelihood line :math:`y = a x + b + \varepsilon` with Gaussian noise.

    The noise :math:`\varepsilon \sim \mathcal N(0, \sigma^2)` is independent across points.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The inputs; at least two distinct values.
    y : array-like of shape (n_samples,)
        The outputs, one per input.

    Returns
    -------
    slope : float
        :math:`\hat a`.
    intercept : float
        :math:`\hat b`.
    var_hat : float
        The noise variance :math:`\hat\sigma^2`: the mean squared residual at
        :math:`(\hat a, \hat b)`, dividing by ``n`` (not ``n - 2``).

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is empty, contains NaN or inf, is not 1-D, if their lengths
        differ, or if every ``x`` is the same (the slope is then not determined).

    Notes
    -----
    The log-likelihood is
    :math:`\ell = -\frac n2\log(2\pi\sigma^2) - \frac{1}{2\sigma^2}\sum_i (y_i - a x_i - b)^2`,
    so for any :math:`\sigma` maximising it over :math:`(a, b)` is **least squares**:

    .. math:: \hat a = \frac{\sum_i (x_i-\bar x)(y_i-\bar y)}{\sum_i (x_i-\bar x)^2}, \qquad
              \hat b = \bar y - \hat a\,\bar x, \qquad
              \hat\sigma^2 = \frac1n\sum_i (y_i - \hat a x_i - \hat b)^2 .

    Examples
    --------
    >>> linear_regression_mle([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    (2.0, 1.0, 0.0)
    """
    x = as_sample(x, "x")
    y = as_sample(y, "y")
    if x.size != y.size:
        raise ValueError(
            f"x and y must have the same length (one y per x), got {x.size} x values "
            f"and {y.size} y values"
        )
    dx = x - x.mean()
    sxx = np.dot(dx, dx)
    if sxx == 0:
        raise ValueError(
            f"x has no spread (every value is {x[0]:g}): the slope is not determined; "
            "a regression needs at least two distinct x values"
        )
    slope = np.dot(dx, y - y.mean()) / sxx
    intercept = y.mean() - slope * x.mean()
    residuals = y - (slope * x + intercept)
    var_hat = np.mean(residuals**2)
    return float(slope), float(intercept), float(var_hat)


def mvn_mle(X, *, reg_covar=0.0):
    r"""Maximum-likelihood mean and covariance of a multivariate Gaussian sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        One row per observation (non-empty, finite).
    reg_covar : float, default 0.0
        A ridge added to the diagonal of the covariance (scikit-learn's name), >= 0.
        With ``reg_covar > 0`` the result is positive definite whatever ``X`` is.

    Returns
    -------
    mean : ndarray of shape (n_features,)
        The sample mean.
    cov : ndarray of shape (n_features, n_features)
        :math:`\frac1n\sum_i (x_i-\bar x)(x_i-\bar x)^\top` (``np.cov(X.T, bias=True)``),
        plus ``reg_covar`` on the diagonal.

    Raises
    ------
    ValueError
        If ``X`` is not a finite 2-D array; or, with ``reg_covar = 0``, if the covariance
        is singular: when ``n_samples <= n_features`` (the centred rows span at most
        ``n - 1`` dimensions), or when a feature is constant or a linear combination of
        others. The message says to pass ``reg_covar > 0`` or collect more data. The
        test is made on the *correlation* matrix (each feature in its own unit): its
        smallest eigenvalue within rounding (:math:`d\sqrt n\,\epsilon` times the
        largest) of 0. Features on very different scales (a spread of 1e5 beside one of
        1e-3) are therefore fine, as in ``scipy.stats.multivariate_normal.fit``.

    Notes
    -----
    .. math:: \hat\mu = \frac1n\sum_i x_i, \qquad
              \hat\Sigma = \frac1n\sum_i (x_i-\hat\mu)(x_i-\hat\mu)^\top .

    When :math:`\hat\Sigma` is singular the log-likelihood has no maximum: shrinking the
    Gaussian towards the flat subspace the data lie in sends it to :math:`+\infty`. A
    ridge :math:`\hat\Sigma + \lambda I` keeps every eigenvalue at least :math:`\lambda`.

    Examples
    --------
    >>> mean, cov = mvn_mle([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    >>> mean.tolist()
    [0.6666666666666666, 0.6666666666666666]
    """
    X = as_sample(X, "X", ndim=2)
    reg = float(as_float_array(reg_covar, "reg_covar", allow_empty=False, allow_inf=False))
    if reg < 0:
        raise ValueError(f"reg_covar must be >= 0, got {reg!r}")
    n, d = X.shape
    mean = X.mean(axis=0)
    centred = X - mean
    cov = centred.T @ centred / n
    if reg == 0:
        if n <= d:
            raise ValueError(
                f"X has n_samples = {n} <= n_features = {d}: the covariance MLE is singular "
                f"(its rank is at most n - 1 = {n - 1} < {d}) and the likelihood is unbounded. "
                "Collect more samples than features, or pass reg_covar > 0 (e.g. 1e-6) to add "
                "a ridge to the diagonal"
            )
        # Judge singularity on the correlation matrix: in each feature's own unit, so a
        # feature measured in 1e5s beside one in 1e-3s is not mistaken for a redundant one.
        spread = np.sqrt(np.diag(cov))
        if (spread == 0).any():
            eigenvalues = np.zeros(1)
        else:
            eigenvalues = np.linalg.eigvalsh(cov / np.outer(spread, spread))
        if eigenvalues[0] <= d * np.sqrt(n) * np.finfo(float).eps * eigenvalues[-1]:
            raise ValueError(
                "X gives a singular covariance (a column of X is constant or a linear "
                "combination of the others), so the likelihood is unbounded; drop that "
                "column, or pass reg_covar > 0 (e.g. 1e-6) to add a ridge to the diagonal"
            )
    cov[np.diag_indices(d)] += reg
    return mean, cov


def variance_estimates(n, *, n_repeats=10_000, sigma=1.0, rng=None, average=False):
    r"""Three variance estimates on each of many Gaussian samples, for one or many sizes ``n``.

    Draws ``n_repeats`` independent samples from :math:`\mathcal N(0, \sigma^2)` (one
    array, no loop) and returns, for each sample, the estimates a student meets. For
    several sizes, the sample of size ``n`` is the first ``n`` points of the sample of the
    largest size: growing ``n`` adds points to the same samples rather than drawing new ones.

    Parameters
    ----------
    n : int or array-like of int
        Points per sample, each >= 1. For ``n = 1`` the ``ddof=1`` estimate is ``nan``
        (it divides 0 by 0).
    n_repeats : int, default 10_000
        How many samples.
    sigma : float, default 1.0
        The true standard deviation (> 0); the true variance is ``sigma**2``.
    rng : None, int or numpy.random.Generator
        Randomness, via ``np.random.default_rng(rng)``.
    average : bool, default False
        Return only each estimate's average over the samples (shape ``()`` or ``(len(n),)``),
        computed from the same draws without forming every sample's estimates: about half
        the work, for explorers that redraw on every seed.

    Returns
    -------
    dict of str to ndarray of shape (n_repeats,), or (len(n), n_repeats) for several sizes
        ``"mle"``: :math:`\frac1n\sum_i (x_i-\bar x)^2` (``ddof=0``, the MLE);
        ``"ddof1"``: :math:`\frac1{n-1}\sum_i (x_i-\bar x)^2`;
        ``"true_mu"``: :math:`\frac1n\sum_i (x_i-\mu)^2` with the true :math:`\mu = 0`
        (unbiased, but not computable from real data, since it needs :math:`\mu`).

    Notes
    -----
    :math:`\mathbb E[\text{mle}] = \frac{n-1}{n}\sigma^2` and
    :math:`\mathbb E[\text{ddof1}] = \mathbb E[\text{true\_mu}] = \sigma^2`. All sizes come
    from running sums, :math:`\sum_i (x_i-\bar x)^2 = \sum_i x_i^2 - (\sum_i x_i)^2/n`, which
    is accurate here because the true mean is 0.

    Examples
    --------
    >>> est = variance_estimates(5, n_repeats=100_000, rng=0)
    >>> round(float(est["mle"].mean()), 2), round(float(est["ddof1"].mean()), 2)
    (0.8, 1.0)
    """
    sizes = as_float_array(n, "n", allow_empty=False, allow_inf=False)
    if sizes.ndim > 1 or (sizes != np.round(sizes)).any() or (sizes < 1).any():
        raise ValueError(f"n must be a whole number >= 1 (or a 1-D array of them), got {n!r}")
    sizes = np.array([as_count(k, "n") for k in sizes.ravel()]).reshape(sizes.shape)  # capped
    n_repeats = as_count(n_repeats, "n_repeats")
    check_size(int(sizes.max()) * n_repeats, "max(n) × n_repeats")
    sigma = float(as_scale(sigma, "sigma"))
    x = np.random.default_rng(rng).normal(0.0, sigma, size=(int(sizes.max()), n_repeats))
    if average:
        # the averages of s2 and of s1^2 / k over the samples are all the averages need
        sizes = np.atleast_1d(sizes)
        s1 = np.cumsum(x, axis=0)[sizes - 1]
        k = sizes.astype(float)
        mean_s2 = np.cumsum(np.mean(x**2, axis=1))[sizes - 1]
        mean_ss = mean_s2 - np.mean(s1**2, axis=1) / k
        with np.errstate(invalid="ignore", divide="ignore"):
            ddof1 = np.where(k > 1, mean_ss / np.maximum(k - 1, 1), np.nan)
        out = {"mle": mean_ss / k, "ddof1": ddof1, "true_mu": mean_s2 / k}
        return {key: value[0] for key, value in out.items()} if np.ndim(n) == 0 else out
    s1 = np.cumsum(x, axis=0)[sizes - 1]
    s2 = np.cumsum(x**2, axis=0)[sizes - 1]
    k = sizes.reshape(-1, 1).astype(float)
    ss = np.maximum(s2 - s1**2 / k, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ddof1 = np.where(k > 1, ss / np.maximum(k - 1, 1), np.nan)
    out = {"mle": ss / k, "ddof1": ddof1, "true_mu": s2 / k}
    return {key: value[0] for key, value in out.items()} if np.ndim(n) == 0 else out
