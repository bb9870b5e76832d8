"""Notebook 04's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import integrate, stats
from test_exercises import EXERCISES, assert_specific_hint

from helpers.exercises import check, is_correct
from helpers.exercises import map_coin as ex04
from helpers.exercises.registry import _function_verdict


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["04.1"].expected() == pytest.approx(11 / 16, rel=1e-14)  # (8 + 3)/(10 + 6)
    assert EXERCISES["04.2"].expected() == pytest.approx(
        5 / 14, rel=1e-14
    )  # Beta(2, 4): 4*5*6/(6*7*8)
    three_tails, _ = integrate.quad(lambda t: (1 - t) ** 3 * stats.beta.pdf(t, 2, 4), 0, 1)
    assert EXERCISES["04.2"].expected() == pytest.approx(three_tails, rel=1e-10)
    v = 0.02  # variance: the stationarity cubic of the lesson with m = 0.7, h = 3, n = 7
    roots = np.roots([1, -1.7, 0.7 - 7 * v, 3 * v])
    root = roots[(abs(roots.imag) < 1e-12) & (roots.real > 0) & (roots.real < 1)].real
    assert root.size == 1 and EXERCISES["04.3"].expected() == pytest.approx(root[0], abs=1e-10)
    assert EXERCISES["04.5"].expected() == "c"


def test_04_5_truncation_changes_the_evidence_and_nothing_after_normalising():
    """A Gaussian prior N(0.8, 0.1) (variance) truncated to (0, 1): the MAP and the normalised
    posterior are unchanged, the evidence is multiplied by 1/Z."""
    s, m = np.sqrt(0.1), 0.8
    cut = stats.truncnorm((0 - m) / s, (1 - m) / s, loc=m, scale=s)
    Z = stats.norm.cdf(1, m, s) - stats.norm.cdf(0, m, s)
    grid = np.linspace(0.001, 0.999, 999)
    lik = grid**3 * (1 - grid) ** 4
    ev_plain = integrate.quad(lambda t: t**3 * (1 - t) ** 4 * stats.norm.pdf(t, m, s), 0, 1)[0]
    ev_cut = integrate.quad(lambda t: t**3 * (1 - t) ** 4 * cut.pdf(t), 0, 1)[0]
    assert ev_cut / ev_plain == pytest.approx(1 / Z, rel=1e-8) and abs(1 / Z - 1) > 0.1
    post_plain = lik * stats.norm.pdf(grid, m, s) / ev_plain
    post_cut = lik * cut.pdf(grid) / ev_cut
    np.testing.assert_allclose(post_plain, post_cut, rtol=1e-8)


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
        ("04.3", 3 / 7, "MLE"),
        ("04.2", (3 / 4) ** 3, "plug-in"),
        ("04.2", (4 / 6) ** 3, "spread"),
        ("04.2", 10 / 21, "two tails"),
        ("04.5", "a", "constant"),
        ("04.5", "b", "normalisation"),
        ("04.5", "d", "likelihood"),
        ("04.6", stats.beta.sf(0.5, 4, 5), "uniform prior"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys)


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


# --------------------------------------------------------------------------------------
# Write the algorithm: the Beta-Bernoulli update toss by toss, the beta-binomial predictive

NEW = {ex.key: ex for ex in ex04.WRITE_THE_ALGORITHM}


def _student_updates(tosses, a, b):
    heads = np.concatenate([[0], np.cumsum(tosses)])
    return a + heads, b + np.arange(len(tosses) + 1) - heads


def _student_updates_loop(tosses, a, b):
    a_t, b_t = [a], [b]
    for x in tosses:
        a_t.append(a_t[-1] + x)
        b_t.append(b_t[-1] + 1 - x)
    return np.array(a_t), np.array(b_t)


def _student_predictive(m, tosses, a, b):
    from scipy.special import betaln, gammaln

    h, n = np.sum(tosses), len(tosses)
    j = np.arange(m + 1)
    log_comb = gammaln(m + 1) - gammaln(j + 1) - gammaln(m - j + 1)
    a2, b2 = a + h, b + n - h
    return np.exp(log_comb + betaln(a2 + j, b2 + m - j) - betaln(a2, b2))


def _student_predictive_naive(m, tosses, a, b):
    """Right formula, but Beta functions outside log space: nan after many tosses."""
    from scipy.special import beta, comb

    h, n = np.sum(tosses), len(tosses)
    j = np.arange(m + 1)
    with np.errstate(all="ignore"):
        return comb(m, j) * beta(a + h + j, b + n - h + m - j) / beta(a + h, b + n - h)


@pytest.mark.parametrize(
    ("key", "fn"),
    [("04.4", _student_updates), ("04.4", _student_updates_loop), ("04.7", _student_predictive)],
)
def test_a_right_function_written_another_way_passes(key, fn):
    ok, msg = _function_verdict(NEW[key], fn)
    assert ok, msg


def test_04_7_outside_log_space_fails_on_the_long_sequence_with_the_log_space_hint():
    ok, msg = _function_verdict(NEW["04.7"], _student_predictive_naive)
    assert not ok and "hidden case 4 of 4" in msg and "nan or inf" in msg, msg
    assert "log space" in msg


def test_04_4_the_last_entries_are_the_batch_posterior_and_sequential_equals_batch():
    for case in ex04._toss_cases(np.random.default_rng(2), (1, 17, 250)):
        a_t, b_t = ex04._beta_updates(**case)
        h, n = case["tosses"].sum(), case["tosses"].size
        assert (a_t[0], b_t[0]) == (case["a"], case["b"])
        assert a_t[-1] == pytest.approx(case["a"] + h) and b_t[-1] == pytest.approx(
            case["b"] + n - h
        )
        np.testing.assert_allclose(np.diff(a_t) + np.diff(b_t), 1.0)  # one pseudo-count a toss


def test_04_7_is_the_posterior_average_of_the_binomial_and_its_first_entry_is_exact():
    for case in ex04._predictive_cases(np.random.default_rng(4))[:3]:
        m, tosses, a, b = case["m"], case["tosses"], case["a"], case["b"]
        a2, b2 = a + tosses.sum(), b + tosses.size - tosses.sum()
        p = ex04._predictive_next(**case)
        assert p.sum() == pytest.approx(1.0, rel=1e-12)
        for j in range(m + 1):
            avg, _ = integrate.quad(
                lambda t, j=j, m=m, a2=a2, b2=b2: (
                    stats.binom.pmf(j, m, t) * stats.beta.pdf(t, a2, b2)
                ),
                0,
                1,
            )
            assert p[j] == pytest.approx(avg, rel=1e-7, abs=1e-13)
        if m == 1:  # one toss: the predictive is Laplace's (h + a) / (n + a + b)
            assert p[1] == pytest.approx(a2 / (a2 + b2), rel=1e-12)
        # wider than the plug-in binomial at the posterior mean: the variance adds the posterior's
        j = np.arange(m + 1)
        plug = stats.binom.pmf(j, m, a2 / (a2 + b2))
        mean_p, mean_plug = np.sum(p * j), np.sum(plug * j)
        assert mean_p == pytest.approx(mean_plug, rel=1e-10)  # the same mean, m (h + a)/(n + a + b)
        if m > 1:
            assert np.sum(p * (j - mean_p) ** 2) > np.sum(plug * (j - mean_plug) ** 2)
