"""Notebook 03's exercises: learning rates, momentum, mini-batch noise; write Adam, SGD, a gradient.

Introduced in ``03_gradient_mle.ipynb``; worked solutions in
``notebooks/solutions/03_gradient_mle_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

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
_N_3, _K_3, _LR_3 = 1_000, 10, 0.2  # sigma^2 = 1 known; the data's own variance is 1 too


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
        "the error recursion become complex (from there on the error spirals). Give it to 3 "
        "significant figures.",
        _ex_03_2,
        "the roots of z^2 - (1 + beta - lr lambda) z + beta are complex when its discriminant is "
        "negative; solve discriminant = 0 for beta.",
        rtol=1e-3,  # three significant figures, as the lesson asks
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
        "k = 10 (drawn without replacement) and a constant lr = 0.2. Derive the exact stationary "
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
            (
                lambda: _LR_3 / (2 * _K_3),
                "That is the small-lr approximation lr / (2k), and it also leaves out the "
                "without-replacement factor (n-k)/(n-1): two approximations; keep both exact.",
            ),
        ),
    )
)
# --------------------------------------------------------------------------------------
# Write the algorithm (check_function): an Adam step, a mini-batch SGD loop, the gradient of a
# likelihood with no closed-form maximum (a Student-t location). Each slip is a wrong version
# students write; it computes under np.errstate so the check itself never warns.


def _adam_step(theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, slip=None):
    """One Adam step climbing the objective; ``slip`` names a known wrong version."""
    with np.errstate(all="ignore"):
        m_old, v_old = m, v
        if slip == "cumulative":  # a plain average of all t gradients, not an exponential one
            m, v = ((t - 1) * m + g) / t, ((t - 1) * v + g * g) / t
        else:
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * (g if slip == "not squared" else g * g)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        if slip in ("no bias correction", "cumulative"):
            m_hat, v_hat = m, v
        if slip == "v not corrected":
            v_hat = v
        if slip == "old moments":  # theta moved before m and v are updated
            m_hat, v_hat = m_old / (1 - beta1**t), v_old / (1 - beta2**t)
        root = v_hat if slip == "no root" else np.sqrt(v_hat)
        sign = -1.0 if slip == "descent" else 1.0
        return theta + sign * lr * m_hat / (root + eps), m, v


def _adam_cases(rng) -> list:
    cases = []
    for d, scale, t, (b1, b2) in [
        (3, 1.0, 4, (0.9, 0.999)),
        (1, 250.0, 17, (0.8, 0.99)),
        (5, 0.1, 2, (0.5, 0.9)),
        (2, 3.0, 40, (0.9, 0.999)),
    ]:
        g = scale * rng.normal(size=d)
        m = scale * rng.normal(size=d) * 0.5
        v = (scale * rng.uniform(0.5, 2.0, size=d)) ** 2 * (1 - b2**t)  # a mean of squares
        cases.append(
            {"theta": rng.normal(size=d), "g": g, "m": m, "v": v, "t": t,
             "lr": float(rng.uniform(0.01, 0.2)), "beta1": b1, "beta2": b2}
        )  # fmt: skip
    d = 3  # the first step of a run: both running means still 0
    cases.append(
        {"theta": rng.normal(size=d), "g": rng.normal(size=d), "m": np.zeros(d),
         "v": np.zeros(d), "t": 1, "lr": 0.1, "beta1": 0.9, "beta2": 0.999}
    )  # fmt: skip
    return cases


ADAM_STEP = FunctionExercise(
    key="03.4",
    question="Write one Adam step that climbs the log-likelihood: from the iterate theta, the "
    "gradient g at theta, the running means m (of g) and v (of g squared) after t - 1 steps, "
    "return the new (theta, m, v) of step t (t counts from 1).",
    reference=_adam_step,
    cases=_adam_cases,
    hint="m and v are running means that start at 0: which comes first, updating them or "
    "moving theta, and what must be done to them before they are used? Section 7 lists the "
    "ingredients.",
    starter="def adam_step(theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):",
    rtol=1e-5,  # eps inside the root instead of outside (a common variant) also passes
    slips=(
        (
            lambda **kw: _adam_step(**kw, slip="no bias correction"),
            "The running means start at 0, so early on they are too small: divide each by "
            "1 - beta^t (its own beta) before taking the step.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="cumulative"),
            "m and v are exponential running means, weighted by beta1 and beta2 (recent "
            "gradients count more), not the plain average of all the gradients so far.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="v not corrected"),
            "Both running means start at 0 and need their correction, each with its own beta: "
            "look at v.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="not squared"),
            "v is the running mean of the squared gradient (elementwise), not of the gradient: "
            "a mean of g can be negative, and its root is then nan.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="old moments"),
            "The order of the updates: theta moved with the previous m and v. Update both "
            "running means with this step's gradient first, then move theta.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="descent"),
            "Your step goes downhill: this lesson climbs the log-likelihood (ascent), so theta "
            "moves along +m_hat, not against it.",
        ),
        (
            lambda **kw: _adam_step(**kw, slip="no root"),
            "Divide by the square root of the corrected mean square: then each coordinate moves "
            "about lr whatever the size of its gradient.",
        ),
    ),
)


def _sgd_loop(score_fn, X, theta0, lr, batches, *, slip=None):
    """Mini-batch stochastic gradient ascent on the summed log-likelihood, given the batches.

    ``score_fn(theta, X_batch)`` gives the per-point gradients, shape (k, d); step t uses the
    rows ``batches[t]``; each step is lr (n / k) times the batch's summed gradient, an unbiased
    estimate of a full gradient-ascent step on the sum over all n points.
    """
    n = X.shape[0]
    theta = np.array(theta0, dtype=float)
    with np.errstate(all="ignore"):
        for rows in batches:
            start = theta0 if slip == "from theta0" else theta
            Xb = X if slip == "all data" else X[rows]
            g = np.sum(score_fn(start, Xb), axis=0)
            k = len(rows)
            factor = {
                None: n / k,
                "all data": 1.0,
                "mean": 1.0 / k,
                "sum": 1.0,
                "mean rescaled": n / k / k,
                "descent": -n / k,
                "from theta0": n / k,
            }[slip]
            theta = start + lr * factor * g
    return theta


def _gauss_mean_scores(cov):
    prec = np.linalg.inv(cov)
    return lambda theta, Xb: (Xb - theta) @ prec  # one row per point


def _logistic_scores(theta, Xb):
    from scipy.special import expit

    features, y = Xb[:, :-1], Xb[:, -1]
    return (y - expit(features @ theta))[:, None] * features


def _batches(rng, n, k, n_steps):
    return np.array([rng.permutation(n)[:k] for _ in range(n_steps)])


def _sgd_cases(rng) -> list:
    cases = []
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    n = 200
    X = rng.multivariate_normal([1.0, -2.0], cov, size=n)
    lam_max = n * np.linalg.eigvalsh(np.linalg.inv(cov))[-1]
    cases.append(
        {"score_fn": _gauss_mean_scores(cov), "X": X, "theta0": np.zeros(2),
         "lr": 0.5 / lam_max, "batches": _batches(rng, n, 10, 8)}
    )  # fmt: skip
    n = 60  # 1-D, sigma = 3: X of shape (n, 1)
    X = rng.normal(5.0, 3.0, size=(n, 1))
    cases.append(
        {"score_fn": _gauss_mean_scores(np.array([[9.0]])), "X": X, "theta0": np.array([-1.0]),
         "lr": 0.3 * 9.0 / n, "batches": _batches(rng, n, 4, 12)}
    )  # fmt: skip
    n = 150  # logistic regression: features (intercept first) and the label in the last column
    features = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-features @ [0.5, 2.0, -1.0]))).astype(float)
    cases.append(
        {"score_fn": _logistic_scores, "X": np.column_stack([features, y]),
         "theta0": np.zeros(3), "lr": 0.02, "batches": _batches(rng, n, 15, 10)}
    )  # fmt: skip
    return cases


SGD_LOOP = FunctionExercise(
    key="03.5",
    question="Write the mini-batch SGD loop of section 10: score_fn(theta, X_batch) gives the "
    "per-point gradients of the log-likelihood (one row per point), batches[t] holds the row "
    "indices of step t's batch. Each step must be an unbiased estimate of a full gradient-ascent "
    "step on the summed log-likelihood (so lr means what it means for gradient_ascent). Return "
    "the final theta.",
    reference=_sgd_loop,
    cases=_sgd_cases,
    hint="each row of batches is one step. On average, what must a batch of k points' "
    "gradients be multiplied by to equal the gradient of the sum over all n points?",
    starter="def sgd_loop(score_fn, X, theta0, lr, batches):",
    slips=(
        (
            lambda **kw: _sgd_loop(**kw, slip="mean"),
            "You averaged the batch: that estimates the MEAN log-likelihood's gradient, n times "
            "smaller than the sum's, so every step is n times too short. Rescale the batch so "
            "that it estimates the full sum.",
        ),
        (
            lambda **kw: _sgd_loop(**kw, slip="sum"),
            "You summed the batch but did not rescale it: k points stand in for all n, so their "
            "sum is on average k/n of the full sum and every step is too short.",
        ),
        (
            lambda **kw: _sgd_loop(**kw, slip="mean rescaled"),
            "You rescaled the batch MEAN by n/k: the mean already divides by k, so the steps are "
            "k times too short. Rescale the sum, or multiply the mean by n.",
        ),
        (
            lambda **kw: _sgd_loop(**kw, slip="all data"),
            "Your loop uses every row at every step (plain gradient ascent): take only the rows "
            "that batches gives for that step.",
        ),
        (
            lambda **kw: _sgd_loop(**kw, slip="from theta0"),
            "Every step starts again from theta0: each step must start from the previous "
            "step's theta (and take the gradient there).",
        ),
        (
            lambda **kw: _sgd_loop(**kw, slip="descent"),
            "Your steps go downhill: this lesson climbs the log-likelihood, so add the step.",
        ),
    ),
)


def _t_location_grad(mu, x, nu, scale, *, slip=None):
    """d/dmu of the summed Student-t log-likelihood of the location mu (nu, scale known)."""
    with np.errstate(all="ignore"):
        r = np.asarray(x, dtype=float) - mu
        s2 = scale if slip == "scale" else scale**2
        factor = {None: nu + 1.0, "no nu+1": 1.0, "half": (nu + 1.0) / 2}.get(slip, nu + 1.0)
        terms = factor * r / (nu * s2 + r**2)
        if slip == "gaussian":
            terms = r / scale**2
        total = float(np.mean(terms) if slip == "mean" else np.sum(terms))
    return -total if slip == "descent" else total


def _t_cases(rng) -> list:
    cases = []
    for n, nu, scale in [(12, 3.0, 2.0), (1, 1.0, 0.5), (200, 30.0, 4.0), (40, 4.5, 0.3)]:
        x = rng.standard_t(nu, size=n) * scale + rng.normal(0, 3)
        mu = float(np.median(x) + rng.normal(0, 2 * scale))
        cases.append({"mu": mu, "x": x, "nu": nu, "scale": scale})
    return cases


T_LOCATION_GRAD = FunctionExercise(
    key="03.6",
    question="Write the derivative of the summed Student-t log-likelihood with respect to the "
    "location mu (nu degrees of freedom and the scale known): a float.",
    reference=_t_location_grad,
    cases=_t_cases,
    hint="only one term of the log density depends on mu: differentiate it with the chain "
    "rule, point by point, then combine the points as the question asks.",
    starter="def t_location_grad(mu, x, nu, scale):",
    slips=(
        (
            lambda **kw: _t_location_grad(**kw, slip="descent"),
            "The sign: d/dmu of (x - mu)^2 is -2 (x - mu), and the log density has a minus in "
            "front; the gradient should point towards the data.",
        ),
        (
            lambda **kw: _t_location_grad(**kw, slip="half"),
            "A factor of 2 is missing: the derivative of (x - mu)^2 brings a 2 that cancels the "
            "1/2 in (nu + 1)/2.",
        ),
        (
            lambda **kw: _t_location_grad(**kw, slip="no nu+1"),
            "The factor nu + 1 in front of the log is missing.",
        ),
        (
            lambda **kw: _t_location_grad(**kw, slip="scale"),
            "scale is a standard deviation-like scale: inside the log it appears squared, "
            "nu scale^2.",
        ),
        (
            lambda **kw: _t_location_grad(**kw, slip="gaussian"),
            "That is the Gaussian's gradient, sum (x - mu)/scale^2: the Student-t's shrinks the "
            "pull of points far from mu. Differentiate the t's log density.",
        ),
        (
            lambda **kw: _t_location_grad(**kw, slip="mean"),
            "You averaged over the points: this exercise asks for the summed log-likelihood.",
        ),
    ),
)

#: The write-the-algorithm exercises.
WRITE_THE_ALGORITHM = (ADAM_STEP, SGD_LOOP, T_LOCATION_GRAD)
for _exercise in WRITE_THE_ALGORITHM:
    register(_exercise)
