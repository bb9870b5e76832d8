"""Notebook 02's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from test_exercises import EXERCISES, leaks

from helpers.data import load_penguins
from helpers.exercises import check, is_correct
from helpers.exercises import closed_form_mle as ex02


@pytest.fixture(scope="module")
def penguins():
    return load_penguins()


def test_expected_values_agree_with_independent_computations(penguins):
    gentoo = penguins.loc[penguins["species"] == "Gentoo", "flipper_length_mm"]
    assert EXERCISES["02.1"].expected() == pytest.approx(gentoo.var(ddof=0), rel=1e-12)
    assert EXERCISES["02.1"].expected() == pytest.approx(stats.norm.fit(gentoo)[1] ** 2)
    # scipy's exponential fit with the location pinned at 0 returns the scale 1 / lambda
    _, scale = stats.expon.fit(ex02.EXPONENTIAL_SAMPLE, floc=0)
    assert EXERCISES["02.2"].expected() == pytest.approx(1 / scale, rel=1e-12)
    adelie = penguins[penguins["species"] == "Adelie"]
    x, y = adelie["flipper_length_mm"].to_numpy(), adelie["body_mass_g"].to_numpy()
    residuals = y - np.polyval(np.polyfit(x, y, 1), x)
    assert EXERCISES["02.4"].expected() == pytest.approx(np.sqrt(np.mean(residuals**2)))
    pts = np.random.default_rng(0).normal(size=(ex02.RANK_N, ex02.RANK_D))
    rank = np.linalg.matrix_rank(np.cov(pts, rowvar=False, bias=True))
    assert EXERCISES["02.5"].expected() == rank
    gamma = stats.gamma(ex02.GAMMA_SHAPE, scale=ex02.GAMMA_SCALE)
    assert EXERCISES["02.7"].expected() == pytest.approx(gamma.std(), rel=1e-12)


def test_exercise_02_7_is_what_a_large_sample_gives():
    x = np.random.default_rng(1).gamma(ex02.GAMMA_SHAPE, ex02.GAMMA_SCALE, 1_000_000)
    assert is_correct("02.7", np.std(x))  # within the check's 0.5 % tolerance


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("02.1", lambda p: p.loc[p.species == "Gentoo", "flipper_length_mm"].var(), "n - 1"),
        ("02.1", lambda p: p.loc[p.species == "Gentoo", "flipper_length_mm"].std(ddof=0),
         "standard deviation"),
        ("02.2", lambda p: ex02.EXPONENTIAL_SAMPLE.mean(), "1/lambda"),
        ("02.2", lambda p: 4 / ex02.EXPONENTIAL_SAMPLE.sum(), "n - 1"),
        ("02.3", lambda p: "c", "true mean"),
        ("02.3", lambda p: "a", "(n - 1)/n"),
        ("02.4", lambda p: ex02._ex_02_4_n_minus_2(), "n - 2"),
        ("02.4", lambda p: EXERCISES["02.4"].expected() ** 2, "variance"),
        ("02.5", lambda p: ex02.RANK_N, "centring"),
        ("02.6", lambda p: "b", "VAE"),
        ("02.7", lambda p: ex02.GAMMA_SCALE, "scale parameter"),
        ("02.7", lambda p: 12.0, "variance"),
    ],
)  # fmt: skip
def test_known_mistakes_get_a_specific_hint(penguins, key, wrong, says, capsys):
    check(key, wrong(penguins))
    out = capsys.readouterr().out
    assert says in out, out
    if not EXERCISES[key].options:
        assert not leaks(out, EXERCISES[key].expected())


def test_kinds_of_exercise_are_all_present():
    mine = {k: e for k, e in EXERCISES.items() if k.startswith("02.")}
    assert sum(bool(e.options) for e in mine.values()) >= 2  # conceptual
    assert "Derive" in mine["02.2"].question  # derivation
    assert "From scratch" in mine["02.4"].question
