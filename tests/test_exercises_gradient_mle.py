"""Notebook 03's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from test_exercises import EXERCISES, assert_specific_hint

from helpers.exercises import gradient_mle as ex03
from helpers.exercises.registry import _function_verdict


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["03.1"].expected() == pytest.approx(2 * 0.25 / 4000, rel=1e-12)
    assert EXERCISES["03.1"].expected() == pytest.approx(1.25e-4, rel=1e-12)
    # 03.2: the smallest beta with a vanishing discriminant (1 + beta - a)^2 - 4 beta, a = 0.5
    beta = EXERCISES["03.2"].expected()
    assert (1 + beta - 0.5) ** 2 - 4 * beta == pytest.approx(0.0, abs=1e-12)
    assert 0 < beta < 1
    # 03.3: the batch mean's gradient is (1/n) times the (n/k)-rescaled one: a step lr / n on the
    # sum; iterate the variance recursion P <- (1 - lr h)^2 P + lr^2 q to convergence
    n, k, lr = 1000, 10, 0.2 / 1000
    h, q = n, n**2 / k * (n - k) / (n - 1)
    P = 0.0
    for _ in range(20_000):
        P = (1 - lr * h) ** 2 * P + lr**2 * q
    assert EXERCISES["03.3"].expected() == pytest.approx(P, rel=1e-9)


def test_03_2_roots_turn_complex_at_the_answer():
    beta = EXERCISES["03.2"].expected()
    for b, complex_expected in [(0.99 * beta, False), (1.01 * beta, True)]:
        roots = np.roots([1.0, -(1 + b - 0.5), b])
        assert bool(np.any(np.abs(roots.imag) > 0)) == complex_expected


def test_03_3_matches_a_simulation_on_the_batch_mean_convention():
    from helpers import optim

    rng = np.random.default_rng(3)
    x = rng.normal(size=1000)
    x = (x - x.mean()) / x.std()  # the data's own variance (dividing by n) exactly 1
    finals = np.array(
        [
            optim.sgd_ascent(lambda mu, b: (b - mu).sum(axis=0) / 1000.0, x[:, None], [0.0],
                             lr=0.2, batch_size=10, reduction="sum", n_steps=150, rng=rng).x[0]
            for _ in range(800)
        ]
    )  # fmt: skip
    # sgd_ascent multiplies by n/k = 100; dividing the batch sum by 1000 = 100 k makes each step
    # lr (1/k) sum_B (x_i - mu): the batch mean's gradient. 800 runs: variance +/- 5% (1 sd)
    assert finals.var() == pytest.approx(EXERCISES["03.3"].expected(), rel=0.16)


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("03.1", 2 * 4.0 / 4000, "sharpest direction"),
        ("03.1", 0.25 / 4000, "twice"),
        ("03.1", 0.5, "mean log-likelihood"),
        ("03.1", 2 * 0.5 / 4000, "variances"),
        ("03.2", (1 + np.sqrt(0.5)) ** 2, "above 1"),
        ("03.2", 1 - np.sqrt(0.5), "square"),
        ("03.2", 0.25**2 / 4 * 4, "beta appears"),
        ("03.3", ex03._var_3(0.2), "convert lr"),
        ("03.3", ex03._var_3(2e-4, fpc=False), "without replacement"),
        ("03.3", ex03._ex_03_3_small_lr(), "small-lr"),
        ("03.3", 0.01, "two approximations"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys)


def test_the_slips_are_distinct_from_the_answers_and_from_each_other():
    for key in ("03.1", "03.2", "03.3"):
        values = [EXERCISES[key].expected()] + [f() for f, _ in EXERCISES[key].mistakes]
        for i, a in enumerate(values):
            for b in values[i + 1 :]:
                assert not np.isclose(a, b, rtol=1e-3), key  # every message can appear


# --------------------------------------------------------------------------------------
# Write the algorithm: Adam step, mini-batch SGD loop, logistic-regression gradient

NEW = {ex.key: ex for ex in ex03.WRITE_THE_ALGORITHM}


def _student_adam(theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    step = lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps**2)  # eps placed apart
    return theta + step, m, v


def _student_sgd(score_fn, X, theta0, lr, batches):
    theta = theta0.copy()
    n = len(X)
    for t in range(batches.shape[0]):
        theta = theta + lr * n * score_fn(theta, X[batches[t]]).mean(axis=0)  # n times the mean
    return theta


def _student_t(mu, x, nu, scale):
    r = x - mu
    return np.sum((nu + 1) * r / (nu * scale**2 + r**2))


@pytest.mark.parametrize(
    ("key", "fn"), [("03.4", _student_adam), ("03.5", _student_sgd), ("03.6", _student_t)]
)
def test_a_right_function_written_another_way_passes(key, fn):
    ok, msg = _function_verdict(NEW[key], fn)
    assert ok, msg


def test_03_4_adam_steps_retrace_the_helper_s_adam_ascent():
    from helpers import optim

    target = np.array([3.0, -1.0, 0.5])
    scales = np.array([100.0, 1.0, 0.01])  # very different gradient sizes per coordinate

    def grad_fn(theta):
        return -scales * (theta - target)

    res = optim.adam_ascent(grad_fn, np.zeros(3), lr=0.05, beta1=0.8, beta2=0.99, n_steps=60)
    theta, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 61):
        theta, m, v = ex03._adam_step(theta, grad_fn(theta), m, v, t, 0.05, 0.8, 0.99)
        np.testing.assert_allclose(theta, res.path[t], rtol=1e-12, atol=1e-14)


def test_03_5_the_loop_equals_sgd_ascent_on_the_same_batches():
    from helpers import optim

    for case in ex03._sgd_cases(np.random.default_rng(7)):
        n, k, n_steps = case["X"].shape[0], case["batches"].shape[1], case["batches"].shape[0]
        rng = np.random.default_rng(11)  # sgd_ascent draws rng.choice(n, k, replace=False)
        batches = np.array([rng.choice(n, size=k, replace=False) for _ in range(n_steps)])
        ours = ex03._sgd_loop(case["score_fn"], case["X"], case["theta0"], case["lr"], batches)
        res = optim.sgd_ascent(
            lambda th, Xb, f=case["score_fn"]: f(th, Xb).sum(axis=0),
            case["X"], case["theta0"], lr=case["lr"], batch_size=k, reduction="sum",
            n_steps=n_steps, rng=11,
        )  # fmt: skip
        np.testing.assert_allclose(ours, res.x, rtol=1e-12)


def test_03_5_with_every_row_in_one_batch_the_loop_is_gradient_ascent():
    from helpers import optim

    case = ex03._sgd_cases(np.random.default_rng(3))[0]
    X, f = case["X"], case["score_fn"]
    full = np.tile(np.arange(X.shape[0]), (6, 1))
    ours = ex03._sgd_loop(f, X, case["theta0"], case["lr"], full)
    res = optim.gradient_ascent(
        lambda th: f(th, X).sum(axis=0), case["theta0"], lr=case["lr"], n_steps=6
    )
    np.testing.assert_allclose(ours, res.x, rtol=1e-12)


def test_03_6_gradient_equals_finite_differences_of_scipy_s_t_log_density():
    from scipy import optimize, stats

    for case in ex03._t_cases(np.random.default_rng(5)):
        x, nu, scale, mu = case["x"], case["nu"], case["scale"], case["mu"]

        def loglik(m, x=x, nu=nu, scale=scale):
            return stats.t.logpdf(x, nu, loc=m, scale=scale).sum()

        h = 1e-6
        fd = (loglik(mu + h) - loglik(mu - h)) / (2 * h)
        assert ex03._t_location_grad(mu, x, nu, scale) == pytest.approx(fd, rel=1e-6, abs=1e-6)
        # and the gradient vanishes at the maximum scipy finds
        best = optimize.minimize_scalar(
            lambda m, f=loglik: -f(m), bounds=(x.min(), x.max()), method="bounded",
            options={"xatol": 1e-10},
        )  # fmt: skip
        curvature = -(loglik(best.x + 1e-4) - 2 * loglik(best.x) + loglik(best.x - 1e-4)) / 1e-8
        grad_at_best = ex03._t_location_grad(best.x, x, nu, scale)
        assert abs(grad_at_best) < 1e-6 * max(1.0, curvature) or x.size == 1
