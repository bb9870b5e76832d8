"""Bayes for a coin: the Bernoulli likelihood, a Gaussian or a Beta prior, the posterior.

Introduced in ``04_map_coin.ipynb``.

The data are tosses coded ``1`` = heads, ``0`` = tails; everything here depends on them
only through the number of heads ``h`` and the number of tosses ``n`` (sufficient
statistics). Two priors on the bias :math:`\\theta = P(\\text{heads})`:

* a Gaussian with mean ``prior_mean`` and **standard deviation** ``prior_sd`` (never the
  variance), restricted to :math:`(0, 1)`: :func:`coin_map` finds the posterior mode;
* a Beta(a, b), conjugate to the Bernoulli likelihood: :func:`beta_posterior` gives the
  posterior Beta(a + h, b + n - h) in closed form, :func:`predictive_heads` the probability
  that the next toss is heads (the posterior *mean*), :func:`beta_mode` the posterior
  *mode* (the MAP), which is a different number, :func:`beta_interval` an equal-tailed
  credible interval.

:func:`grid_posterior` computes any posterior on a grid in log space, normalised with
``scipy.special.logsumexp``: the brute-force reference the closed forms are checked against.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv, logsumexp, xlog1py, xlogy

from helpers._validation import as_float_array, as_location, as_probability, as_scale

__all__ = [
    "beta_interval",
    "beta_mode",
    "beta_posterior",
    "coin_loglik",
    "coin_map",
    "grid_posterior",
    "predictive_heads",
]


def _counts(tosses, name: str = "tosses") -> tuple[int, int]:
    """``(n_heads, n_tosses)`` of a 1-D sequence of 0s and 1s; an empty sequence is valid."""
    if isinstance(tosses, str | bytes):
        raise ValueError(f"{name} must be a sequence of 0s and 1s (1 = heads), got {tosses!r}")
    try:
        arr = np.asarray(tosses)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise ValueError(f"{name} must be a 1-D sequence of 0s and 1s, got {tosses!r}") from exc
    if arr.size == 0 and arr.ndim == 1:
        return 0, 0
    if arr.dtype.kind not in "biuf":  # text, None, objects: True mixed with "a" becomes text
        raise ValueError(
            f"{name} must contain only the numbers 0 (tails) and 1 (heads), "
            f"got values of type {arr.dtype}"
        )
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (n_tosses,), got an array of shape {arr.shape}")
    arr = arr.astype(float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; every toss must be 0 (tails) or 1 (heads)")
    bad = arr[(arr != 0) & (arr != 1)]
    if bad.size:
        raise ValueError(f"{name} must contain only 0 (tails) and 1 (heads), got {float(bad[0]):g}")
    return int(arr.sum()), int(arr.size)


def _as_open_unit(value, name: str):
    """A finite number strictly inside (0, 1), such as a prior mean for a coin's bias."""
    arr = as_location(value, name)
    outside = (arr <= 0) | (arr >= 1)
    if outside.any():
        raise ValueError(
            f"{name} must be strictly between 0 and 1, got {float(arr[outside].flat[0])!r}"
        )
    return arr


def _scalar(arr):
    """A Python float for 0-d results, the array otherwise."""
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def coin_loglik(theta, tosses):
    r"""Bernoulli log-likelihood of the bias ``theta`` given the ``tosses``.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    theta : float or array-like, values in [0, 1]
        Probability of heads; any shape (vectorized over a grid of values).
    tosses : array-like of shape (n_tosses,)
        0 = tails, 1 = heads. May be empty (the log-likelihood is then 0).

    Returns
    -------
    float or ndarray
        :math:`\ell(\theta)`, with the shape of ``theta``. ``-inf`` where the data are
        impossible (``theta = 0`` after a head, ``theta = 1`` after a tail).

    Notes
    -----
    With :math:`h` heads in :math:`n` tosses,

    .. math:: \ell(\theta) = h \log\theta + (n - h)\log(1 - \theta),

    with the convention :math:`0 \log 0 = 0` (``scipy.special.xlogy``, ``xlog1py``).
    The maximum is at :math:`\hat\theta_{\rm MLE} = h / n`.

    Examples
    --------
    >>> round(coin_loglik(3 / 7, [0, 0, 1, 1, 0, 0, 1]), 4)
    -4.7804
    """
    h, n = _counts(tosses)
    theta = as_probability(theta, "theta")
    with np.errstate(divide="ignore"):
        return _scalar(xlogy(h, theta) + xlog1py(n - h, -theta))


