"""Notebook 03's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from test_exercises import EXERCISES, leaks

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import gradient_mle as ex03


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["03.1"].expected() == pytest.approx(2 * 0.25 / 4000, rel=1e-12)
    assert EXERCISES["03.1"].expected() == pytest.approx(1.25e-4, rel=1e-12)
    # 03.2: the smallest beta with a vanishing discriminant (1 + beta - a)^2 - 4 beta, a = 0.5
    beta = EXERCISES["03.2"].expected()
    assert (1 + beta - 0.5) ** 2 - 4 * beta == pytest.approx(0.0, abs=1e-12)
    assert 0 < beta < 1
    # 03.3: the batch mean's gradient is (1/n) times the (n/k)-rescaled one: a step lr / n on the
    # sum; iterate the variance recursion P <- (1 - lr h)^2 P + lr^2 q to convergence
    n, k, lr = 1000, 10, 0.05 / 1000
    h, q = n, n**2 / k * (n - k) / (n - 1)
    P = 0.0
    for _ in range(20_000):
        P = (1 - lr * h) ** 2 * P + lr**2 * q
    assert EXERCISES["03.3"].expected() == pytest.approx(P, rel=1e-9)
    # 03.6: the closed form mu_t = x_bar (1 - (1 - lr n / sigma^2)^t) from mu_0 = 0
    x = load_old_faithful()["waiting"].to_numpy()
    closed = x.mean() * (1 - (1 - 0.25 * x.size / 100.0) ** 5)
    assert EXERCISES["03.6"].expected() == pytest.approx(closed, rel=1e-10)


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
                             lr=0.05, batch_size=10, n_steps=150, rng=rng).x[0]
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
        ("03.3", ex03._var_3(0.05), "convert lr"),
        ("03.3", ex03._var_3(5e-5, fpc=False), "without replacement"),
        ("03.3", ex03._ex_03_3_small_lr(), "small-lr"),
        ("03.4", "c", "too large a step"),
        ("03.5", "a", "doubles the variance"),
        ("03.6", ex03._mu_after(4), "Count again"),
        ("03.6", ex03._mu_after(5, mean_objective=True), "mean log-likelihood"),
        ("03.6", load_old_faithful()["waiting"].mean(), "heading"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out
    expected = EXERCISES[key].expected()
    if not isinstance(expected, str):
        assert not leaks(out, expected)


def test_the_slips_are_distinct_from_the_answers_and_from_each_other():
    for key in ("03.1", "03.2", "03.3", "03.6"):
        values = [EXERCISES[key].expected()] + [f() for f, _ in EXERCISES[key].mistakes]
        for i, a in enumerate(values):
            for b in values[i + 1 :]:
                assert not np.isclose(a, b, rtol=1e-3), key  # every message can appear
