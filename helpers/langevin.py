r"""Langevin samplers driven by a score function, and the diagnostics that say when they converged.

Introduced in ``06_score_langevin.ipynb``.

Convention (the notebook's "Conventions and pitfalls" box): one step is

.. math:: x \leftarrow x + \varepsilon\, s(x) + \sqrt{2\varepsilon}\, z,
          \qquad z \sim \mathcal N(0, I),

with ``step_size`` :math:`= \varepsilon`. Song and Ermon (2019) write the same step as
:math:`x + \tfrac{\alpha}{2} s(x) + \sqrt{\alpha}\, z`, so :math:`\alpha = 2\varepsilon`.
Noise scales ``sigmas`` are given in the order they are used: largest first.

Every sampler runs all chains at once: ``x0`` has shape ``(n_chains,)`` or
``(n_chains, n_features)`` and each step is a handful of array operations on all chains,
so the cost per step is that of one call of the score plus one draw of noise
(``benchmarks/bench_langevin.py`` measures it against that floor).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.fft import next_fast_len

from helpers._validation import ARRAY_CAP, as_count, as_float_array, as_scale, check_size

__all__ = [
    "annealed_langevin",
    "effective_sample_size",
    "geometric_sigmas",
    "langevin",
    "langevin_gaussian",
    "mala",
    "rhat",
    "ula_gaussian_variance",
]


def _as_start(x0):
    x0 = as_float_array(x0, "x0", allow_empty=False, allow_inf=False)
    if x0.ndim not in (1, 2):
        raise ValueError(
            f"x0 must have shape (n_chains,) or (n_chains, n_features), got {x0.shape}"
        )
    return x0.copy()


def _as_callable(fn, name):
    if not callable(fn):
        raise ValueError(f"{name} must be a function, got {type(fn).__name__}")
    return fn


def _checked(value, shape, name):
    """The output of a user function as an array, if it has the expected shape."""
    value = np.asarray(value)
    if value.shape != shape:
        raise ValueError(f"{name} must return an array of shape {shape}, got shape {value.shape}")
    return value


def langevin(score_fn: Callable, x0, *, step_size, n_steps, rng, return_path=False):
    r"""Unadjusted Langevin algorithm: many chains following the score, plus noise.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x) -> array shaped like x``: the score :math:`\nabla_x \log p(x)`.
        It receives a copy of the chains' positions (the samplers here never hand a
        user function their live state), so editing its argument changes nothing.
    x0 : array-like of shape (n_chains,) or (n_chains, n_features)
        Starting points, one per chain (finite).
    step_size : float
        :math:`\varepsilon > 0`.
    n_steps : int
        Number of steps, >= 1.
    rng : None, int or numpy.random.Generator
        Source of the noise (``np.random.default_rng(rng)``).
    return_path : bool, default False
        Also return every position, ``x0`` included.

    Returns
    -------
    x : ndarray, shaped like ``x0``
        The final positions.
    path : ndarray of shape (n_steps + 1, *x0.shape)
        Only when ``return_path`` is true: ``path[k]`` is the position after ``k`` steps.

    Notes
    -----
    .. math:: x_{k+1} = x_k + \varepsilon\, s(x_k) + \sqrt{2\varepsilon}\, z_k,\qquad
              z_k \sim \mathcal N(0, I)

    For small :math:`\varepsilon` and many steps, :math:`x_k` is distributed close to
    :math:`p`; for finite :math:`\varepsilon` it is biased (see
    :func:`ula_gaussian_variance`), and :func:`mala` removes the bias. Diverging chains
    (a step size too large for the curvature of :math:`\log p`) overflow to ``inf``;
    nothing here checks for it, so that each step stays a few array operations.

    Examples
    --------
    >>> x = langevin(lambda x: -x, [0.0, 5.0], step_size=0.1, n_steps=500, rng=0)
    >>> x.shape
    (2,)
    """
    score_fn = _as_callable(score_fn, "score_fn")
    x = _as_start(x0)
    step_size = float(as_scale(step_size, "step_size"))
    n_steps = as_count(n_steps, "n_steps")
    check_size((n_steps + 1) * x.size * return_path, "(n_steps + 1) × x0.size", cap=ARRAY_CAP)
    rng = np.random.default_rng(rng)
    path = _empty_path(n_steps, x, return_path)
    _run(score_fn, (), x, step_size, n_steps, rng, path, 0)
    return (x, path) if return_path else x


def langevin_gaussian(mu, sigma, x0, *, step_size, n_steps, rng, return_path=False):
    r"""Langevin on the Gaussian target N(mu, sigma^2), computed as one linear filter.

    Introduced in ``06_score_langevin.ipynb`` (it drives the Langevin explorer).

    Same arguments, same random draws and the same result as
    ``langevin(lambda x: (mu - x) / sigma**2, x0, ...)`` (to rounding), but for a Gaussian
    target the step is linear, :math:`y_{k+1} = a\, y_k + \sqrt{2\varepsilon}\, z_k` with
    :math:`y = x - \mu` and :math:`a = 1 - \varepsilon/\sigma^2`, so the whole path is
    computed at once by :func:`scipy.signal.lfilter` instead of a Python loop over steps.
    Chains that diverge (:math:`\varepsilon \ge 2\sigma^2`) may overflow to ``inf``.
    """
    from scipy.signal import lfilter

    mu = float(as_float_array(mu, "mu", allow_empty=False, allow_inf=False))
    sigma = float(as_scale(sigma, "sigma"))
    x = _as_start(x0)
    step_size = float(as_scale(step_size, "step_size"))
    n_steps = as_count(n_steps, "n_steps")
    check_size((n_steps + 1) * x.size, "(n_steps + 1) × x0.size", cap=ARRAY_CAP)  # every step
    rng = np.random.default_rng(rng)
    z = rng.standard_normal((n_steps, *x.shape))  # the same stream as one draw per step
    drive = np.concatenate([(x - mu)[None], np.sqrt(2 * step_size) * z])
    a = 1 - step_size / sigma**2
    with np.errstate(over="ignore", invalid="ignore"):
        path = lfilter([1.0], [1.0, -a], drive, axis=0) + mu
    return (path[-1].copy(), path) if return_path else path[-1].copy()


def _empty_path(n_steps, x, return_path):
    if not return_path:
        return None
    path = np.empty((n_steps + 1, *x.shape))
    path[0] = x
    return path


def _run(score_fn, args, x, step_size, n_steps, rng, path, start):
    """``n_steps`` Langevin steps on ``x`` in place; positions go to ``path[start + 1:]``."""
    noise_scale = np.sqrt(2 * step_size)
    z = np.empty_like(x)
    for k in range(n_steps):
        s = _checked(score_fn(x.copy(), *args), x.shape, "score_fn")  # a copy, as scipy
        rng.standard_normal(out=z)
        z *= noise_scale
        x += step_size * s
        x += z
        if path is not None:
            path[start + k + 1] = x


def geometric_sigmas(sigma_max, sigma_min, n_levels):
    r"""Noise scales from ``sigma_max`` down to ``sigma_min``, equally spaced in log.

    Introduced in ``06_score_langevin.ipynb``.

    Returns
    -------
    ndarray of shape (n_levels,)
        Strictly decreasing, ``sigmas[0] = sigma_max``, ``sigmas[-1] = sigma_min``; the
        ratio of neighbours is constant, :math:`(\sigma_{min}/\sigma_{max})^{1/(L-1)}`.

    Examples
    --------
    >>> geometric_sigmas(10.0, 0.1, 3).tolist()
    [10.0, 1.0, 0.1]
    """
    sigma_max = float(as_scale(sigma_max, "sigma_max"))
    sigma_min = float(as_scale(sigma_min, "sigma_min"))
    n_levels = as_count(n_levels, "n_levels", minimum=2)
    if not sigma_max > sigma_min:
        raise ValueError(
            f"sigma_max must be larger than sigma_min, got {sigma_max!r} <= {sigma_min!r}"
        )
    return np.geomspace(sigma_max, sigma_min, n_levels)


def _as_sigmas(sigmas):
    sigmas = as_scale(sigmas, "sigmas")
    if sigmas.ndim != 1:
        raise ValueError(f"sigmas must be a 1-D sequence of noise scales, got shape {sigmas.shape}")
    if (np.diff(sigmas) >= 0).any():
        raise ValueError(
            "sigmas must be strictly decreasing (largest first, in the order used), "
            f"got {np.array2string(sigmas, precision=3)}"
        )
    return sigmas


def annealed_langevin(
    score_fn: Callable, x0, *, sigmas, step_size, n_steps_per_level, rng, return_path=False
):
    r"""Annealed Langevin dynamics: Langevin at each noise scale in turn, largest first.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x, sigma) -> array shaped like x``: the score of the data density
        perturbed by :math:`\mathcal N(0, \sigma^2 I)` noise.
    x0 : array-like of shape (n_chains,) or (n_chains, n_features)
        Starting points.
    sigmas : array-like of shape (n_levels,)
        Noise scales, strictly decreasing, in the order they are used (see
        :func:`geometric_sigmas`).
    step_size : float
        :math:`\varepsilon > 0`, the step at the *last* (smallest) noise scale.
    n_steps_per_level : int
        Langevin steps at each noise scale.
    rng : None, int or numpy.random.Generator
    return_path : bool, default False
        Also return every position: shape ``(n_levels * n_steps_per_level + 1, *x0.shape)``.

    Returns
    -------
    x : ndarray, shaped like ``x0``
    path : ndarray, only when ``return_path`` is true.

    Notes
    -----
    At level :math:`i` the step size is

    .. math:: \varepsilon_i = \varepsilon\, \sigma_i^2 / \sigma_{L}^2 ,

    with :math:`\sigma_L` = ``sigmas[-1]``, so :math:`\varepsilon_i / \sigma_i^2` is the
    same at every level (Song and Ermon 2019, Algorithm 1, who write
    :math:`\alpha_i = 2\varepsilon_i`).
    """
    score_fn = _as_callable(score_fn, "score_fn")
    x = _as_start(x0)
    sigmas = _as_sigmas(sigmas)
    step_size = float(as_scale(step_size, "step_size"))
    n_steps_per_level = as_count(n_steps_per_level, "n_steps_per_level")
    as_count(sigmas.size * n_steps_per_level, "len(sigmas) × n_steps_per_level (the steps)")
    check_size((sigmas.size * n_steps_per_level + 1) * x.size * return_path,
               "(len(sigmas) × n_steps_per_level + 1) × x0.size", cap=ARRAY_CAP)  # fmt: skip
    rng = np.random.default_rng(rng)
    path = _empty_path(sigmas.size * n_steps_per_level, x, return_path)
    for i, sigma in enumerate(sigmas):
        step_i = step_size * (sigma / sigmas[-1]) ** 2
        _run(score_fn, (float(sigma),), x, step_i, n_steps_per_level, rng, path,
             i * n_steps_per_level)  # fmt: skip
    return (x, path) if return_path else x


def mala(
    log_prob_fn: Callable,
    score_fn: Callable,
    x0,
    *,
    step_size,
    n_steps,
    rng,
    return_path=False,
    return_acceptance=False,
):
    r"""Metropolis-adjusted Langevin algorithm: a Langevin proposal, accepted or rejected.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    log_prob_fn : callable
        ``log_prob_fn(x) -> array of shape (n_chains,)``: :math:`\log p(x)` up to a
        constant (the normalising constant cancels in the acceptance ratio).
    score_fn : callable
        ``score_fn(x) -> array shaped like x``. Both functions receive copies.
    x0, step_size, n_steps, rng, return_path
        As in :func:`langevin`.
    return_acceptance : bool, default False
        Also return the fraction of accepted proposals, per chain.

    Returns
    -------
    x : ndarray, shaped like ``x0``
    path : ndarray of shape (n_steps + 1, *x0.shape), when ``return_path``
    acceptance : ndarray of shape (n_chains,), when ``return_acceptance``

    Notes
    -----
    The proposal is one Langevin step,
    :math:`y = x + \varepsilon s(x) + \sqrt{2\varepsilon} z`, so
    :math:`\log q(y \mid x) = -\lVert y - x - \varepsilon s(x)\rVert^2 / 4\varepsilon`
    + const.
    It is accepted with probability

    .. math:: \min\Big(1,\ \frac{p(y)\, q(x \mid y)}{p(x)\, q(y \mid x)}\Big),

    which makes :math:`p` exactly stationary for every step size: the bias of the
    unadjusted algorithm is gone, at the price of rejected moves.
    """
    log_prob_fn = _as_callable(log_prob_fn, "log_prob_fn")
    score_fn = _as_callable(score_fn, "score_fn")
    x = _as_start(x0)
    step_size = float(as_scale(step_size, "step_size"))
    n_steps = as_count(n_steps, "n_steps")
    check_size((n_steps + 1) * x.size * return_path, "(n_steps + 1) × x0.size", cap=ARRAY_CAP)
    rng = np.random.default_rng(rng)
    path = _empty_path(n_steps, x, return_path)
    n_chains = x.shape[0]
    noise_scale = np.sqrt(2 * step_size)

    def log_q(to, frm, s_frm):  # log q(to | frm) up to a constant, summed over features
        r = to - frm - step_size * s_frm
        r = r * r if r.ndim == 1 else np.sum(r * r, axis=1)
        return -r / (4 * step_size)

    # The user's functions get copies (as scipy's do), and what they return is copied
    # before it is updated in place below.
    log_p = _checked(log_prob_fn(x.copy()), (n_chains,), "log_prob_fn").astype(float)
    s = _checked(score_fn(x.copy()), x.shape, "score_fn").astype(float)
    accepted = np.zeros(n_chains)
    for k in range(n_steps):
        y = x + step_size * s + noise_scale * rng.standard_normal(x.shape)
        log_p_y = _checked(log_prob_fn(y.copy()), (n_chains,), "log_prob_fn")
        s_y = _checked(score_fn(y.copy()), x.shape, "score_fn")
        log_alpha = log_p_y - log_p + log_q(x, y, s_y) - log_q(y, x, s)
        accept = np.log(rng.random(n_chains)) < log_alpha
        x[accept], s[accept], log_p[accept] = y[accept], s_y[accept], log_p_y[accept]
        accepted += accept
        if path is not None:
            path[k + 1] = x
    out = [x]
    if return_path:
        out.append(path)
    if return_acceptance:
        out.append(accepted / n_steps)
    return out[0] if len(out) == 1 else tuple(out)


def ula_gaussian_variance(sigma, step_size):
    r"""Stationary variance of unadjusted Langevin (ULA) on the Gaussian N(mu, sigma^2).

    Introduced in ``06_score_langevin.ipynb``.

    Returns
    -------
    float or ndarray
        :math:`\sigma^2 / (1 - \varepsilon / (2\sigma^2))` for
        :math:`\varepsilon < 2\sigma^2`; ``inf`` from :math:`\varepsilon = 2\sigma^2` on,
        where the chain has no stationary distribution (it diverges).

    Notes
    -----
    With :math:`y = x - \mu` one step is the AR(1) recursion
    :math:`y' = a\, y + \sqrt{2\varepsilon}\, z`, :math:`a = 1 - \varepsilon/\sigma^2`.
    A stationary variance :math:`v` solves :math:`v = a^2 v + 2\varepsilon`, so
    :math:`v = 2\varepsilon / (1 - a^2)`, which exists iff :math:`|a| < 1`, i.e.
    :math:`0 < \varepsilon < 2\sigma^2`, and simplifies to the formula above.

    Examples
    --------
    >>> ula_gaussian_variance(1.0, 0.5)
    1.3333333333333333
    """
    sigma = as_scale(sigma, "sigma")
    step_size = as_scale(step_size, "step_size")
    ratio = step_size / (2 * sigma**2)
    with np.errstate(divide="ignore"):
        out = np.where(ratio < 1, sigma**2 / np.where(ratio < 1, 1 - ratio, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


def _as_draws(draws, name="draws"):
    draws = as_float_array(draws, name, allow_empty=False, allow_inf=False)
    if draws.ndim != 2 or draws.shape[0] < 4:
        raise ValueError(
            f"{name} must have shape (n_draws, n_chains) with n_draws >= 4, got {draws.shape}"
        )
    half = draws.shape[0] // 2  # split each chain in two halves: a drifting chain disagrees
    return np.concatenate([draws[:half], draws[-half:]], axis=1)  # with itself


def rhat(draws):
    r"""Split :math:`\hat R` (Gelman-Rubin): do the chains agree with each other?

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    draws : array-like of shape (n_draws, n_chains)
        The draws of one scalar quantity, one column per chain (``path[burn_in:]`` of a
        1-D sampler). Each chain is split into two halves first.

    Returns
    -------
    float
        About 1 when every (half-)chain explores the same distribution; values above
        about 1.01 say "not converged yet" (Vehtari et al. 2021).

    Notes
    -----
    With :math:`m` half-chains of length :math:`n`, :math:`W` the mean of their
    variances and :math:`B/n` the variance of their means (both with ``ddof=1``),

    .. math:: \hat R = \sqrt{\frac{\tfrac{n-1}{n} W + \tfrac1n B}{W}} .

    This is the split-:math:`\hat R` of BDA3 (Gelman et al. 2013, eq. 11.4), without
    the rank normalisation of Vehtari et al. (2021).
    """
    split = _as_draws(draws)
    n = split.shape[0]
    within = split.var(axis=0, ddof=1).mean()
    between_over_n = split.mean(axis=0).var(ddof=1)
    if within == 0:
        return 1.0 if between_over_n == 0 else float("inf")
    var_plus = (n - 1) / n * within + between_over_n
    return float(np.sqrt(var_plus / within))


def effective_sample_size(draws):
    r"""Effective sample size of correlated draws from several chains.

    Introduced in ``06_score_langevin.ipynb``.

    Parameters
    ----------
    draws : array-like of shape (n_draws, n_chains)
        As for :func:`rhat` (the chains are split in halves here too).

    Returns
    -------
    float
        The number of independent draws that would estimate the mean as precisely:
        about ``n_draws * n_chains`` for independent draws, far fewer for a chain
        that moves slowly.

    Notes
    -----
    .. math:: \mathrm{ESS} = \frac{m n}{1 + 2\sum_{t \ge 1} \hat\rho_t}

    with the autocorrelations :math:`\hat\rho_t` combined across chains as in BDA3
    (eq. 11.7) and the sum truncated by Geyer's initial monotone sequence (pairs of
    autocorrelations summed while positive, and made non-increasing). The
    autocovariances are computed with the FFT.
    """
    split = _as_draws(draws)
    n, m = split.shape
    centred = split - split.mean(axis=0)
    size = next_fast_len(2 * n - 1, real=True)  # zero padding: a linear, not circular, correlation
    spectrum = np.fft.rfft(np.ascontiguousarray(centred.T), n=size, axis=1)  # chains in rows
    power = spectrum.real**2 + spectrum.imag**2
    # The mean over chains of their autocovariances: average the spectra, one inverse FFT.
    acov_mean = np.fft.irfft(power.mean(axis=0), n=size)[:n] / n
    within = split.var(axis=0, ddof=1).mean()
    if within == 0:
        return float(n * m)
    var_plus = (n - 1) / n * within + split.mean(axis=0).var(ddof=1)
    rho = 1 - (within - acov_mean) / var_plus
    rho[0] = 1.0
    n_pairs = n // 2
    pairs = rho[: 2 * n_pairs].reshape(n_pairs, 2).sum(axis=1)
    negative = np.flatnonzero(pairs <= 0)
    pairs = pairs[: negative[0] if negative.size else n_pairs]
    pairs = np.minimum.accumulate(pairs)  # initial monotone sequence
    tau = -1.0 + 2.0 * pairs.sum()
    return float(n * m / max(tau, 1.0 / np.log10(n * m)))
