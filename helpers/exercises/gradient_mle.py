"""Notebook 03's exercises: learning rates, momentum, mini-batch noise, gradient ascent by hand.

Introduced in ``03_gradient_mle.ipynb``; worked solutions in
``notebooks/solutions/03_gradient_mle_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

# 03.1: the stability limit of an anisotropic problem
_N_1, _COV_1 = 4_000, np.diag([4.0, 0.25])


def _limit_03_1(variance: float) -> float:
    return 2.0 * variance / _N_1


def _ex_03_1() -> float:
    lam_max = np.linalg.eigvalsh(_N_1 * np.linalg.inv(_COV_1))[-1]  # n Sigma^-1, sharpest
    return float(2.0 / lam_max)


# 03.2: heavy-ball momentum on a 1-D quadratic: where its roots become complex
_LAM_2, _LR_2 = 50.0, 0.01  # lr * lam = 0.5


def _ex_03_2() -> float:
    """The smallest beta at which z^2 - (1 + beta - a) z + beta has complex roots, a = lr lam."""
    a = _LR_2 * _LAM_2
    beta = (1 - np.sqrt(a)) ** 2  # the discriminant (1 + beta - a)^2 - 4 beta vanishes
    # a double root there, of size sqrt(beta): the rate every beta above it also has
    roots = np.roots([1.0, -(1 + beta - a), beta])
    assert np.allclose(np.abs(roots), np.sqrt(beta), rtol=1e-6)
    return float(beta)


# 03.3: the stationary variance of constant-lr SGD on the batch-MEAN objective
_N_3, _K_3, _LR_3 = 1_000, 10, 0.05  # sigma^2 = 1 known; the data's own variance is 1 too


def _var_3(lr_sum: float, *, fpc: bool = True) -> float:
    """Exact stationary variance for a step lr_sum on the n/k-rescaled summed objective."""
    h = _N_3 / 1.0
    q = _N_3**2 / _K_3 * ((_N_3 - _K_3) / (_N_3 - 1) if fpc else 1.0)
    return lr_sum * q / (h * (2 - lr_sum * h))


def _ex_03_3() -> float:
    from helpers.gradients import sgd_stationary_cov

    # the batch mean (1/k) sum_B is (1/n) times the rescaled (n/k) sum_B: lr / n on the sum
    lr_sum = _LR_3 / _N_3
    h = _N_3 / 1.0
    q = _N_3**2 / _K_3 * (_N_3 - _K_3) / (_N_3 - 1)
    return float(sgd_stationary_cov([[h]], [[q]], lr_sum)[0, 0])


def _ex_03_3_small_lr() -> float:
    lr_sum, h = _LR_3 / _N_3, float(_N_3)
    q = _N_3**2 / _K_3 * (_N_3 - _K_3) / (_N_3 - 1)
    return lr_sum * q / (2 * h)


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
        "n = 4,000 points from a 2-D Gaussian with known covariance diag(4, 0.25). What is the "
        "stability limit lr* of plain gradient ascent on the summed log-likelihood of the mean "
        "(it converges for every lr < lr*)?",
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
                lambda: 2 * np.sqrt(0.25) / _N_1,
                "The covariance holds variances: 0.25 is sigma^2, not sigma.",
            ),
        ),
    )
)
register(
    Exercise(
        "03.2",
        "Heavy-ball momentum (v <- beta v + g, theta <- theta + lr v) on a 1-D quadratic with "
        "curvature lambda = 50 and lr = 0.01. Derive the smallest beta at which the two roots of "
        "the error recursion become complex (from there on the error spirals).",
        _ex_03_2,
        "the roots of z^2 - (1 + beta - lr lambda) z + beta are complex when its discriminant is "
        "negative; solve discriminant = 0 for beta.",
        rtol=1e-6,
        mistakes=(
            (
                lambda: (1 + np.sqrt(_LR_2 * _LAM_2)) ** 2,
                "That root of the equation in beta is above 1, where momentum is never used; "
                "take the other one.",
            ),
            (
                lambda: 1 - np.sqrt(_LR_2 * _LAM_2),
                "Nearly: check the square when you solve for beta.",
            ),
            (
                lambda: (1 - _LR_2 * _LAM_2) ** 2 / 4,
                "The coefficient of z is 1 + beta - lr lambda: beta appears in it too.",
            ),
        ),
    )
)
register(
    Exercise(
        "03.3",
        "1-D data, n = 1,000, known sigma^2 = 1, and the data's own variance (dividing by n) is "
        "also 1. A training loop maximises the batch MEAN (1/k) sum_B log N(x_i | mu, 1) with "
        "k = 10 (drawn without replacement) and a constant lr = 0.05. Derive the exact stationary "
        "variance of the iterate.",
        _ex_03_3,
        "first write the batch-mean gradient as a multiple of the lesson's rescaled estimate "
        "(n/k) sum_B; then take the variance of both sides of the error recursion at stationarity.",
        rtol=1e-4,
        mistakes=(
            (
                lambda: _var_3(_LR_3),
                "That uses lr on the summed objective, where it is far beyond the limit (the "
                "formula even turns negative); convert lr to the lesson's convention first.",
            ),
            (
                lambda: _var_3(_LR_3 / _N_3, fpc=False),
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
