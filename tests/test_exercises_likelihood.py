"""Notebook 01's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import optimize, stats
from test_exercises import EXERCISES, leaks

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import likelihood as ex01


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("01.1", ex01._ex_01_1_variance_misread(), "variance"),
        ("01.2", -EXERCISES["01.2"].expected(), "sign"),
        ("01.2", EXERCISES["01.2"].expected() / 2, "variance"),
        ("01.1", ex01._ex_01_1_no_square_root(), "square root"),
        ("01.1", EXERCISES["01.1"].expected() / np.log(10), "natural logs"),
        ("01.1", np.exp(EXERCISES["01.1"].expected()), "likelihood L"),
        ("01.3", 70.8970588, "waiting"),
        ("01.4", EXERCISES["01.4"].expected() - 1, "n counts from 1"),
        ("01.5", 70.8970588, "sample mean"),
        ("01.7", ex01._ex_01_7_slip("no_sqrt"), "normalising constant"),
        ("01.7", ex01._ex_01_7_slip("no_2pi"), "2 pi"),
        ("01.7", ex01._ex_01_7_slip("log10"), "natural logs"),
        ("01.7", ex01._ex_01_7_slip("mean"), "sums over the data"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out and not leaks(out, EXERCISES[key].expected())


def test_expected_values_agree_with_independent_computations():
    assert np.isclose(EXERCISES["01.1"].expected(), stats.norm.logpdf([4, 5, 7], 5, 2).sum())
    assert EXERCISES["01.2"].expected() == pytest.approx(8.0)  # -(1 - 3) / 0.25
    assert EXERCISES["01.3"].expected() == pytest.approx(load_old_faithful()["eruptions"].mean())
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
