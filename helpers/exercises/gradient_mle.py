"""Notebook 03's exercises: learning rates, momentum, mini-batch noise, gradient ascent by hand.

Introduced in ``03_gradient_mle.ipynb``; worked solutions in
``notebooks/solutions/03_gradient_mle_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

# 03.1: the stability limit of an anisotropic problem
_N_1, _COV_1 = 2_500, np.diag([4.0, 0.25])


def _limit_03_1(variance: float) -> float:
    return 2.0 * variance / _N_1


def _ex_03_1() -> float:
    lam_max = np.linalg.eigvalsh(_N_1 * np.linalg.inv(_COV_1))[-1]  # n Sigma^-1, sharpest
    return float(2.0 / lam_max)


# 03.2: heavy-ball momentum on a 1-D quadratic
_LAM_2, _BETA_2 = 50.0, 0.8


def _ex_03_2() -> float:
    """The largest lr with both roots of z^2 - (1 + beta - lr lam) z + beta inside |z| < 1."""
    from helpers import optim

    lr = (2 + 2 * _BETA_2) / _LAM_2
    # the boundary is sharp: just below it the helper converges, just above it diverges
    inside = optim.momentum_ascent(
        lambda th: -_LAM_2 * th, [1.0], lr=0.999 * lr, beta=_BETA_2, n_steps=20_000
    )
    assert inside.success and abs(inside.x[0]) < 1e-3
    return float(lr)


# 03.3: the stationary variance of constant-lr SGD
_N_3, _K_3, _LR_3 = 1_000, 10, 1e-4  # sigma^2 = 1 known; the data's own variance is 1 too


def _ex_03_3() -> float:
    from helpers.gradients import sgd_stationary_cov

    h = _N_3 / 1.0
    q = _N_3**2 / _K_3 * (_N_3 - _K_3) / (_N_3 - 1)
    return float(sgd_stationary_cov([[h]], [[q]], _LR_3)[0, 0])


def _ex_03_3_no_fpc() -> float:
    h, q = float(_N_3), _N_3**2 / _K_3
    return _LR_3 * q / (h * (2 - _LR_3 * h))


def _ex_03_3_small_lr() -> float:
    h = float(_N_3)
    q = _N_3**2 / _K_3 * (_N_3 - _K_3) / (_N_3 - 1)
    return _LR_3 * q / (2 * h)


# 03.6: gradient ascent by hand on the Old Faithful waiting times
_SIGMA_6, _LR_6, _STEPS_6 = 10.0, 0.25, 5


def _waiting():
    from helpers.data import load_old_faithful

    return load_old_faithful()["waiting"].to_numpy()


def _mu_after(n_steps: int, *, mean_objective: bool = False) -> float:
    from helpers import optim

    x = _waiting()
    scale = 1.0 / x.size if mean_objective else 1.0
    res = optim.gradient_ascent(
        lambda mu: scale * np.sum(x - mu) / _SIGMA_6**2, [0.0], lr=_LR_6, n_steps=n_steps
    )
    return float(res.x[0])


register(
    Exercise(
        "03.1",
        "n = 2,500 points from a 2-D Gaussian with known covariance diag(4, 0.25). What is the "
        "largest learning rate for which plain gradient ascent on the summed log-likelihood of the "
        "mean converges?",
        _ex_03_1,
        "the curvature of the summed log-likelihood is n times the inverse covariance; which "
        "direction is sharpest?",
        rtol=1e-6,
        mistakes=(
            (
                lambda: _limit_03_1(4.0),
                "The limit is set by the sharpest direction, the one with the smaller variance.",
            ),
            (
                lambda: _limit_03_1(0.25) / 2,
                "That is the best step for the sharpest direction; the limit is twice as large.",
            ),
            (
                lambda: 2 * 0.25,
                "That limit is for the mean log-likelihood; this one is the sum (n times steeper).",
            ),
            (
                lambda: 2 / (0.25 * _N_1),
                "Check the curvature: it is n / sigma^2, so the limit is 2 / (n / sigma^2).",
            ),
        ),
    )
)
register(
    Exercise(
        "03.2",
        "Heavy-ball momentum (v <- beta v + g, theta <- theta + lr v) on a 1-D quadratic with "
        "curvature lambda = 50 and beta = 0.8. Derive the largest learning rate that converges.",
        _ex_03_2,
        "write the error recursion as e_{t+1} = a e_t - beta e_{t-1}; the boundary is where a root "
        "of z^2 - a z + beta reaches z = -1.",
        rtol=1e-6,
        mistakes=(
            (
                lambda: 2 / _LAM_2,
                "That is plain gradient ascent's limit; momentum widens it by a factor 1 + beta.",
            ),
            (
                lambda: (2 + 2 * _BETA_2) / ((1 + 2 * _BETA_2) * _LAM_2),
                "That is Nesterov's limit; heavy-ball takes the gradient at theta, not ahead.",
            ),
            (lambda: (2 + _BETA_2) / _LAM_2, "Check the root at z = -1: 1 + a + beta = 0."),
        ),
    )
)
register(
    Exercise(
        "03.3",
        "1-D data, n = 1,000, known sigma^2 = 1, and the data's own variance (dividing by n) is "
        "also 1. Constant-lr SGD on the summed log-likelihood of the mean with batch size k = 10, "
        "gradient rescaled by n/k, lr = 1e-4. Derive the stationary variance of the iterate.",
        _ex_03_3,
        "the error follows e <- (1 - lr h) e + lr xi; take the variance of both sides at "
        "stationarity, with Var(xi) for sampling without replacement.",
        rtol=1e-4,
        mistakes=(
            (
                _ex_03_3_no_fpc,
                "Nearly: batches are drawn without replacement: Var(xi) has a factor (n-k)/(n-1).",
            ),
            (
                _ex_03_3_small_lr,
                "That is the small-lr approximation; solve the stationary equation exactly.",
            ),
        ),
    )
)
register(
    Exercise(
        "03.4",
        "On the source exercise (n = 10,000, sigma^2 = 5) you replace the summed log-likelihood by "
        "the mean one (divided by n) and keep lr = 1e-4. What happens? (a) the same path; "
        "(b) every step is n times shorter, so the path barely moves; (c) it diverges.",
        lambda: "b",
        "the gradient of the mean is the gradient of the sum divided by n.",
        options=("a", "b", "c"),
        mistakes=(
            (
                lambda: "c",
                "Divergence needs too large a step; dividing the gradient by n shortens it.",
            ),
            (lambda: "a", "The maximiser is the same, but is the gradient?"),
        ),
    )
)
register(
    Exercise(
        "03.5",
        "Constant-lr SGD, small lr, batch size k much smaller than n. Which change leaves the "
        "stationary spread (variance) of the iterate about the same as doubling the batch size? "
        "(a) doubling lr; (b) halving lr; (c) doubling the number of steps.",
        lambda: "b",
        "write the stationary variance in terms of lr and k (section 9 of the lesson).",
        options=("a", "b", "c"),
        mistakes=(
            (lambda: "a", "Doubling lr doubles the variance; doubling k halves it."),
            (lambda: "c", "At stationarity the start is forgotten: more steps do not shrink it."),
        ),
    )
)
register(
    Exercise(
        "03.6",
        "From scratch (numpy only): gradient ascent on the summed log-likelihood of the mean of "
        "the Old Faithful waiting times, sigma = 10 min known, from mu_0 = 0 with lr = 0.25, "
        "5 steps. What is mu_5, in minutes?",
        lambda: _mu_after(_STEPS_6),
        "the gradient is sum_i (x_i - mu) / sigma^2; apply mu <- mu + lr * gradient five times.",
        rtol=1e-6,
        mistakes=(
            (lambda: _mu_after(_STEPS_6 - 1), "Count again: 5 updates after mu_0."),
            (lambda: _mu_after(_STEPS_6 + 1), "Count again: 5 updates after mu_0."),
            (
                lambda: _mu_after(_STEPS_6, mean_objective=True),
                "That is the mean log-likelihood's gradient; the question uses the sum.",
            ),
            (
                lambda: float(_waiting().mean()),
                "That is where the iterates are heading; after 5 steps they are not quite there.",
            ),
        ),
    )
)
