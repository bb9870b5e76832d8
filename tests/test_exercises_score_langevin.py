"""Notebook 06's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from test_exercises import EXERCISES, leaks

from helpers.exercises import check
from helpers.exercises import score_langevin as ex06


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("06.1", 1.0, "target's variance"),
        ("06.1", 2.0, "factor 2"),
        ("06.1", 1.25, "first-order"),
        ("06.2", 0.25, "factor 0"),
        ("06.2", 2.0, "variance"),
        ("06.2", 0.5, "eps in this notebook"),
        (
            "06.3",
            float(np.array([0.3, 0.7]) @ ((np.array([-1.0, 2.0]) - 0.5) / [0.25, 1.0])),
            "responsibilities",
        ),
        ("06.4", "a", "exact formula"),
        ("06.4", "c", "widens each mode"),
        ("06.5", 0.5, "equally"),
        ("06.5", -0.5, "nearest point"),
        ("06.5", -ex06._ex_06_5(), "sign"),
        ("06.6", 0.25, "target's variance"),
        ("06.6", ex06._from_scratch(1.0), "sqrt(2 eps)"),
        ("06.6", 0.25 / 0.9, "theory predicts"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out
    if not EXERCISES[key].options:
        assert not leaks(out, EXERCISES[key].expected())


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["06.1"].expected() == pytest.approx(4 / 3)
    # alpha = 2 eps and the eps limit is 2 sigma^2: ULA's variance is finite just below it
    assert EXERCISES["06.2"].expected() == pytest.approx(1.0)
    from helpers.langevin import ula_gaussian_variance

    assert np.isfinite(ula_gaussian_variance(0.5, 0.99 * EXERCISES["06.2"].expected() / 2))
    assert np.isinf(ula_gaussian_variance(0.5, EXERCISES["06.2"].expected() / 2))

    def log_p(x):
        return np.log(0.3 * stats.norm.pdf(x, -1, 0.5) + 0.7 * stats.norm.pdf(x, 2, 1))

    h = 1e-6
    fd = (log_p(0.5 + h) - log_p(0.5 - h)) / (2 * h)
    assert EXERCISES["06.3"].expected() == pytest.approx(fd, rel=1e-6)
    # 06.5: the posterior mean of (x - x~) / sigma^2 over the two points, written out
    r = stats.norm.pdf(0.5, [0.0, 2.0], 1.0) / stats.norm.pdf(0.5, [0.0, 2.0], 1.0).sum()
    assert EXERCISES["06.5"].expected() == pytest.approx(
        r @ (np.array([0.0, 2.0]) - 0.5), rel=1e-12
    )
    assert EXERCISES["06.6"].expected() == pytest.approx(ex06._from_scratch(), rel=1e-10)
    # the from-scratch answer is a sample variance, close to (but not) the theory
    assert EXERCISES["06.6"].expected() == pytest.approx(0.25 / 0.9, rel=0.05)
    assert EXERCISES["06.6"].expected() != pytest.approx(0.25 / 0.9, rel=1e-3)
