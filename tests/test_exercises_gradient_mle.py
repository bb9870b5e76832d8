"""Notebook 03's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from test_exercises import EXERCISES, leaks

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import gradient_mle as ex03


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["03.1"].expected() == pytest.approx(2 * 0.25 / 2500, rel=1e-12)
    assert EXERCISES["03.2"].expected() == pytest.approx((2 + 2 * 0.8) / 50, rel=1e-12)
    # 03.3: iterate the variance recursion P <- (1 - lr h)^2 P + lr^2 q to convergence
    n, k, lr = 1000, 10, 1e-4
    h, q = n, n**2 / k * (n - k) / (n - 1)
    P = 0.0
    for _ in range(20_000):
        P = (1 - lr * h) ** 2 * P + lr**2 * q
    assert EXERCISES["03.3"].expected() == pytest.approx(P, rel=1e-9)
    # 03.6: the closed form mu_t = x_bar (1 - (1 - lr n / sigma^2)^t) from mu_0 = 0
    x = load_old_faithful()["waiting"].to_numpy()
    closed = x.mean() * (1 - (1 - 0.25 * x.size / 100.0) ** 5)
    assert EXERCISES["03.6"].expected() == pytest.approx(closed, rel=1e-10)


def test_momentum_limit_of_03_2_is_sharp():
    from helpers import optim

    lr = EXERCISES["03.2"].expected()
    above = optim.momentum_ascent(lambda th: -50.0 * th, [1.0], lr=1.001 * lr, beta=0.8,
                                  n_steps=50_000)  # fmt: skip
    assert not above.success


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("03.1", 2 * 4.0 / 2500, "sharpest direction"),
        ("03.1", 0.25 / 2500, "twice"),
        ("03.1", 0.5, "mean log-likelihood"),
        ("03.2", 2 / 50, "plain gradient ascent"),
        ("03.2", (2 + 1.6) / (2.6 * 50), "Nesterov"),
        ("03.3", ex03._ex_03_3_no_fpc(), "without replacement"),
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


def test_the_slips_are_distinct_from_the_answers():
    for key in ("03.1", "03.2", "03.3", "03.6"):
        expected = EXERCISES[key].expected()
        for wrong_fn, _ in EXERCISES[key].mistakes:
            assert not np.isclose(wrong_fn(), expected, rtol=1e-3)