def coin_map(tosses, *, prior_mean, prior_sd):
    r"""Posterior mode (MAP) of a coin's bias under a Gaussian prior restricted to (0, 1).

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    tosses : array-like of shape (n_tosses,)
        0 = tails, 1 = heads. May be empty: the MAP is then the prior mode, ``prior_mean``.
    prior_mean : float or array-like, strictly between 0 and 1
        Mean of the Gaussian prior.
    prior_sd : float or array-like, > 0
        **Standard deviation** of the Gaussian prior (not the variance: for a prior
        written :math:`\mathcal N(0.5, 0.1)` with 0.1 meaning the variance, pass
        ``prior_sd=np.sqrt(0.1)``). Broadcast against ``prior_mean``.

    Returns
    -------
    float or ndarray
        :math:`\hat\theta_{\rm MAP}` in [0, 1], with the broadcast shape of ``prior_mean``
        and ``prior_sd``. It is 0 (or 1) only when every toss is a tail (a head) and the
        prior is too weak to pull the mode inside.

    Raises
    ------
    ValueError
        If a toss is not 0 or 1, ``prior_sd <= 0``, or ``prior_mean`` is outside (0, 1).

    Notes
    -----
    With :math:`h` heads in :math:`n` tosses, mean :math:`m` and standard deviation
    :math:`s`, the log-posterior is, up to a constant,

    .. math:: h \log\theta + (n - h)\log(1 - \theta) - \frac{(\theta - m)^2}{2 s^2}.

    Restricting (truncating) the prior to (0, 1) divides it by a constant, so it moves
    the normalisation but not the mode. The log-posterior is strictly concave on (0, 1);
    multiplying its derivative by :math:`s^2\theta(1-\theta) > 0` gives the stationarity
    condition, a cubic with exactly one root in (0, 1) when :math:`0 < h < n`:

    .. math:: P(\theta) = \theta^3 - (1 + m)\theta^2 + (m - n s^2)\theta + h s^2 = 0.

    :math:`P(0) = h s^2 \ge 0` and :math:`P(1) = -(n - h)s^2 \le 0`, so vectorized
    bisection on the sign of :math:`P` over [0, 1] finds the root to machine precision
    (64 halvings) without a Python loop over priors.

    Examples
    --------
    >>> round(coin_map([0, 0, 1, 1, 0, 0, 1], prior_mean=0.5, prior_sd=0.1), 4)
    0.4844
    """
    h, n = _counts(tosses)
    m = _as_open_unit(prior_mean, "prior_mean")
    s = as_scale(prior_sd, "prior_sd")
    m, s = np.broadcast_arrays(m, s)
    v = s**2

    def cubic(t):
        return ((t - (1 + m)) * t + (m - n * v)) * t + h * v

    lo, hi = np.zeros(m.shape), np.ones(m.shape)
    for _ in range(64):  # halvings of [0, 1], all priors at once
        mid = 0.5 * (lo + hi)
        up = cubic(mid) > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    theta = 0.5 * (lo + hi)
    # At a boundary the bisection ends within 1e-19 of it; say 0 or 1 exactly there.
    theta = np.where((h == 0) & (m - n * v <= 0), 0.0, theta)  # slope at 0 is <= 0
    theta = np.where((h == n) & (n - (1 - m) / v >= 0), 1.0, theta)  # slope at 1 is >= 0
    return _scalar(theta)


