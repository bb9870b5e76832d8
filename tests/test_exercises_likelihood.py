"""Notebook 01's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import optimize, stats
from test_exercises import EXERCISES, assert_specific_hint

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import likelihood as ex01


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("01.2", -EXERCISES["01.2"].expected(), "sign"),
        ("01.2", EXERCISES["01.2"].expected() / 2, "variance"),
        ("01.4", EXERCISES["01.4"].expected() - 1, "n counts from 1"),
        ("01.4", ex01._ex_01_4_estimate(), "the estimate"),
        ("01.5", 70.8970588, "sample mean"),
        ("01.7", ex01._ex_01_7_slip("no_sqrt"), "normalising constant"),
        ("01.7", ex01._ex_01_7_slip("no_2pi"), "2 pi"),
        ("01.7", ex01._ex_01_7_slip("log10"), "natural logs"),
        ("01.7", ex01._ex_01_7_slip("mean"), "sums over the data"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys)


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["01.2"].expected() == pytest.approx(8.0)  # -(1 - 3) / 0.25
    n = EXERCISES["01.4"].expected()
    assert n == int(n) and 272 < n < 272 * 20


def test_laplace_location_mle_is_the_median_not_the_mean():
    """01.5: maximise the Laplace log-likelihood numerically, for two scales b."""
    waiting = load_old_faithful()["waiting"].to_numpy()
    for b in (3.0, 10.0):
        best = optimize.minimize_scalar(
            lambda m: -stats.laplace.logpdf(waiting, m, b).sum(),  # noqa: B023
            bounds=(40, 100), method="bounded", options={"xatol": 1e-6},
        )  # fmt: skip
        assert best.x == pytest.approx(EXERCISES["01.5"].expected(), abs=1e-3)
        assert abs(best.x - waiting.mean()) > 5


def test_hours_shift_every_log_likelihood_by_n_log_60():
    """01.6: the right option, (b), in numbers; (a), (c) and (d) are wrong."""
    minutes = load_old_faithful()["waiting"].to_numpy()
    hours = minutes / 60
    for mu, sigma in [(70.9, 13.57), (80.0, 6.0), (60.0, 20.0)]:
        shift = (
            stats.norm.logpdf(hours, mu / 60, sigma / 60).sum()
            - stats.norm.logpdf(minutes, mu, sigma).sum()
        )
        assert shift == pytest.approx(minutes.size * np.log(60), rel=1e-10)  # not (c), not (d)
    assert hours.mean() * 60 == pytest.approx(minutes.mean())  # the same fit: not (a)
    assert hours.std() * 60 == pytest.approx(minutes.std())
    assert np.prod(stats.norm.pdf(hours, hours.mean(), hours.std())) > 1  # no underflow
    assert EXERCISES["01.6"].expected() == "b"


@pytest.mark.parametrize("wrong", ["a", "c", "d"])
def test_each_wrong_option_gets_its_own_hint(wrong, capsys):
    check("01.6", wrong)
    out = capsys.readouterr().out
    assert "Not quite" in out and "Hint" not in out  # a specific hint, not the general one


def test_from_scratch_grid_maximum_agrees_with_scipy():
    """01.7: the grid maximum, with scipy; close to (just below) the exact maximum."""
    x = load_old_faithful()["eruptions"].to_numpy()
    mu, sigma = np.meshgrid(ex01.GRID_01_7["mu"], ex01.GRID_01_7["sigma"])
    grid = stats.norm.logpdf(x[:, None, None], mu, sigma).sum(axis=0)
    assert EXERCISES["01.7"].expected() == pytest.approx(grid.max(), rel=1e-12)
    exact = stats.norm.logpdf(x, x.mean(), x.std()).sum()
    assert exact - 0.1 < grid.max() <= exact


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises: right functions written differently pass, each slip gets
# its own hint, and the product of densities fails only where it underflows.


def _verdict(exercise, fn):
    from helpers.exercises.registry import _function_verdict

    return _function_verdict(exercise, fn)


def _hidden_cases(exercise):
    return exercise.cases(np.random.default_rng(exercise.seed))


def test_log_likelihood_reference_agrees_with_scipy_and_a_student_version_passes():
    ex = ex01.LOG_LIKELIHOOD
    for case in _hidden_cases(ex):
        want = stats.norm.logpdf(case["x"], case["mu"], case["sigma"]).sum()
        assert ex.reference(**case) == pytest.approx(want, rel=1e-12)

    def student(x, mu, sigma):
        z = (x - mu) / sigma
        return np.sum(-0.5 * z**2 - np.log(sigma) - 0.5 * np.log(2 * np.pi))

    ok, msg = _verdict(ex, student)
    assert ok, msg
    assert _verdict(ex, lambda x, mu, sigma: stats.norm.logpdf(x, mu, sigma).sum())[0]


def test_log_likelihood_product_slip_passes_small_samples_and_fails_on_the_large_one():
    ex = ex01.LOG_LIKELIHOOD
    cases = _hidden_cases(ex)
    small, large = cases[0], cases[-1]
    assert ex01._loglik_product(**small) == pytest.approx(ex.reference(**small), rel=1e-9)
    assert ex01._loglik_product(**large) == -np.inf  # the product underflowed to 0.0
    assert np.prod(stats.norm.pdf(large["x"], large["mu"], large["sigma"])) == 0.0

    def product_as_students_write_it(x, mu, sigma):
        dens = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
        return np.log(np.prod(dens))  # warns (log of 0.0): the check catches the warning

    ok, msg = _verdict(ex, product_as_students_write_it)
    assert not ok and f"hidden case {len(cases)} of {len(cases)}" in msg and "underflows" in msg


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda x, mu, sigma: stats.norm.logpdf(x, mu, np.sqrt(sigma)).sum(), "variance"),
        (lambda x, mu, sigma: stats.norm.logpdf(x, mu, sigma).mean(), "average log density"),
        (lambda x, mu, sigma: np.prod(stats.norm.pdf(x, mu, sigma)), "likelihood L"),
        (lambda x, mu, sigma: np.log10(stats.norm.pdf(x, mu, sigma)).sum(), "natural logs"),
        (lambda x, mu, sigma: stats.norm.logpdf(x, mu, sigma), "shape"),
    ],
)
def test_log_likelihood_slips_written_with_scipy_get_their_hint(fn, says):
    ok, msg = _verdict(ex01.LOG_LIKELIHOOD, fn)
    assert not ok and says in msg, msg


def test_mu_interval_reference_is_where_the_log_likelihood_drops_by_nats():
    """The closed form against a root finder on l(mu) - l(x_bar) + nats, with scipy."""
    ex = ex01.MU_INTERVAL
    for case in _hidden_cases(ex):
        x, sigma, nats = case["x"], case["sigma"], case["nats"]

        def drop(m, x=x, sigma=sigma, nats=nats):
            top = stats.norm.logpdf(x, x.mean(), sigma).sum()
            return stats.norm.logpdf(x, m, sigma).sum() - top + nats

        width = 10 * sigma
        low = optimize.brentq(drop, x.mean() - width, x.mean(), xtol=1e-12)
        high = optimize.brentq(drop, x.mean(), x.mean() + width, xtol=1e-12)
        assert ex.reference(**case) == pytest.approx((low, high), rel=1e-9)


def test_mu_interval_with_the_95_percent_threshold_is_the_familiar_one():
    """1.92 nats is chi2(1)'s 95 % point over 2: the interval is x_bar +- 1.96 sigma/sqrt(n)."""
    x = np.random.default_rng(3).normal(size=30)
    nats = stats.chi2.ppf(0.95, df=1) / 2
    low, high = ex01._interval_reference(x, 2.0, nats)
    half = stats.norm.ppf(0.975) * 2.0 / np.sqrt(x.size)
    assert (low, high) == pytest.approx((x.mean() - half, x.mean() + half), rel=1e-12)


