"""Notebook 05's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from test_exercises import EXERCISES, assert_specific_hint

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import gmm_em as ex05
from helpers.exercises.registry import _function_verdict

W, MU, SD = np.array([0.3, 0.7]), np.array([-2.0, 1.5]), np.array([0.6, 1.0])
N_FAITHFUL = len(load_old_faithful())


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("05.1", W @ (SD**2 + MU**2), "E[x^2]"),
        ("05.1", W @ SD**2, "within the components"),
        ("05.1", W @ (SD + MU**2) - (W @ MU) ** 2, "square them"),
        ("05.1", 0.5 * (SD**2 + MU**2).sum() - MU.mean() ** 2, "Equal weights"),
        ("05.1", W @ MU**2 - (W @ MU) ** 2, "spread of the component means"),
        ("05.2", -0.25, "midpoint"),
        ("05.2", -0.25 + np.log(7 / 3) / 3.5, "sign"),
        ("05.5", "a", "local maximum"),
        ("05.5", "b", "Relisting"),
        ("05.5", "d", "without limit"),
        ("05.6", 6 * np.log(N_FAITHFUL), "divide the penalty by 2"),
        ("05.6", 5 * np.log(N_FAITHFUL) / 2, "one free weight"),
        ("05.6", 7 * np.log(N_FAITHFUL) / 2, "3 free entries"),
        ("05.6", 3 * np.log10(N_FAITHFUL), "natural log"),
        ("05.7", "a", "inside the grid"),
        ("05.7", "c", "overlap less"),
        ("05.7", "d", "not what stops it"),
        ("05.8", 2, "not like 1/N"),
        ("05.8", 4, "N^(-1/2)"),
        ("05.8", 2 ** (5 / 4), "halves the MISE"),
        ("05.8", 1 / 32, "must grow"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys, leak_check=key not in ("05.5", "05.7"))


def test_expected_values_agree_with_independent_computations():
    mean = W @ MU
    assert EXERCISES["05.1"].expected() == pytest.approx(W @ (SD**2 + MU**2) - mean**2, rel=1e-9)
    rng = np.random.default_rng(0)  # and by sampling: 4 standard errors
    z = rng.random(400_000) < W[0]
    x = np.where(z, rng.normal(MU[0], SD[0], z.size), rng.normal(MU[1], SD[1], z.size))
    assert abs(x.var() - EXERCISES["05.1"].expected()) < 4 * 3.38 * np.sqrt(2 / x.size) * 1.5
    closed_form = MU.mean() - np.log(W[1] / W[0]) / (MU[1] - MU[0])  # sigma = 1
    assert EXERCISES["05.2"].expected() == pytest.approx(closed_form, abs=1e-10)
    # 05.6: BIC_3 - BIC_2 = -2 (l_3 - l_2) + (p_3 - p_2) log N, p = 5K + (K - 1) in 2-D
    extra = (5 * 3 + 2) - (5 * 2 + 1)
    assert extra == 6
    assert EXERCISES["05.6"].expected() == pytest.approx(extra * np.log(272) / 2, rel=1e-12)
    assert EXERCISES["05.8"].expected() == 32


def test_the_bic_threshold_is_where_bic_changes_its_mind():
    """A gain just above the threshold makes BIC prefer K = 3; just below, K = 2."""
    threshold = EXERCISES["05.6"].expected()
    for gain, prefers_3 in ((threshold + 0.01, True), (threshold - 0.01, False)):
        bic_2, bic_3 = -2 * 0.0 + 11 * np.log(272), -2 * gain + 17 * np.log(272)
        assert (bic_3 < bic_2) == prefers_3


@pytest.mark.parametrize(("key", "rounded"), [("05.1", 3.3805), ("05.2", -0.492), ("05.6", 16.817)])
def test_answers_at_the_stated_precision_are_accepted(key, rounded):
    from helpers.exercises import is_correct

    assert is_correct(key, rounded)


@pytest.mark.parametrize(
    ("key", "giveaways"),
    [
        ("05.5", ("global", "relabel", "relist", "mislead", "degenerate")),
        ("05.7", ("twin", "once", "grid", "overlap")),
    ],
)
def test_multiple_choice_hints_before_an_answer_are_neutral(key, giveaways, capsys):
    """The hint printed for an unanswered multiple-choice exercise points to no option."""
    check(key, None)
    out = capsys.readouterr().out.lower()
    assert "hint" in out
    assert not any(word in out for word in giveaways)


def test_multiple_choice_options_have_similar_lengths():
    """The right option is not the longest by far (issue 18: answerable from the options)."""
    import json
    import re
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "notebooks" / "05_gmm_em.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]
    for key in ("05.5", "05.7"):
        prompt = next(c for c in cells if c.startswith(f"**{key}**"))
        options = dict(re.findall(r"^- \(([a-d])\) (.*)$", prompt, re.M))
        right = len(options[EXERCISES[key].expected()])
        assert right <= 1.25 * min(len(o) for o in options.values()), (key, options)


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises: the references against scipy and scikit-learn's formulas,
# and correct functions written another way are accepted.

FUNCTIONS = {"05.3": ex05.E_STEP, "05.4": ex05.EM_STEP}


def _cases(key):
    ex = FUNCTIONS[key]
    return ex.cases(np.random.default_rng(ex.seed))


def test_the_e_step_reference_is_bayes_rule_and_stays_finite_far_out():
    for case in _cases("05.3"):
        r = FUNCTIONS["05.3"].reference(**case)
        assert np.all(np.isfinite(r)) and np.allclose(r.sum(axis=1), 1.0, atol=1e-12)
        log_joint = np.log(case["weights"]) + stats.norm.logpdf(
            case["x"][:, None], case["means"], case["sds"]
        )
        log_r = log_joint - logsumexp(log_joint, axis=1, keepdims=True)
        np.testing.assert_allclose(r, np.exp(log_r), atol=1e-12)
    far = _cases("05.3")[-1]
    with np.errstate(invalid="ignore"):
        dens = far["weights"] * stats.norm.pdf(far["x"][:, None], far["means"], far["sds"])
        assert np.isnan(dens / dens.sum(axis=1, keepdims=True)).any()  # the case that needs lse


def test_the_em_step_reference_is_one_iteration_of_em_with_no_regularisation():
    for case in _cases("05.4"):
        weights, means, sds = FUNCTIONS["05.4"].reference(**case)
        r = FUNCTIONS["05.3"].reference(**case)
        nk = r.sum(axis=0)
        np.testing.assert_allclose(weights, nk / len(case["x"]), rtol=1e-12)
        np.testing.assert_allclose(means, r.T @ case["x"] / nk, rtol=1e-12)
        var = (r * (case["x"][:, None] - means) ** 2).sum(axis=0) / nk
        np.testing.assert_allclose(sds, np.sqrt(var), rtol=1e-10)

        # EM never lowers the log-likelihood
        def loglik(w, m, s, x=case["x"]):
            return logsumexp(np.log(w) + stats.norm.logpdf(x[:, None], m, s), axis=1).sum()

        assert loglik(weights, means, sds) >= loglik(case["weights"], case["means"], case["sds"])


def _e_step(x, weights, means, sds):
    z = (x[:, None] - means) / sds
    log_joint = np.log(weights) - 0.5 * z**2 - np.log(sds * np.sqrt(2 * np.pi))
    log_joint -= log_joint.max(axis=1, keepdims=True)  # a max-shift instead of logsumexp
    r = np.exp(log_joint)
    return r / r.sum(axis=1, keepdims=True)


def _em_step(x, weights, means, sds):
    r = _e_step(x, weights, means, sds)
    n_k = r.sum(axis=0)
    mu = (r * x[:, None]).sum(axis=0) / n_k
    sd = np.sqrt((r * (x[:, None] - mu) ** 2).sum(axis=0) / n_k)
    return n_k / n_k.sum(), mu, sd


@pytest.mark.parametrize(("key", "fn"), [("05.3", _e_step), ("05.4", _em_step)])
def test_correct_functions_written_another_way_are_accepted(key, fn):
    ok, msg = _function_verdict(FUNCTIONS[key], fn)
    assert ok and msg.startswith(f"[{key}] Correct"), msg


def test_the_naive_e_step_is_told_about_log_sum_exp_not_given_a_generic_hint():
    def naive(x, weights, means, sds):
        p = weights * stats.norm.pdf(x[:, None], means, sds)
        return p / p.sum(axis=1, keepdims=True)

    ok, out = _function_verdict(FUNCTIONS["05.3"], naive)
    assert not ok and "hidden case 4" in out and "logsumexp" in out and "underflows" in out