def beta_posterior(tosses, a=1.0, b=1.0):
    r"""Parameters of the Beta posterior of a coin's bias under a Beta(a, b) prior.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    tosses : array-like of shape (n_tosses,)
        0 = tails, 1 = heads. May be empty: the posterior is then the prior.
    a, b : float or array-like, > 0, default 1.0
        Prior parameters (pseudo-counts of heads and tails); ``a = b = 1`` is the uniform prior.

    Returns
    -------
    (a_post, b_post) : tuple of float (or ndarray if ``a`` or ``b`` is an array)
        :math:`(a + h,\; b + n - h)`.

    Notes
    -----
    Conjugacy: prior :math:`\propto \theta^{a-1}(1-\theta)^{b-1}` times likelihood
    :math:`\theta^h(1-\theta)^{n-h}` is :math:`\theta^{a+h-1}(1-\theta)^{b+n-h-1}`,
    a Beta(a + h, b + n - h) once normalised.

    Examples
    --------
    >>> beta_posterior([0, 0, 1, 1, 0, 0, 1])
    (4.0, 5.0)
    """
    h, n = _counts(tosses)
    a, b = as_scale(a, "a"), as_scale(b, "b")
    return _scalar(a + h), _scalar(b + (n - h))


def predictive_heads(tosses, a=1.0, b=1.0):
    r"""Posterior predictive probability that the next toss is heads, Beta(a, b) prior.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    tosses : array-like of shape (n_tosses,)
        0 = tails, 1 = heads. May be empty: the answer is then the prior mean a / (a + b).
    a, b : float or array-like, > 0, default 1.0
        Prior parameters; ``a = b = 1`` (uniform) gives Laplace's rule of succession.

    Returns
    -------
    float (or ndarray if ``a`` or ``b`` is an array)
        :math:`P(x_{n+1} = 1 \mid D) = (h + a) / (n + a + b)`.

    Notes
    -----
    Averaging the chance of heads over the posterior gives the posterior **mean**:

    .. math:: P(x_{n+1} = 1 \mid D) = \int_0^1 \theta\, p(\theta \mid D)\, d\theta
              = \frac{h + a}{n + a + b},

    not the posterior mode (the MAP) :math:`(h + a - 1)/(n + a + b - 2)`.

    Examples
    --------
    >>> predictive_heads([0, 0, 1, 1, 0, 0, 1])  # 4/9
    0.4444444444444444
    """
    h, n = _counts(tosses)
    a, b = as_scale(a, "a"), as_scale(b, "b")
    return _scalar((h + a) / (n + a + b))


def beta_mode(a, b):
    r"""Mode of the Beta(a, b) density: the MAP when it is a posterior.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    a, b : float or array-like, > 0
        Beta parameters; broadcast together.

    Returns
    -------
    float or ndarray
        :math:`(a - 1)/(a + b - 2)` when :math:`a > 1` and :math:`b > 1`; 0 when
        :math:`a \le 1 < b` or :math:`a < 1 \le b` (the density is largest at 0), 1 in
        the mirror case; NaN when there is no single mode (:math:`a, b \le 1`: flat or
        U-shaped). Never warns.

    Notes
    -----
    Setting the derivative of :math:`(a-1)\log\theta + (b-1)\log(1-\theta)` to zero gives
    :math:`\theta = (a-1)/(a+b-2)`. For a posterior Beta(a + h, b + n - h) this is
    :math:`(h + a - 1)/(n + a + b - 2)`: the MLE :math:`h/n` when :math:`a = b = 1`.
    """
    a, b = np.broadcast_arrays(as_scale(a, "a"), as_scale(b, "b"))
    inside = (a > 1) & (b > 1)
    mode = np.divide(a - 1, a + b - 2, out=np.full(a.shape, np.nan), where=inside)
    mode = np.where(~inside & (b > 1) & (a <= 1) | (a < 1) & (b == 1), 0.0, mode)
    mode = np.where(~inside & (a > 1) & (b <= 1) | (b < 1) & (a == 1), 1.0, mode)
    return _scalar(mode)