def test_mu_interval_accepts_a_root_finder():
    def student(x, sigma, nats):
        def drop(m):
            return -np.sum((x - m) ** 2 - (x - x.mean()) ** 2) / (2 * sigma**2) + nats

        return (
            optimize.brentq(drop, x.mean() - 50 * sigma, x.mean(), xtol=1e-12),
            optimize.brentq(drop, x.mean(), x.mean() + 50 * sigma, xtol=1e-12),
        )

    ok, msg = _verdict(ex01.MU_INTERVAL, student)
    assert ok, msg


def test_01_4_estimate_is_the_floor_over_the_average_log_density_and_close_to_exact():
    """744 / 1.55 is about 480; the exact n differs by one (the estimate is not accepted)."""
    x = load_old_faithful()["eruptions"].to_numpy()
    average = stats.norm.logpdf(x, x.mean(), x.std()).mean()
    assert round(average, 2) == -1.55
    estimate = ex01._ex_01_4_estimate()
    assert estimate == round(-np.log(np.finfo(float).smallest_subnormal) / -average) == 480
    exact = EXERCISES["01.4"].expected()
    assert abs(exact - estimate) <= 2 and exact != estimate


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma**2) - 0.5 * np.log(2 * np.pi)
        ),
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - 0.5 * np.log(2 * np.pi * sigma)
        ),
    ],
)
def test_log_likelihood_wrong_constant_gets_the_constant_hint(fn):
    """A newcomer's slip (log sigma^2 for log sigma) is named, not met by the generic hint."""
    ok, msg = _verdict(ex01.LOG_LIKELIHOOD, fn)
    assert not ok and "do not depend on x" in msg, msg


