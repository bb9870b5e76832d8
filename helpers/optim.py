"""First-order optimisers written from their update equations, for maximising a log-likelihood.

Introduced in ``03_gradient_mle.ipynb``.

Every function here climbs: it *maximises* an objective given its gradient ``grad_fn``
(gradient **ascent** on the log-likelihood :math:`\\ell`). Deep-learning libraries
*minimise* the loss :math:`-\\ell`; the iterates are identical, only the sign of the
gradient you pass differs.

Each returns a :class:`scipy.optimize.OptimizeResult` with

* ``x``: the final iterate, shape ``(d,)``;
* ``path``: every iterate, shape ``(nit + 1, d)``, starting with ``theta0``;
* ``nit``: the number of steps taken;
* ``success``: ``False`` when the iterates blew up, with ``message`` naming the step
  ("diverged at step 7: ..."), ``True`` otherwise;
* ``diverged_at``: that step, or ``None``.

A run is stopped as diverged at the first step whose gradient or iterate is not
finite, or whose iterate is farther than ``max_norm`` from the start ``theta0`` (a
distance from the start, so that a problem whose optimum lies far from the origin is not
mistaken for a blow-up). No overflow
``RuntimeWarning`` escapes: the arithmetic runs under ``np.errstate(all="ignore")``
and the blow-up is reported in the result instead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult

from helpers._validation import as_choice, as_count, as_float_array, as_probability, as_scale

__all__ = [
    "adam_ascent",
    "gradient_ascent",
    "momentum_ascent",
    "nesterov_ascent",
    "sgd_ascent",
]


# --- argument checks -----------------------------------------------------------------------


def _as_theta0(theta0) -> np.ndarray:
    theta = as_float_array(theta0, "theta0", allow_empty=False, allow_inf=False)
    if theta.ndim != 1:
        raise ValueError(f"theta0 must be a 1-D array of shape (d,), got shape {theta.shape}")
    return theta.copy()


def _as_fn(fn, name: str) -> Callable:
    if not callable(fn):
        raise ValueError(f"{name} must be a callable returning the gradient, got {fn!r}")
    return fn


def _as_beta(beta, name: str) -> float:
    beta = float(as_probability(beta, name))
    if beta >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
    return beta


def _common(grad_fn, theta0, lr, n_steps, max_norm, name="grad_fn"):
    return (
        _as_fn(grad_fn, name),
        _as_theta0(theta0),
        float(as_scale(lr, "lr")),
        as_count(n_steps, "n_steps"),
        float(as_scale(max_norm, "max_norm")),
    )


# --- the shared loop ------------------------------------------------------------------------


def _run(step: Callable, theta0: np.ndarray, n_steps: int, max_norm: float) -> OptimizeResult:
    """Iterate ``theta <- step(t, theta)`` for t = 1..n_steps, stopping on blow-up.

    ``step`` returns the next iterate (it may carry its own state in a closure).
    """
    path = np.empty((n_steps + 1, theta0.size))
    path[0] = theta0
    theta, diverged_at, why = theta0, None, ""
    with np.errstate(all="ignore"):
        for t in range(1, n_steps + 1):
            theta = np.asarray(step(t, theta), dtype=float)
            if not np.all(np.isfinite(theta)):
                diverged_at, why = t, "the gradient or the iterate is not finite"
                break
            path[t] = theta
            moved = np.linalg.norm(theta - theta0)
            if moved > max_norm:
                diverged_at = t
                why = f"|theta - theta0| = {moved:.3g} > max_norm = {max_norm:.3g}"
                break
    if diverged_at is None:
        nit, message = n_steps, f"completed {n_steps} steps"
    else:
        nit = diverged_at if np.all(np.isfinite(theta)) else diverged_at - 1
        message = f"diverged at step {diverged_at}: {why}; try a smaller learning rate lr"
    path = path[: nit + 1].copy()
    return OptimizeResult(
        x=path[-1].copy(),
        path=path,
        nit=nit,
        success=diverged_at is None,
        message=message,
        diverged_at=diverged_at,
    )


def _grad(grad_fn, theta) -> np.ndarray:
    # A copy, as scipy.optimize passes: a function that edits its argument cannot corrupt
    # the path.
    return np.asarray(grad_fn(theta.copy()), dtype=float).reshape(theta.shape)


# --- the optimisers ---------------------------------------------------------------------------


def gradient_ascent(grad_fn, theta0, *, lr, n_steps, max_norm=1e8):
    r"""Plain gradient ascent with a constant learning rate.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(theta) -> ndarray of shape (d,)``, the gradient of the objective to
        *maximise* (for a log-likelihood, the score with respect to the parameters).
        It receives a copy of the iterate (as ``scipy.optimize`` passes), so editing
        its argument cannot change the path.
    theta0 : array-like of shape (d,)
        Starting point.
    lr : float
        Learning rate (step size), > 0.
    n_steps : int
        Number of steps, >= 1.
    max_norm : float, default 1e8
        An iterate farther than ``max_norm`` from ``theta0`` (``|theta - theta0| > max_norm``)
        counts as diverged and stops the run.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``path`` of shape ``(nit + 1, d)``, ``nit``, ``success``, ``message``,
        ``diverged_at`` (see the module docstring).

    Notes
    -----
    .. math:: \theta_{t+1} = \theta_t + \eta\, \nabla\ell(\theta_t)

    On a concave quadratic with Hessian :math:`-H` (eigenvalues
    :math:`0 < \lambda_{\min} \le \dots \le \lambda_{\max}`) the error along each
    eigenvector is multiplied by :math:`1 - \eta\lambda` per step, so the iterates
    converge if and only if :math:`0 < \eta < 2/\lambda_{\max}`; the fastest constant
    rate, :math:`(\kappa-1)/(\kappa+1)` with :math:`\kappa = \lambda_{\max}/\lambda_{\min}`,
    is reached at :math:`\eta = 2/(\lambda_{\min} + \lambda_{\max})`.

    Examples
    --------
    >>> res = gradient_ascent(lambda th: -(th - 3.0), [0.0], lr=0.5, n_steps=40)
    >>> round(float(res.x[0]), 6), res.path.shape, res.success
    (3.0, (41, 1), True)
    """
    grad_fn, theta0, lr, n_steps, max_norm = _common(grad_fn, theta0, lr, n_steps, max_norm)
    return _run(lambda t, th: th + lr * _grad(grad_fn, th), theta0, n_steps, max_norm)


def momentum_ascent(grad_fn, theta0, *, lr, beta=0.9, n_steps, max_norm=1e8):
    r"""Heavy-ball (Polyak) momentum: a velocity that accumulates past gradients.

    Introduced in ``03_gradient_mle.ipynb``. Parameters as :func:`gradient_ascent`,
    plus ``beta`` in [0, 1), the fraction of the velocity kept from one step to the
    next (``beta = 0`` is plain gradient ascent).

    Notes
    -----
    .. math:: v_{t+1} = \beta v_t + \nabla\ell(\theta_t), \qquad
              \theta_{t+1} = \theta_t + \eta\, v_{t+1}, \qquad v_0 = 0.

    On a concave quadratic, along an eigen-direction of curvature :math:`\lambda` the
    error obeys :math:`e_{t+1} = (1 + \beta - \eta\lambda)e_t - \beta e_{t-1}`; both roots
    of :math:`z^2 - (1+\beta-\eta\lambda)z + \beta` lie inside the unit circle if and
    only if :math:`0 < \eta\lambda < 2 + 2\beta`. The best rate,
    :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, needs
    :math:`\eta = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2` and
    :math:`\beta = ((\sqrt\kappa-1)/(\sqrt\kappa+1))^2`.
    """
    grad_fn, theta0, lr, n_steps, max_norm = _common(grad_fn, theta0, lr, n_steps, max_norm)
    beta = _as_beta(beta, "beta")
    v = np.zeros_like(theta0)

    def step(t, th):
        nonlocal v
        v = beta * v + _grad(grad_fn, th)
        return th + lr * v

    return _run(step, theta0, n_steps, max_norm)


def nesterov_ascent(grad_fn, theta0, *, lr, beta=0.9, n_steps, max_norm=1e8):
    r"""Nesterov momentum: the gradient is taken where the velocity is about to carry you.

    Introduced in ``03_gradient_mle.ipynb``. Parameters as :func:`momentum_ascent`.

    Notes
    -----
    .. math:: v_{t+1} = \beta v_t + \nabla\ell(\theta_t + \eta\beta v_t), \qquad
              \theta_{t+1} = \theta_t + \eta\, v_{t+1}.

    On a concave quadratic the error obeys
    :math:`e_{t+1} = (1+\beta)(1-\eta\lambda)e_t - \beta(1-\eta\lambda)e_{t-1}`, stable
    if and only if :math:`0 < \eta\lambda < (2+2\beta)/(1+2\beta)`: the look-ahead damps
    the oscillation heavy-ball momentum allows, at the price of a smaller stable range.
    """
    grad_fn, theta0, lr, n_steps, max_norm = _common(grad_fn, theta0, lr, n_steps, max_norm)
    beta = _as_beta(beta, "beta")
    v = np.zeros_like(theta0)

    def step(t, th):
        nonlocal v
        v = beta * v + _grad(grad_fn, th + lr * beta * v)
        return th + lr * v

    return _run(step, theta0, n_steps, max_norm)


def adam_ascent(grad_fn, theta0, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, n_steps, max_norm=1e8):
    r"""Adam (Kingma and Ba, 2015) with bias correction, climbing the objective.

    Introduced in ``03_gradient_mle.ipynb``. Parameters as :func:`gradient_ascent`, plus
    the decay rates ``beta1`` (of the gradient's running mean) and ``beta2`` (of its
    running mean square), both in [0, 1), and ``eps`` > 0.

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}, \quad
        \theta_t = \theta_{t-1} + \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`g_t = \nabla\ell(\theta_{t-1})` and squares taken elementwise. Both running
    means start at 0 and are biased towards it by different factors; without the
    correction the first step would be :math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.2` times
    :math:`\eta` with the defaults. Each coordinate's step is about :math:`\eta` whatever
    the size of its gradient, so ``lr`` is a distance per step in parameter units, not a
    multiplier of the gradient, and the plain-gradient stability limit does not apply.
    """
    grad_fn, theta0, lr, n_steps, max_norm = _common(grad_fn, theta0, lr, n_steps, max_norm)
    beta1, beta2 = _as_beta(beta1, "beta1"), _as_beta(beta2, "beta2")
    eps = float(as_scale(eps, "eps"))
    m, v = np.zeros_like(theta0), np.zeros_like(theta0)

    def step(t, th):
        nonlocal m, v
        g = _grad(grad_fn, th)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return th + lr * m_hat / (np.sqrt(v_hat) + eps)

    return _run(step, theta0, n_steps, max_norm)


def sgd_ascent(
    batch_grad_fn,
    X,
    theta0,
    *,
    lr,
    batch_size,
    n_steps,
    reduction,
    rng=None,
    lr_decay=0.0,
    max_norm=1e8,
):
    r"""Stochastic gradient ascent on mini-batches, the gradient rescaled to be unbiased.

    Introduced in ``03_gradient_mle.ipynb``.

    Parameters
    ----------
    batch_grad_fn : callable
        ``batch_grad_fn(theta, X_batch) -> ndarray of shape (d,)``: the gradient of the
        objective over the rows of ``X_batch``, their sum or their mean as ``reduction``
        says. Both arguments are copies.
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        The data; each step draws ``batch_size`` rows without replacement.
    theta0 : array-like of shape (d,)
        Starting point.
    lr : float
        Learning rate, > 0 (the rate of the first step when ``lr_decay > 0``).
    batch_size : int
        Rows per mini-batch, from 1 to ``n_samples`` (``n_samples`` gives plain gradient
        ascent on the full sum).
    n_steps : int
        Number of steps, >= 1.
    reduction : {"sum", "mean"}
        How ``batch_grad_fn`` combines the points of a batch: ``"sum"`` (the gradient
        of the batch's summed log-likelihood) or ``"mean"`` (divided by the batch size, as
        a deep-learning loss with ``reduction="mean"``). Required, with no default:
        a mean passed as a sum would make every step ``batch_size`` times too short,
        silently. Either way the step estimates a full step on the *summed* log-likelihood.
    rng : None, int or numpy.random.Generator
        Source of the batches, through ``np.random.default_rng(rng)``.
    lr_decay : float, default 0.0
        The learning rate of step t is ``lr / (1 + lr_decay * (t - 1))``; 0 keeps it constant.
    max_norm : float, default 1e8
        As in :func:`gradient_ascent`.

    Returns
    -------
    scipy.optimize.OptimizeResult
        As :func:`gradient_ascent`.

    Notes
    -----
    With a batch :math:`B_t` of :math:`k` rows drawn without replacement,

    .. math:: \theta_{t+1} = \theta_t
              + \eta_t\,\frac{n}{k}\sum_{i \in B_t}\nabla\log p(x_i\mid\theta_t)

    (with ``reduction="mean"`` the callback returns :math:`\frac1k\sum_{i \in B_t}`, and
    the factor is :math:`n`: the same step).

    The factor :math:`n/k` makes the step an unbiased estimate of a full-data step on
    the summed log-likelihood :math:`\ell = \sum_{i=1}^n \log p(x_i \mid \theta)`, so the
    learning rates of :func:`gradient_ascent` carry over. The noise has covariance
    :math:`\frac{n^2}{k}\frac{n-k}{n-1}\,\mathrm{Cov}_i[\nabla\log p(x_i\mid\theta)]`,
    zero at :math:`k = n`; with a constant rate the iterate keeps fluctuating around the
    maximum with a spread that grows like :math:`\eta/k` (see
    :func:`helpers.gradients.sgd_stationary_cov`); a decaying rate shrinks it.
    """
    batch_grad_fn = _as_fn(batch_grad_fn, "batch_grad_fn")
    X = as_float_array(X, "X", allow_empty=False, allow_inf=False)
    if X.ndim not in (1, 2):
        raise ValueError(f"X must have shape (n_samples, n_features), got shape {X.shape}")
    n = X.shape[0]
    grad_fn, theta0, lr, n_steps, max_norm = _common(
        batch_grad_fn, theta0, lr, n_steps, max_norm, name="batch_grad_fn"
    )
    k = as_count(batch_size, "batch_size")
    if k > n:
        raise ValueError(f"batch_size must be between 1 and n_samples = {n}, got {k}")
    reduction = as_choice(reduction, "reduction", ("sum", "mean"))
    lr_decay = float(as_float_array(lr_decay, "lr_decay", allow_empty=False, allow_inf=False))
    if lr_decay < 0:
        raise ValueError(f"lr_decay must be >= 0, got {lr_decay!r}")
    rng = np.random.default_rng(rng)
    scale = n / k if reduction == "sum" else float(n)  # either way: an estimate of the sum

    def step(t, th):
        batch = X if k == n else X[rng.choice(n, size=k, replace=False)]
        rate = lr / (1.0 + lr_decay * (t - 1))
        g = np.asarray(grad_fn(th.copy(), batch.copy()), dtype=float).reshape(th.shape)
        return th + rate * scale * g

    return _run(step, theta0, n_steps, max_norm)