def beta_interval(a, b, level=0.95):
    r"""Equal-tailed credible interval of Beta(a, b): the central ``level`` of its mass.

    Introduced in ``04_map_coin.ipynb``.

    Parameters
    ----------
    a, b : float or array-like, > 0
        Beta parameters; broadcast together (vectorized: one interval per pair).
    level : float, default 0.95
        Probability inside the interval, strictly between 0 and 1.

    Returns
    -------
    (low, high) : tuple of float or ndarray
        The :math:`(1-\text{level})/2` and :math:`(1+\text{level})/2` quantiles, as
        ``scipy.stats.beta.interval`` gives them.

    Notes
    -----
    :math:`P(\text{low} \le \theta \le \text{high}) = \text{level}` under Beta(a, b); the
    quantiles invert the regularised incomplete beta function (``scipy.special.betaincinv``).
    For a posterior after :math:`n` tosses the width shrinks like :math:`1/\sqrt n`:
    about :math:`2 \times 1.96\sqrt{\theta(1-\theta)/n}` once the posterior is near Gaussian.
    """
    a, b = np.broadcast_arrays(as_scale(a, "a"), as_scale(b, "b"))
    level = float(_as_open_unit(level, "level"))
    tail = (1 - level) / 2
    return _scalar(betaincinv(a, b, tail)), _scalar(betaincinv(a, b, 1 - tail))


def grid_posterior(theta, tosses, log_prior):
    r"""The posterior density of a coin's bias on an even grid, computed in log space.

    Introduced in ``04_map_coin.ipynb``. A brute-force reference for any prior.

    Parameters
    ----------
    theta : array-like of shape (n_grid,)
        Evenly spaced points in [0, 1], increasing (e.g. the midpoints of equal cells).
    tosses : array-like of shape (n_tosses,)
        0 = tails, 1 = heads. May be empty.
    log_prior : array-like of shape (n_grid,)
        Log prior density at ``theta``, up to a constant (``-inf`` where it is 0).

    Returns
    -------
    ndarray of shape (n_grid,)
        Posterior density at ``theta``, normalised so that ``density.sum() * dtheta == 1``.

    Notes
    -----
    .. math:: \log p(\theta_j \mid D) = \ell(\theta_j) + \log p(\theta_j)
              - \operatorname{logsumexp}_k\big(\ell(\theta_k) + \log p(\theta_k)\big)
              - \log\Delta\theta .

    Subtracting the logsumexp before exponentiating keeps every step finite however
    many tosses there are. The likelihood itself underflows: its peak is
    :math:`e^{-n H}`, with :math:`H` the entropy of :math:`h/n` in nats (at most
    :math:`\log 2`), and float64 stops near :math:`e^{-745}`, so the whole likelihood is
    0 after about 1,075 tosses when :math:`h/n = 1/2`, later for lopsided data (about
    1,220 at :math:`h/n = 0.3`).
    """
    theta = as_probability(theta, "theta")
    if theta.ndim != 1 or theta.size < 2:
        raise ValueError(f"theta must have shape (n_grid,) with n_grid >= 2, got {theta.shape}")
    step = np.diff(theta)
    if (step <= 0).any() or not np.allclose(step, step[0], rtol=1e-6, atol=0):
        raise ValueError("theta must be evenly spaced and increasing")
    log_prior = as_float_array(log_prior, "log_prior")
    if log_prior.shape != theta.shape:
        raise ValueError(
            f"log_prior must have the shape of theta {theta.shape}, got {log_prior.shape}"
        )
    if (log_prior == np.inf).any():
        raise ValueError("log_prior contains +inf; every log prior value must be < inf")
    log_post = np.asarray(coin_loglik(theta, tosses)) + log_prior
    if np.isneginf(log_post).all():
        raise ValueError("log_prior is -inf wherever the tosses are possible: no posterior")
    return np.exp(log_post - logsumexp(log_post) - np.log(step[0]))