@pytest.mark.parametrize(
    "fn",
    [  # a newcomer's slip: log(2 pi) where half of it belongs; then the sign, then the lost 2
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - np.log(2 * np.pi)
        ),
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) + 0.5 * np.log(2 * np.pi)
        ),
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.5 * np.log(np.pi)
        ),
    ],
)
def test_log_likelihood_constant_off_per_point_gets_its_own_hint(fn):
    """Off by the same amount per point, whatever x and sigma are: named, not the generic hint."""
    ok, msg = _verdict(ex01.LOG_LIKELIHOOD, fn)
    assert not ok and "whatever x is (and whatever sigma is)" in msg and "Hint: " not in msg, msg
    assert "np.log" not in msg and "0.5" not in msg, msg  # the hint never gives the code


@pytest.mark.parametrize(
    "fn",
    [  # constants no slip list names: pi lost from 2 pi, a typed-in 0.92, log 2 pi per point twice
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.5 * np.log(2)
        ),
        lambda x, mu, sigma: np.sum(-((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.92),
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 1.5 * np.log(2 * np.pi)
        ),
    ],
)
def test_log_likelihood_any_constant_off_per_point_is_diagnosed(fn):
    """The whole class of wrong constants, not only the listed ones, gets the per-point hint."""
    ok, msg = _verdict(ex01.LOG_LIKELIHOOD, fn)
    assert not ok and "whatever x is (and whatever sigma is)" in msg and "Hint: " not in msg, msg


@pytest.mark.parametrize(
    "fn",
    [  # off by an amount that depends on sigma, or on x: not the per-point-constant class
        lambda x, mu, sigma: np.sum(-((x - mu) ** 2) / (2 * sigma**2) - 0.5 * np.log(2 * np.pi)),
        lambda x, mu, sigma: np.sum(
            -((x - mu) ** 2) / sigma**2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)
        ),
        lambda x, mu, sigma: 1 / 0,
        lambda x, mu, sigma: "a string",
    ],
)
def test_log_likelihood_diagnosis_says_nothing_outside_its_class(fn):
    ok, msg = _verdict(ex01.LOG_LIKELIHOOD, fn)
    assert not ok and "whatever x is (and whatever sigma is)" not in msg, msg
