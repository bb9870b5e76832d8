"""Notebook 04's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import integrate, stats
from test_exercises import EXERCISES, leaks

from helpers.exercises import check, is_correct


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["04.1"].expected() == pytest.approx(11 / 16, rel=1e-14)  # (8 + 3)/(10 + 6)
    assert EXERCISES["04.2"].expected() == pytest.approx(
        10 / 21, rel=1e-14
    )  # Beta(2, 4): 4*5/(6*7)
    two_tails, _ = integrate.quad(lambda t: (1 - t) ** 2 * stats.beta.pdf(t, 2, 4), 0, 1)
    assert EXERCISES["04.2"].expected() == pytest.approx(two_tails, rel=1e-10)
    v = 0.02  # variance: the stationarity cubic of the lesson with m = 0.7, h = 3, n = 7
    roots = np.roots([1, -1.7, 0.7 - 7 * v, 3 * v])
    root = roots[(abs(roots.imag) < 1e-12) & (roots.real > 0) & (roots.real < 1)].real
    assert root.size == 1 and EXERCISES["04.3"].expected() == pytest.approx(root[0], abs=1e-10)
    assert EXERCISES["04.4"].expected() == "a" and EXERCISES["04.5"].expected() == "b"


def test_04_4_the_beta_2_2_posterior_mode_is_laplace_s_rule():
    """(h + 1)/(n + 2) is the mode of Beta(h + 2, n - h + 2) and neither its mean nor h/n."""
    for h, n in [(3, 7), (0, 4), (9, 10)]:
        grid = np.linspace(0, 1, 200_001)
        mode = grid[np.argmax(stats.beta.logpdf(grid, h + 2, n - h + 2))]
        assert mode == pytest.approx((h + 1) / (n + 2), abs=1e-5)
        assert stats.beta.mean(h + 2, n - h + 2) != pytest.approx((h + 1) / (n + 2))


def test_04_6_equals_quadrature_with_scipy_truncnorm():
    prior = stats.truncnorm((0 - 0.5) / 0.1, (1 - 0.5) / 0.1, loc=0.5, scale=0.1)

    def unnormalised(t):
        return t**3 * (1 - t) ** 4 * prior.pdf(t)

    above, _ = integrate.quad(unnormalised, 0.5, 1, epsabs=1e-14)
    total, _ = integrate.quad(unnormalised, 0, 1, epsabs=1e-14)
    assert EXERCISES["04.6"].expected() == pytest.approx(above / total, rel=1e-6)


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("04.1", 10 / 14, "posterior mode"),
        ("04.1", 0.8, "MLE"),
        ("04.1", 9 / 12, "Laplace"),
        ("04.1", 11 / 13, "denominator"),
        ("04.2", (3 / 4) ** 2, "plug-in"),
        ("04.2", (4 / 6) ** 2, "posterior variance"),
        ("04.3", 3 / 7, "MLE"),
        ("04.4", "b", "mean of Beta(h + 2, n - h + 2)"),
        ("04.4", "c", "h/n"),
        ("04.4", "d", "depend on the data"),
        ("04.5", "a", "constant"),
        ("04.5", "c", "renormalised density"),
        ("04.5", "d", "likelihood"),
        ("04.6", stats.beta.sf(0.5, 4, 5), "uniform prior"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out and "Correct" not in out
    if not EXERCISES[key].options:
        assert not leaks(out, EXERCISES[key].expected())


def test_04_3_recognises_the_variance_read_as_a_standard_deviation(capsys):
    from helpers.bayes import coin_map

    wrong = coin_map([0, 0, 1, 1, 0, 0, 1], prior_mean=0.7, prior_sd=0.02)
    assert not is_correct("04.3", wrong)
    check("04.3", wrong)
    assert "variance" in capsys.readouterr().out


def test_04_6_recognises_the_variance_reading_and_the_complement(capsys):
    e = EXERCISES["04.6"].expected()
    check("04.6", 1 - e)
    assert "direction" in capsys.readouterr().out
