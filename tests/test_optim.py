"""Tests for helpers.optim: closed forms on quadratics, the stability limits, scipy's optimum."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy import optimize, stats

from helpers import optim
from helpers.gradients import mvn_loglik, mvn_loglik_grad, sgd_stationary_cov

# A concave quadratic l(theta) = -(theta - c)^T H (theta - c) / 2 with kappa = 25.
H = np.array([[10.0, 4.0], [4.0, 2.0]])  # condition number about 34 (checked below)
C = np.array([1.0, -2.0])
LAM = np.linalg.eigvalsh(H)


def grad_quad(theta):
    return -H @ (np.asarray(theta) - C)


THETA0 = np.array([3.0, 1.0])
DETERMINISTIC = [
    optim.gradient_ascent,
    optim.momentum_ascent,
    optim.nesterov_ascent,
    optim.adam_ascent,
]


def test_the_test_problem_is_ill_conditioned():
    assert LAM[-1] / LAM[0] > 10


# --- closed forms ------------------------------------------------------------------------------


def test_gradient_ascent_follows_the_closed_form():
    lr = 0.1
    res = optim.gradient_ascent(grad_quad, THETA0, lr=lr, n_steps=30)
    A = np.eye(2) - lr * H
    expected = np.stack([C + np.linalg.matrix_power(A, t) @ (THETA0 - C) for t in range(31)])
    np.testing.assert_allclose(res.path, expected, rtol=1e-12, atol=1e-13)
    assert res.success and res.nit == 30 and res.path.shape == (31, 2)
    np.testing.assert_array_equal(res.x, res.path[-1])
    assert res.message == "completed 30 steps" and res.diverged_at is None


def _linear_recursion(M, state0, n):
    """Powers of a companion matrix: an independent route to the iterates."""
    return np.stack([np.linalg.matrix_power(M, t) @ state0 for t in range(n + 1)])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_follows_the_companion_matrix(beta):
    lr = 0.05
    res = optim.momentum_ascent(grad_quad, THETA0, lr=lr, beta=beta, n_steps=40)
    # state (e_t, v_t): v' = beta v - H e; e' = e + lr v'
    I2, Z = np.eye(2), np.zeros((2, 2))
    M = np.block([[I2 - lr * H, lr * beta * I2], [-H, beta * I2]])
    states = _linear_recursion(M, np.concatenate([THETA0 - C, [0.0, 0.0]]), 40)
    np.testing.assert_allclose(res.path, C + states[:, :2], rtol=1e-10, atol=1e-12)
    assert Z.shape == (2, 2)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_nesterov_follows_its_companion_matrix(beta):
    lr = 0.05
    res = optim.nesterov_ascent(grad_quad, THETA0, lr=lr, beta=beta, n_steps=40)
    # v' = beta v - H (e + lr beta v); e' = e + lr v'
    I2 = np.eye(2)
    Vv = beta * I2 - lr * beta * H
    M = np.block([[I2 - lr * H, lr * Vv], [-H, Vv]])
    states = _linear_recursion(M, np.concatenate([THETA0 - C, [0.0, 0.0]]), 40)
    np.testing.assert_allclose(res.path, C + states[:, :2], rtol=1e-10, atol=1e-12)


def test_momentum_with_beta_zero_is_gradient_ascent():
    a = optim.momentum_ascent(grad_quad, THETA0, lr=0.1, beta=0.0, n_steps=25)
    b = optim.gradient_ascent(grad_quad, THETA0, lr=0.1, n_steps=25)
    np.testing.assert_allclose(a.path, b.path, rtol=0, atol=0)


def test_adam_first_step_is_lr_in_every_coordinate_thanks_to_bias_correction():
    lr = 0.01
    res = optim.adam_ascent(grad_quad, THETA0, lr=lr, n_steps=1, eps=1e-12)
    g = grad_quad(THETA0)
    np.testing.assert_allclose(res.path[1] - THETA0, lr * np.sign(g), rtol=1e-9)
    # without the correction the first step would be (1 - beta1) / sqrt(1 - beta2) ~ 3.2 lr


def test_adam_matches_its_equations_written_out():
    lr, b1, b2, eps = 0.05, 0.8, 0.99, 1e-8
    res = optim.adam_ascent(grad_quad, THETA0, lr=lr, beta1=b1, beta2=b2, eps=eps, n_steps=20)
    theta, m, v = THETA0.copy(), 0.0, 0.0
    for t in range(1, 21):
        g = grad_quad(theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        theta = theta + lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(res.path[t], theta, rtol=1e-12)


# --- stability limits --------------------------------------------------------------------------

LIMITS = {
    "gradient": lambda beta: 2.0,
    "momentum": lambda beta: 2.0 + 2.0 * beta,
    "nesterov": lambda beta: (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta),
}
RUN = {
    "gradient": lambda lr, beta, n: optim.gradient_ascent(grad_quad, THETA0, lr=lr, n_steps=n),
    "momentum": lambda lr, beta, n: optim.momentum_ascent(
        grad_quad, THETA0, lr=lr, beta=beta, n_steps=n
    ),
    "nesterov": lambda lr, beta, n: optim.nesterov_ascent(
        grad_quad, THETA0, lr=lr, beta=beta, n_steps=n
    ),
}


@pytest.mark.parametrize("method", list(LIMITS))
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_stable_just_below_the_limit_and_diverges_just_above(method, beta):
    limit = LIMITS[method](beta) / LAM[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        below = RUN[method](0.97 * limit, beta, 4000)
        above = RUN[method](1.03 * limit, beta, 4000)
    assert below.success and np.linalg.norm(below.x - C) < 1e-6
    assert not above.success
    assert above.message.startswith(f"diverged at step {above.diverged_at}:")
    assert above.path.shape == (above.nit + 1, 2) and np.all(np.isfinite(above.path))


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.6, 0.9])
def test_momentum_spectral_radius_crosses_one_at_2_plus_2_beta(beta):
    """The roots of z^2 - (1 + beta - a) z + beta, a = lr lambda: |z| < 1 iff 0 < a < 2 + 2 beta."""
    for a, inside in [
        (0.5 * (2 + 2 * beta), True),
        (0.999 * (2 + 2 * beta), True),
        (1.001 * (2 + 2 * beta), False),
    ]:
        radius = np.abs(np.roots([1.0, -(1 + beta - a), beta])).max()
        assert (radius < 1) == inside


def test_best_gradient_ascent_rate_is_kappa_minus_one_over_kappa_plus_one():
    kappa = LAM[-1] / LAM[0]
    res = optim.gradient_ascent(grad_quad, THETA0, lr=2 / (LAM[0] + LAM[-1]), n_steps=60)
    err = np.linalg.norm(res.path - C, axis=1)
    rate = (err[60] / err[40]) ** (1 / 20)
    assert rate == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-6)


def test_tuned_momentum_rate_is_sqrt_kappa_version():
    sk = np.sqrt(LAM[-1] / LAM[0])
    lr = 4 / (np.sqrt(LAM[-1]) + np.sqrt(LAM[0])) ** 2
    beta = ((sk - 1) / (sk + 1)) ** 2
    res = optim.momentum_ascent(grad_quad, THETA0, lr=lr, beta=beta, n_steps=120)
    err = np.linalg.norm(res.path - C, axis=1)
    rate = (err[120] / err[60]) ** (1 / 60)
    assert rate == pytest.approx((sk - 1) / (sk + 1), rel=0.05)  # double root: a polynomial factor


# --- against scipy on the source problem ---------------------------------------------------------


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(0)
    X = rng.multivariate_normal([1.0, 1.0], 5 * np.eye(2), size=10_000)
    return X, 5 * np.eye(2)


@pytest.mark.parametrize(
    ("fn", "kwargs", "tol"),
    [
        (optim.gradient_ascent, {"lr": 4e-4, "n_steps": 50}, 1e-10),
        (optim.momentum_ascent, {"lr": 1e-4, "beta": 0.7, "n_steps": 200}, 1e-8),
        (optim.nesterov_ascent, {"lr": 1e-4, "beta": 0.7, "n_steps": 200}, 1e-8),
        (optim.adam_ascent, {"lr": 0.01, "n_steps": 2000}, 1e-3),
    ],
    ids=["gradient", "momentum", "nesterov", "adam"],
)
def test_optimisers_reach_scipys_optimum(source, fn, kwargs, tol):
    X, cov = source
    ref = optimize.minimize(
        lambda m: -mvn_loglik(X, m, cov),
        [-1.0, -1.0],
        jac=lambda m: -mvn_loglik_grad(X, m, cov),
        method="BFGS",
        options={"gtol": 1e-8},
    )
    assert np.allclose(ref.x, X.mean(axis=0), atol=1e-6)
    res = fn(lambda m: mvn_loglik_grad(X, m, cov), [-1.0, -1.0], **kwargs)
    assert res.success
    assert np.linalg.norm(res.x - ref.x) < tol


# --- divergence is reported, never warned ---------------------------------------------------------


@pytest.mark.parametrize("fn", DETERMINISTIC)
def test_overflowing_gradient_stops_the_run_without_warnings(fn):
    def explode(theta):
        return np.exp(np.abs(theta) * 1e3)  # overflows to inf

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fn(explode, [1.0], lr=1.0, n_steps=10)
    assert not res.success and res.diverged_at == 1
    assert res.message.startswith("diverged at step 1:") and "not finite" in res.message
    assert res.nit == 0 and res.path.shape == (1, 1)


def test_max_norm_counts_as_divergence():
    res = optim.gradient_ascent(
        lambda th: np.ones_like(th), [0.0], lr=1.0, n_steps=50, max_norm=10.0
    )
    assert not res.success and res.diverged_at == 11 and res.nit == 11
    assert res.path[-1, 0] == 11.0


# --- SGD ---------------------------------------------------------------------------------------


def _batch_grad(theta, batch):
    return np.sum(batch - theta, axis=0) / 5.0


def test_sgd_with_the_full_batch_is_gradient_ascent(source):
    X, cov = source
    a = optim.sgd_ascent(
        _batch_grad,
        X,
        [-1.0, -1.0],
        lr=2e-4,
        batch_size=X.shape[0],
        reduction="sum",
        n_steps=20,
        rng=0,
    )
    b = optim.gradient_ascent(
        lambda m: mvn_loglik_grad(X, m, cov), [-1.0, -1.0], lr=2e-4, n_steps=20
    )
    np.testing.assert_allclose(a.path, b.path, rtol=1e-9)


def test_sgd_batches_are_drawn_without_replacement_and_reproducible():
    X = np.arange(20.0)[:, None]
    seen = []

    def record(theta, batch):
        seen.append(batch[:, 0].copy())
        return np.zeros_like(theta)

    optim.sgd_ascent(record, X, [0.0], lr=0.1, batch_size=7, reduction="sum", n_steps=30, rng=3)
    assert all(len(set(b)) == 7 for b in seen) and len(seen) == 30
    first = [b.copy() for b in seen]
    seen.clear()
    optim.sgd_ascent(record, X, [0.0], lr=0.1, batch_size=7, reduction="sum", n_steps=30, rng=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, seen, strict=True))


def test_sgd_step_is_unbiased(source):
    """The mean of many one-step updates equals the full-data step (n/k rescaling)."""
    X, _ = source
    full = optim.gradient_ascent(lambda m: _batch_grad(m, X), [-1.0, -1.0], lr=1e-4, n_steps=1)
    rng = np.random.default_rng(1)
    steps = np.stack(
        [
            optim.sgd_ascent(
                _batch_grad,
                X,
                [-1.0, -1.0],
                lr=1e-4,
                batch_size=5,
                reduction="sum",
                n_steps=1,
                rng=rng,
            ).x
            for _ in range(2000)
        ]
    )
    se = steps.std(axis=0) / np.sqrt(len(steps))
    assert np.all(np.abs(steps.mean(axis=0) - full.x) < 4 * se)


def test_sgd_stationary_spread_matches_theory_and_decay_removes_it():
    rng = np.random.default_rng(2)
    n, k, lr = 500, 5, 4e-4  # 1-D, sigma^2 = 1: h = n, alpha = lr h = 0.2
    x = rng.standard_normal(n)
    X = x[:, None]
    finals = np.array(
        [
            optim.sgd_ascent(
                lambda th, b: np.sum(b - th, axis=0),
                X,
                [x.mean()],
                lr=lr,
                batch_size=k,
                reduction="sum",
                n_steps=60,
                rng=rng,
            ).x[0]
            for _ in range(400)
        ]
    )
    q = n**2 / k * (n - k) / (n - 1) * x.var()
    predicted = sgd_stationary_cov([[n]], [[q]], lr)[0, 0]
    assert finals.var() == pytest.approx(predicted, rel=0.2)
    decayed = np.array(
        [
            optim.sgd_ascent(
                lambda th, b: np.sum(b - th, axis=0),
                X,
                [x.mean()],
                lr=lr,
                batch_size=k,
                reduction="sum",
                n_steps=60,
                rng=rng,
                lr_decay=0.3,
            ).x[0]
            for _ in range(400)
        ]
    )
    assert decayed.var() < predicted / 3


def test_sgd_a_mean_and_a_sum_give_the_same_steps_when_reduction_says_which(source):
    """The callback's reduction is explicit: a batch mean with reduction="mean" takes the
    same steps as the batch sum with reduction="sum"; a mean passed as a sum is k times short."""
    X, _ = source
    kw = {"lr": 1e-4, "batch_size": 10, "n_steps": 15}
    by_sum = optim.sgd_ascent(_batch_grad, X, [-1.0, -1.0], reduction="sum", rng=4, **kw)

    def batch_mean(theta, batch):
        return _batch_grad(theta, batch) / len(batch)

    by_mean = optim.sgd_ascent(batch_mean, X, [-1.0, -1.0], reduction="mean", rng=4, **kw)
    np.testing.assert_allclose(by_mean.path, by_sum.path, rtol=1e-12)
    mistaken = optim.sgd_ascent(batch_mean, X, [-1.0, -1.0], reduction="sum", rng=4, **kw)
    first = by_sum.path[1] - by_sum.path[0]
    np.testing.assert_allclose(mistaken.path[1] - mistaken.path[0], first / 10, rtol=1e-12)


def test_sgd_has_no_default_reduction():
    with pytest.raises(TypeError, match="reduction"):
        optim.sgd_ascent(_batch_grad, _X, [0.0, 0.0], lr=0.1, batch_size=2, n_steps=1)


def test_divergence_is_measured_from_the_start_not_the_origin():
    """An optimum far from the origin is not a blow-up: max_norm bounds |theta - theta0|."""
    far = 1e9
    res = optim.gradient_ascent(lambda th: -(th - far - 3.0), [far], lr=0.5, n_steps=60)
    assert res.success and res.x[0] == pytest.approx(far + 3.0, rel=1e-12)
    blown = optim.gradient_ascent(lambda th: th - far, [far + 1.0], lr=1.0, n_steps=60)
    assert not blown.success and "|theta - theta0|" in blown.message
    assert blown.diverged_at == 27  # |theta - theta0| = 2^t - 1 first exceeds 1e8 at t = 27


def test_sgd_rejects_a_batch_larger_than_the_data():
    with pytest.raises(ValueError, match="batch_size must be between 1 and n_samples = 3"):
        optim.sgd_ascent(
            _batch_grad, np.ones((3, 1)), [0.0], lr=0.1, batch_size=4, reduction="sum", n_steps=1
        )


def test_sgd_accepts_1d_data_and_stats_reference():
    x = np.random.default_rng(0).normal(2.0, 1.0, 50)
    res = optim.sgd_ascent(
        lambda th, b: np.sum(b - th), x, [0.0], lr=0.01, batch_size=50, reduction="sum", n_steps=100
    )
    assert res.x[0] == pytest.approx(stats.norm.fit(x)[0], rel=1e-9)


# --- bad input ----------------------------------------------------------------------------------

_G = {"grad_fn": grad_quad, "theta0": [0.0, 0.0], "lr": 0.1, "n_steps": 3}
_KINDS = {"theta0": "sample", "lr": "scale", "n_steps": "count"}
_X = np.arange(10.0).reshape(5, 2)

BAD_INPUT = [
    *cases(optim.gradient_ascent, _G, _KINDS, extra={"theta0": [[[1.0]]]}),
    *cases(
        optim.momentum_ascent,
        {**_G, "beta": 0.5},
        {**_KINDS, "beta": "probability"},
        extra={"beta": [1.0]},
    ),
    *cases(
        optim.nesterov_ascent,
        {**_G, "beta": 0.5},
        {**_KINDS, "beta": "probability"},
        extra={"beta": [1.0]},
    ),
    *cases(
        optim.adam_ascent,
        {**_G, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8},
        {**_KINDS, "beta1": "probability", "beta2": "probability", "eps": "scale"},
        extra={"beta1": [1.0], "beta2": [1.0]},
    ),
    *cases(
        optim.sgd_ascent,
        {
            "batch_grad_fn": _batch_grad,
            "X": _X,
            "theta0": [0.0, 0.0],
            "lr": 0.1,
            "batch_size": 2,
            "n_steps": 3,
            "reduction": "sum",
            "rng": 0,
            "lr_decay": 0.0,
        },
        {
            "X": "array",
            "theta0": "sample",
            "lr": "scale",
            "batch_size": "count",
            "n_steps": "count",
            "reduction": "choice",
        },
        extra={"X": [[], [[1.0, np.inf]], np.ones((2, 2, 2))], "batch_size": [6]},
    ),
]


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize("fn", DETERMINISTIC)
def test_a_gradient_that_is_not_callable_is_rejected(fn):
    with pytest.raises(ValueError, match=r"^grad_fn must be a callable"):
        fn("not a function", [0.0], lr=0.1, n_steps=1)


@pytest.mark.parametrize("bad", [-1.0, np.nan, "fast"])
def test_sgd_rejects_a_bad_decay_naming_it(bad):
    with pytest.raises(ValueError, match=r"^lr_decay"):
        optim.sgd_ascent(
            _batch_grad,
            _X,
            [0.0, 0.0],
            lr=0.1,
            batch_size=2,
            reduction="sum",
            n_steps=1,
            lr_decay=bad,
        )
    with pytest.raises(ValueError, match=r"^batch_grad_fn must be a callable"):
        optim.sgd_ascent(None, _X, [0.0, 0.0], lr=0.1, batch_size=2, reduction="sum", n_steps=1)


def _meddling(grad_fn):
    """A gradient that scribbles over the iterate it was given (as scipy allows: it passes
    a copy)."""

    def fn(theta, *rest):
        g = grad_fn(theta, *rest)
        theta *= 10.0
        theta += 5.0
        for batch in rest:
            batch += 1.0
        return g

    return fn


@pytest.mark.parametrize("method", DETERMINISTIC)
def test_a_function_that_edits_its_argument_does_not_change_the_path(method):
    clean = method(grad_quad, THETA0, lr=0.05, n_steps=30)
    meddled = method(_meddling(grad_quad), THETA0, lr=0.05, n_steps=30)
    np.testing.assert_array_equal(meddled.path, clean.path)


@pytest.mark.parametrize("full", [False, True])
def test_sgd_hands_copies_of_the_iterate_and_the_batch(source, full):
    X = source[0][:500].copy()  # the fixture is shared: never hand it to a meddler
    X_before = X.copy()
    kw = {"lr": 2e-4, "batch_size": 500 if full else 5, "n_steps": 20, "rng": 0}
    clean = optim.sgd_ascent(_batch_grad, X, [-1.0, -1.0], reduction="sum", **kw)
    meddled = optim.sgd_ascent(_meddling(_batch_grad), X, [-1.0, -1.0], reduction="sum", **kw)
    np.testing.assert_array_equal(meddled.path, clean.path)
    np.testing.assert_array_equal(X, X_before)
