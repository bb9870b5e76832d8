"""Notebook 01's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
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
