"""Notebook 05's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from test_exercises import EXERCISES, leaks

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import gmm_em as ex05

W, MU, SD = np.array([0.3, 0.7]), np.array([-2.0, 1.5]), np.array([0.6, 1.0])


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("05.1", stats.norm.pdf(0, MU, SD).sum(), "weights are missing"),
        ("05.1", stats.norm.pdf(0, MU, SD).mean(), "Equal weights"),
        ("05.1", W @ stats.norm.pdf(0, MU, np.sqrt(SD)), "standard deviations"),
        ("05.1", np.log(W @ stats.norm.pdf(0, MU, SD)), "log density"),
        ("05.2", -0.25, "midpoint"),
        ("05.2", -0.25 + np.log(7 / 3) / 3.5, "sign"),
        ("05.3", "a", "local maximum"),
        ("05.3", "c", "Permuting"),
        ("05.4", 18, "K - 1"),
        ("05.4", 20, "3 free entries"),
        ("05.5", ex05._ex_05_5_variance_slip(), "standard deviation"),
        ("05.5", ex05._ex_05_5_hard(), "hard assignment"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out
    if key != "05.3":
        assert not leaks(out, EXERCISES[key].expected())


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["05.1"].expected() == pytest.approx(W @ stats.norm.pdf(0, MU, SD), rel=1e-12)
    closed_form = MU.mean() - np.log(W[1] / W[0]) / (MU[1] - MU[0])  # sigma = 1
    assert EXERCISES["05.2"].expected() == pytest.approx(closed_form, abs=1e-10)
    assert EXERCISES["05.4"].expected() == 17
    x = load_old_faithful()["waiting"].to_numpy()
    log_w = np.log(0.5) + stats.norm.logpdf(x[:, None], [50.0, 80.0], 5.0)
    r = np.exp(log_w - logsumexp(log_w, axis=1, keepdims=True))[:, 0]
    assert EXERCISES["05.5"].expected() == pytest.approx(r @ x / r.sum(), rel=1e-12)
